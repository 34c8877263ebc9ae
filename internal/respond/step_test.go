package respond_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/survey"
)

// stepService is a service that only seals step states, with a clock.
func stepService(t testing.TB, ring *keys.Ring, now *time.Time) *respond.Service {
	t.Helper()
	return respond.New(respond.Deps{Keys: ring}).WithClock(func() time.Time { return *now })
}

func stepLink(invitation, surveyID string, revision int) respond.Link {
	return respond.Link{InvitationID: invitation, Survey: survey.Survey{ID: surveyID, Revision: revision}}
}

func TestStepStateOpensOnlyWhereItWasSealed(t *testing.T) {
	t.Parallel()
	ring, err := keys.Generate("k1")
	if err != nil {
		t.Fatal(err)
	}
	other, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	s := stepService(t, ring, &now)
	l := stepLink("inv-1", "sv-1", 3)
	sealed, err := s.SealStep(l, respond.StepState{Step: 1, Values: map[string][]string{"q.nps": {"3"}}, Locale: "fi"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "nps") {
		t.Fatalf("the sealed state shows its content: %s", sealed)
	}
	got, err := s.OpenStep(l, sealed)
	if err != nil || got.Step != 1 || got.Values["q.nps"][0] != "3" || got.Locale != "fi" || got.SurveyID != "sv-1" || got.Revision != 3 {
		t.Fatalf("OpenStep = %+v, %v", got, err)
	}

	flip := []byte(sealed)
	flip[len(flip)-3] ^= 1
	later := now.Add(respond.StepLife)
	tests := []struct {
		name   string
		s      *respond.Service
		l      respond.Link
		sealed string
		want   error
	}{
		{"another link", s, stepLink("inv-2", "sv-1", 3), sealed, respond.ErrStepInvalid},
		{"another survey", s, stepLink("inv-1", "sv-2", 3), sealed, respond.ErrStepInvalid},
		{"another revision", s, stepLink("inv-1", "sv-1", 4), sealed, respond.ErrStepStale},
		{"tampered", s, l, string(flip), respond.ErrStepInvalid},
		{"truncated", s, l, sealed[:len(sealed)-10], respond.ErrStepInvalid},
		{"another key", stepService(t, other, &now), l, sealed, respond.ErrStepInvalid},
		{"expired", stepService(t, ring, &later), l, sealed, respond.ErrStepExpired},
		{"empty", s, l, "", respond.ErrStepInvalid},
		{"garbage", s, l, "s1.k1.!!!", respond.ErrStepInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := tt.s.OpenStep(tt.l, tt.sealed); !errors.Is(err, tt.want) {
				t.Errorf("OpenStep = %v, want %v", err, tt.want)
			}
		})
	}
	// Rotated: the old key still opens a state sealed before the rotation.
	rotated, err := keys.Parse(other.Encode() + "," + ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stepService(t, rotated, &now).OpenStep(l, sealed); err != nil {
		t.Errorf("after rotation: %v", err)
	}
}

func FuzzOpenStep(f *testing.F) {
	ring, err := keys.Generate("k1")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	s := stepService(f, ring, &now)
	l := stepLink("inv-1", "sv-1", 1)
	sealed, err := s.SealStep(l, respond.StepState{Step: 2, Values: map[string][]string{"q.a": {"x"}}})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{sealed, "", "s1", "s1.k1.", "s1.k1.AAAA", "s1..", "s2.k1." + sealed[6:], sealed + "A"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		st, err := s.OpenStep(l, text)
		// Only the one state sealed opens (base64 may spell it in more than one way).
		if err == nil && (st.Step != 2 || st.Values["q.a"][0] != "x") {
			t.Fatalf("opened a state never sealed: %q → %+v", text, st)
		}
		if err != nil && !errors.Is(err, respond.ErrStepInvalid) && !errors.Is(err, respond.ErrStepExpired) && !errors.Is(err, respond.ErrStepStale) {
			t.Fatalf("OpenStep(%q) = %v, not one of its errors", text, err)
		}
	})
}
