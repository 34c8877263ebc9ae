package bounce

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/keys"
)

func testRing(t testing.TB, ids ...string) *keys.Ring {
	t.Helper()
	var parts []string
	for _, id := range ids {
		// A secret of its own per key id.
		parts = append(parts, id+":"+base64.StdEncoding.EncodeToString([]byte(strings.Repeat(id, 32)[:32])))
	}
	r, err := keys.Parse(strings.Join(parts, ","))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReturnPathRoundTrips(t *testing.T) {
	p := NewReturnPaths(testRing(t, "k1"), "Bounces.Example.com")
	for _, ref := range []Ref{{"AbC-_x9QzR2m", 0}, {"AbC-_x9QzR2m", 1}, {"q", 5}, {strings.Repeat("Z", maxIDBytes), 12}} {
		addr, err := p.ReturnPath(ref.InvitationID, ref.Round)
		if err != nil {
			t.Fatal(err)
		}
		local, domain, _ := strings.Cut(addr, "@")
		if domain != "bounces.example.com" || len(local) > 64 || !strings.HasPrefix(local, "b-") {
			t.Errorf("%+v: return path %q", ref, addr)
		}
		if local != strings.ToLower(local) {
			t.Errorf("%q is not lower case", local)
		}
		for _, variant := range []string{addr, "<" + addr + ">", strings.ToUpper(addr), local, " " + addr + " "} {
			got, err := p.Parse(variant)
			if err != nil || got != ref {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", variant, got, err, ref)
			}
		}
	}
	if _, err := p.ReturnPath(strings.Repeat("Z", maxIDBytes+1), 0); err == nil {
		t.Error("an invitation id too long for a local part was accepted")
	}
}

func TestReturnPathRefusesTampering(t *testing.T) {
	ring := testRing(t, "k1")
	p := NewReturnPaths(ring, "bounces.example.com")
	addr, err := p.ReturnPath("AbC-_x9QzR2m", 1)
	if err != nil {
		t.Fatal(err)
	}
	local, _, _ := strings.Cut(addr, "@")
	parts := strings.Split(local, "-")
	other, _ := p.ReturnPath("OtherInvite1", 1)
	otherParts := strings.Split(strings.Split(other, "@")[0], "-")
	flip := func(s string, i int) string {
		c := byte('a')
		if s[i] == 'a' {
			c = 'b'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	cases := map[string]string{
		"another round":             strings.Join([]string{parts[0], parts[1], "2", parts[3]}, "-"),
		"another invitation":        strings.Join([]string{parts[0], otherParts[1], parts[2], parts[3]}, "-"),
		"a changed MAC":             strings.Join([]string{parts[0], parts[1], parts[2], flip(parts[3], 3)}, "-"),
		"a short MAC":               strings.Join([]string{parts[0], parts[1], parts[2], parts[3][:10]}, "-"),
		"no MAC":                    strings.Join(parts[:3], "-"),
		"a leading zero":            strings.Join([]string{parts[0], parts[1], "01", parts[3]}, "-"),
		"a negative round":          strings.Join([]string{parts[0], parts[1], "-1", parts[3]}, "-"),
		"another prefix":            "x" + local[1:],
		"the sender's own address":  "surveys@acme.example",
		"empty":                     "",
		"another key ring's":        mustReturnPath(t, NewReturnPaths(testRing(t, "other"), "bounces.example.com")),
		"an absurdly long address":  strings.Repeat("b-", 400) + "@x",
		"bad base32 in the id part": strings.Join([]string{parts[0], "1189", parts[2], parts[3]}, "-"),
	}
	for name, addr := range cases {
		if ref, err := p.Parse(addr); err == nil {
			t.Errorf("%s: %q parsed as %+v", name, addr, ref)
		}
	}
}

func mustReturnPath(t *testing.T, p *ReturnPaths) string {
	t.Helper()
	a, err := p.ReturnPath("AbC-_x9QzR2m", 1)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A return path made before a key rotation still verifies while the old
// key is in the ring.
func TestReturnPathSurvivesKeyRotation(t *testing.T) {
	old := NewReturnPaths(testRing(t, "k1"), "bounces.example.com")
	addr := mustReturnPath(t, old)
	rotated := NewReturnPaths(testRing(t, "k2", "k1"), "bounces.example.com")
	if _, err := rotated.Parse(addr); err != nil {
		t.Errorf("after rotation: %v", err)
	}
	if fresh := mustReturnPath(t, rotated); fresh == addr {
		t.Error("the new key signs the same MAC as the old one")
	}
}

func FuzzReturnPathParse(f *testing.F) {
	p := NewReturnPaths(testRing(f, "k1"), "bounces.example.com")
	good, _ := p.ReturnPath("AbC-_x9QzR2m", 1)
	for _, s := range []string{good, "", "b-", "b---", "b-a-1-a", "<b-mfrgg-0-aaaa@x>", "B-" + strings.Repeat("A", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, err := p.Parse(s)
		if err != nil {
			return
		}
		// Whatever verifies names a message whose return path is it.
		again, err := p.ReturnPath(ref.InvitationID, ref.Round)
		if err != nil {
			t.Fatalf("%q verified as %+v, which makes no return path: %v", s, ref, err)
		}
		if back, err := p.Parse(again); err != nil || back != ref {
			t.Fatalf("%q: %+v does not round-trip", s, ref)
		}
	})
}
