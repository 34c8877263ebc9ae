package keys

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func key(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantIDs string
		wantErr string
	}{
		{"one key", "k1:" + key(1), "k1", ""},
		{"rotation keeps order", "new:" + key(2) + ", old:" + key(1), "new,old", ""},
		{"url-safe unpadded", "k1:" + strings.TrimRight(base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), "="), "k1", ""},
		{"empty", "", "", "no keys"},
		{"no colon", "k1" + key(1), "", "want id:base64"},
		{"short key", "k1:" + base64.StdEncoding.EncodeToString([]byte("short")), "", "need at least 32"},
		{"bad base64", "k1:!!!", "", "not valid base64"},
		{"bad id", "k 1:" + key(1), "", "key id"},
		{"duplicate id", "k1:" + key(1) + ",k1:" + key(2), "", "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error = %v, want containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := strings.Join(r.IDs(), ","); got != tt.wantIDs {
				t.Errorf("ids = %s, want %s", got, tt.wantIDs)
			}
		})
	}
}

func TestDeriveSeparatesPurposesAndKeys(t *testing.T) {
	t.Parallel()
	r, err := Parse("a:" + key(1) + ",b:" + key(2))
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := r.Derive("a", PurposeSession)
	a2, _ := r.Derive("a", PurposeEncryption)
	b1, _ := r.Derive("b", PurposeSession)
	if bytes.Equal(a1, a2) || bytes.Equal(a1, b1) {
		t.Fatal("derived keys collide across purposes or root keys")
	}
	if id, cur, _ := r.Current(PurposeSession); id != "a" || !bytes.Equal(cur, a1) {
		t.Fatalf("Current = %s, want key a", id)
	}
	if _, err := r.Derive("zzz", PurposeSession); err == nil {
		t.Fatal("unknown id derived a key")
	}
	if strings.Contains(r.String(), key(1)) {
		t.Fatal("String leaks the secret")
	}
}

func TestLoadOrCreateIsStableAndPrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "secret.keys")
	r1, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Encode() != r2.Encode() {
		t.Fatal("second load generated a different key")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", st.Mode().Perm())
	}
}

func FuzzParse(f *testing.F) {
	f.Add("k1:" + key(1))
	f.Add("a:" + key(1) + ",b:" + key(2))
	f.Add(":,::,")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		again, err := Parse(r.Encode())
		if err != nil || again.Encode() != r.Encode() {
			t.Fatalf("Encode of a parsed ring does not parse back: %v", err)
		}
	})
}

func TestRetainKeepsOnePurposeOfARetiredKey(t *testing.T) {
	t.Parallel()
	old, err := Parse("k2:" + key(2) + ",k1:" + key(1))
	if err != nil {
		t.Fatal(err)
	}
	k1Index, _ := old.Derive("k1", PurposeBlindIndex)
	r, err := Parse("k2:" + key(2))
	if err != nil {
		t.Fatal(err)
	}
	retained := r.Retain("k1", PurposeBlindIndex, k1Index)
	if got, _ := retained.Derive("k1", PurposeBlindIndex); !bytes.Equal(got, k1Index) {
		t.Error("retained key not derived for its purpose")
	}
	for _, purpose := range []string{PurposeEncryption, PurposeSession, PurposeLink} {
		if _, err := retained.Derive("k1", purpose); err == nil {
			t.Errorf("retired k1 still derives %s", purpose)
		}
	}
	if got := strings.Join(retained.IDsFor(PurposeBlindIndex), ","); got != "k2,k1" {
		t.Errorf("IDsFor(blind index) = %s, want k2,k1", got)
	}
	if got := strings.Join(retained.IDs(), ","); got != "k2" || retained.CurrentID() != "k2" {
		t.Errorf("IDs = %s, current %s; a retained key is no root key", got, retained.CurrentID())
	}
	if _, err := r.Derive("k1", PurposeBlindIndex); err == nil {
		t.Error("Retain changed the ring it was called on")
	}
	// A key still in the ring is derived from its root, not replaced.
	same := old.Retain("k1", PurposeBlindIndex, bytes.Repeat([]byte{9}, 32))
	if got, _ := same.Derive("k1", PurposeBlindIndex); !bytes.Equal(got, k1Index) {
		t.Error("Retain overrode a root key in the ring")
	}
}
