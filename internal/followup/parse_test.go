package followup_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
)

func TestParseStates(t *testing.T) {
	t.Parallel()
	def := []store.FollowupState{store.FollowupOpen}
	tests := []struct {
		in   string
		want []store.FollowupState
		ok   bool
	}{
		{"", def, true},
		{"all", nil, true},
		{"active", followup.ActiveStates, true},
		{"open", []store.FollowupState{store.FollowupOpen}, true},
		{" contacted ", []store.FollowupState{store.FollowupContacted}, true},
		{"resolved", []store.FollowupState{store.FollowupResolved}, true},
		{"done", []store.FollowupState{store.FollowupResolved}, true}, // the earlier name
		{"closed", nil, false},
		{"Open", nil, false},
	}
	for _, tt := range tests {
		got, ok := followup.ParseStates(tt.in, def)
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("ParseStates(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseStates(f *testing.F) {
	for _, s := range []string{"", "all", "active", "open", "contacted", "resolved", "done", "x"} {
		f.Add(s)
	}
	known := []string{"", "all", "active", "open", "contacted", "resolved", "done"}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := followup.ParseStates(in, nil)
		if ok != slices.Contains(known, strings.TrimSpace(in)) {
			t.Fatalf("ParseStates(%q) ok = %v", in, ok)
		}
		for _, st := range got {
			if st != store.FollowupOpen && st != store.FollowupContacted && st != store.FollowupResolved {
				t.Fatalf("ParseStates(%q) gave %q", in, st)
			}
		}
	})
}
