package link

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/keys/keystest"
)

func signer(t *testing.T, ids ...string) *Signer {
	t.Helper()
	var enc []string
	for _, id := range ids {
		r, err := keys.Generate(id)
		if err != nil {
			t.Fatal(err)
		}
		enc = append(enc, r.Encode())
	}
	ring, err := keys.Parse(strings.Join(enc, ","))
	if err != nil {
		t.Fatal(err)
	}
	return New(ring, "https://survey.example.com")
}

func TestRoundTripAndLength(t *testing.T) {
	t.Parallel()
	s := signer(t, "k1")
	id := NewID()
	url, err := s.SurveyURL(id, time.Now().Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(url) > 176 { // a 146-character token after a 29-character origin
		t.Errorf("link is %d characters: %s", len(url), url)
	}
	t.Logf("link length %d", len(url))
	token := strings.TrimPrefix(url, "https://survey.example.com/s/")
	if sub, err := s.Parse(token, AudienceSurvey); err != nil || sub != id {
		t.Fatalf("Parse = %q, %v", sub, err)
	}
	if _, err := s.Parse(token, AudienceUnsubscribe); !errors.Is(err, ErrInvalid) {
		t.Fatalf("survey token accepted as unsubscribe token: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	s := signer(t, "k1")
	now := time.Now()
	valid, _ := s.Token(AudienceSurvey, "inv", now.Add(time.Hour))
	key, _ := s.ring.Derive("k1", keys.PurposeLink)
	forge := func(m jwt.SigningMethod, k any, c jwt.RegisteredClaims) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = "k1"
		out, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	base := jwt.RegisteredClaims{Subject: "inv", Audience: jwt.ClaimStrings{AudienceSurvey}, ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour))}
	noExp := base
	noExp.ExpiresAt = nil
	otherKey, _ := signer(t, "k1").ring.Derive("k1", keys.PurposeLink)
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"garbage", "a.b.c"},
		{"tampered", keystest.Tamper(valid)},
		{"alg none", forge(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base)},
		{"HS384", forge(jwt.SigningMethodHS384, key, base)},
		{"no expiry", forge(jwt.SigningMethodHS256, key, noExp)},
		{"other secret", forge(jwt.SigningMethodHS256, otherKey, base)},
		{"huge", strings.Repeat("a", 5000)},
	}
	for _, tt := range tests {
		if _, err := s.Parse(tt.token, AudienceSurvey); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tt.name, err)
		}
	}
}

func TestExpiredIsToldApart(t *testing.T) {
	t.Parallel()
	s := signer(t, "k1")
	tok, _ := s.Token(AudienceSurvey, "inv", time.Now().Add(time.Hour))
	later := s.WithClock(func() time.Time { return time.Now().Add(2 * time.Hour) })
	sub, err := later.Parse(tok, AudienceSurvey)
	if !errors.Is(err, ErrExpired) || sub != "inv" {
		t.Fatalf("Parse = %q, %v; want inv, ErrExpired", sub, err)
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	old := signer(t, "k1")
	tok, _ := old.Token(AudienceSurvey, "inv", time.Now().Add(time.Hour))
	next, _ := keys.Generate("k2")
	ring, _ := keys.Parse(next.Encode() + "," + old.ring.Encode())
	rotated := New(ring, "https://survey.example.com")
	if sub, err := rotated.Parse(tok, AudienceSurvey); err != nil || sub != "inv" {
		t.Fatalf("token from the previous key rejected: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	ring, _ := keys.Generate("k1")
	s := New(ring, "https://x")
	tok, _ := s.Token(AudienceSurvey, "inv", time.Now().Add(time.Hour))
	f.Add(tok)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, token string) {
		sub, err := s.Parse(token, AudienceSurvey)
		if err == nil && sub == "" {
			t.Fatal("accepted a token without a subject")
		}
	})
}

func TestScoreURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key   string
		score int
		want  string
	}{
		{"nps", 0, "https://survey.example.com/s/tok?q=nps&v=0"},
		{"nps", 10, "https://survey.example.com/s/tok?q=nps&v=10"},
		{"first_q", 3, "https://survey.example.com/s/tok?q=first_q&v=3"},
	}
	for _, tt := range tests {
		got := ScoreURL("https://survey.example.com/s/tok", tt.key, tt.score)
		if got != tt.want {
			t.Errorf("ScoreURL(%q, %d) = %q, want %q", tt.key, tt.score, got, tt.want)
		}
		u, err := url.Parse(got)
		if err != nil || u.Query().Get(ScoreQuestionParam) != tt.key || u.Query().Get(ScoreValueParam) != strconv.Itoa(tt.score) {
			t.Errorf("ScoreURL(%q, %d) = %q does not parse back: %v", tt.key, tt.score, got, err)
		}
	}
}
