package seal

import (
	"bytes"
	"errors"
	"testing"

	"github.com/candorhq/candor/internal/keys"
)

func ring(t *testing.T, id string) *keys.Ring {
	t.Helper()
	r, err := keys.Generate(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSealOpenAndContextBinding(t *testing.T) {
	t.Parallel()
	s := New(ring(t, "a"))
	box, err := s.Seal([]byte("Ada Lovelace"), "contact:1:name")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(box.Data, []byte("Ada")) || box.KeyID != "a" {
		t.Fatalf("box leaks plaintext or has key id %q", box.KeyID)
	}
	got, err := s.Open(box, "contact:1:name")
	if err != nil || string(got) != "Ada Lovelace" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	tests := []struct {
		name    string
		box     Box
		context string
	}{
		{"other record", box, "contact:2:name"},
		{"unknown key id", Box{KeyID: "zz", Data: box.Data}, "contact:1:name"},
		{"truncated", Box{KeyID: "a", Data: box.Data[:5]}, "contact:1:name"},
		{"flipped bit", Box{KeyID: "a", Data: flip(box.Data)}, "contact:1:name"},
	}
	for _, tt := range tests {
		if _, err := s.Open(tt.box, tt.context); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: err = %v, want ErrDecrypt", tt.name, err)
		}
	}
	again, _ := s.Seal([]byte("Ada Lovelace"), "contact:1:name")
	if bytes.Equal(again.Data, box.Data) {
		t.Fatal("two seals of the same value are identical: nonce reused")
	}
}

func flip(b []byte) []byte {
	c := bytes.Clone(b)
	c[len(c)-1] ^= 1
	return c
}

func TestRotationAndReseal(t *testing.T) {
	t.Parallel()
	old := ring(t, "old")
	box, _ := New(old).Seal([]byte("secret"), "ctx")
	next := ring(t, "new")
	rotated, err := keys.Parse(next.Encode() + "," + old.Encode())
	if err != nil {
		t.Fatal(err)
	}
	s := New(rotated)
	if got, err := s.Open(box, "ctx"); err != nil || string(got) != "secret" {
		t.Fatalf("old box unreadable after rotation: %v", err)
	}
	out, changed, err := s.Reseal(box, "ctx")
	if err != nil || !changed || out.KeyID != "new" {
		t.Fatalf("Reseal = %v %v %v", out.KeyID, changed, err)
	}
	if _, changed, _ := s.Reseal(out, "ctx"); changed {
		t.Fatal("resealing a current box changed it")
	}
}

func TestDataKeyShredding(t *testing.T) {
	t.Parallel()
	s := New(ring(t, "a"))
	dk, wrapped, err := s.NewDataKey("contact:1")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := dk.Seal([]byte("ada@example.com"), "email")
	if err != nil {
		t.Fatal(err)
	}
	dk2, err := s.UnwrapDataKey(wrapped, "contact:1")
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := dk2.Open(ct, "email"); err != nil || string(pt) != "ada@example.com" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := s.UnwrapDataKey(wrapped, "contact:2"); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("data key opened for another contact: %v", err)
	}
	// Erasure stores an empty wrapped key: nothing can open the data again.
	shredded, err := s.UnwrapDataKey(Box{}, "contact:1")
	if !errors.Is(err, ErrShredded) {
		t.Fatalf("err = %v, want ErrShredded", err)
	}
	if _, err := shredded.Open(ct, "email"); !errors.Is(err, ErrShredded) {
		t.Fatalf("zero data key err = %v", err)
	}
}

func TestBlindIndex(t *testing.T) {
	t.Parallel()
	a, b := ring(t, "a"), ring(t, "b")
	sa := New(a)
	h1, _ := sa.BlindIndex("a", "ada@example.com")
	h2, _ := sa.BlindIndex("a", "ada@example.com")
	h3, _ := sa.BlindIndex("a", "bob@example.com")
	hb, _ := New(b).BlindIndex("b", "ada@example.com")
	if h1 != h2 || h1 == h3 || h1 == hb {
		t.Fatal("blind index is not deterministic per key or collides")
	}
	rotated, _ := keys.Parse(b.Encode() + "," + a.Encode())
	all := New(rotated).BlindIndexes("ada@example.com")
	if len(all) != 2 || all[0] != hb || all[1] != h1 {
		t.Fatalf("BlindIndexes = %v, want current then previous", all)
	}
}
