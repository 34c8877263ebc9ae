package rotate_test

import (
	"context"
	"slices"
	"testing"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/rotate"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func ring(t *testing.T, ks ...*keys.Ring) *keys.Ring {
	t.Helper()
	enc := ""
	for i, k := range ks {
		if i > 0 {
			enc += ","
		}
		enc += k.Encode()
	}
	r, err := keys.Parse(enc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestKeptIndexKeysOutliveTwoRotations: an address indexed under k1 is
// still matched after k1 and then k2 left the ring, and Retain run twice
// writes nothing the second time.
func TestKeptIndexKeysOutliveTwoRotations(t *testing.T) {
	ctx := context.Background()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var k [3]*keys.Ring
	for i, id := range []string{"k1", "k2", "k3"} {
		var err error
		if k[i], err = keys.Generate(id); err != nil {
			t.Fatal(err)
		}
	}
	const email = "erased@example.com"
	underK1 := seal.New(k[0]).BlindIndexes(email)[0]
	matches := func(r *keys.Ring) bool {
		restored, unreadable, err := rotate.Ring(ctx, st.IndexKeys, r)
		if err != nil || len(unreadable) > 0 {
			t.Fatalf("Ring: %v, unreadable %v", err, unreadable)
		}
		return slices.Contains(seal.New(restored).BlindIndexes(email), underK1)
	}

	tests := []struct {
		name        string
		ring        *keys.Ring
		wantWritten int
	}{
		{"k2 put first", ring(t, k[1], k[0]), 1},
		{"run again", ring(t, k[1], k[0]), 0},
		{"k3 put first, k1 gone", ring(t, k[2], k[1]), 2}, // k2's key kept; k1's sealed again under k3
		{"run again", ring(t, k[2], k[1]), 0},
	}
	for _, tt := range tests {
		n, err := rotate.Retain(ctx, st.IndexKeys, tt.ring)
		if err != nil || n != tt.wantWritten {
			t.Fatalf("%s: Retain = %d, %v; want %d", tt.name, n, err, tt.wantWritten)
		}
	}
	if !matches(k[2]) {
		t.Error("with k3 alone, the index made under k1 no longer matches")
	}
	// A ring that opens none of the kept keys says so rather than guessing.
	other, err := keys.Generate("k9")
	if err != nil {
		t.Fatal(err)
	}
	if _, unreadable, err := rotate.Ring(ctx, st.IndexKeys, other); err != nil || len(unreadable) != 2 {
		t.Errorf("Ring with an unrelated key: unreadable %v, %v; want both kept keys", unreadable, err)
	}
}
