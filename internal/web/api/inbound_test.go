package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/web/problem"
)

func testAPI(now time.Time, secrets ...string) *API {
	return New(Deps{BounceSecrets: secrets, Now: func() time.Time { return now }})
}

func signature(secret, ts string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "v1=" + hex.EncodeToString(mac.Sum(nil))
}

func TestVerifyInbound(t *testing.T) {
	now := time.Unix(1_765_100_000, 0)
	old, current := strings.Repeat("o", 32), strings.Repeat("c", 32)
	a := testAPI(now, current, old)
	body := []byte(`{"type":"bounce"}`)
	ts := strconv.FormatInt(now.Unix(), 10)
	tests := []struct {
		name, ts, sig string
		ok            bool
	}{
		{"current secret", ts, signature(current, ts, body), true},
		{"old secret, while it rotates out", ts, signature(old, ts, body), true},
		{"one of several values", ts, "v1=00, " + signature(current, ts, body), true},
		{"4 minutes old", strconv.FormatInt(now.Add(-4*time.Minute).Unix(), 10), signature(current, strconv.FormatInt(now.Add(-4*time.Minute).Unix(), 10), body), true},
		{"6 minutes old", strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10), signature(current, strconv.FormatInt(now.Add(-6*time.Minute).Unix(), 10), body), false},
		{"another timestamp than signed", strconv.FormatInt(now.Unix()-1, 10), signature(current, ts, body), false},
		{"another secret", ts, signature("x", ts, body), false},
		{"no scheme", ts, strings.TrimPrefix(signature(current, ts, body), "v1="), false},
		{"v0", ts, "v0=" + strings.TrimPrefix(signature(current, ts, body), "v1="), false},
		{"a short MAC", ts, signature(current, ts, body)[:40], false},
		{"no timestamp", "", signature(current, "", body), false},
		{"a timestamp in milliseconds", ts + "000", signature(current, ts+"000", body), false},
	}
	for _, tt := range tests {
		err := a.verifyInbound(tt.ts, tt.sig, body)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestInboundEventValidate(t *testing.T) {
	rp := "b-abc-0-def@bounces.example.com"
	tests := []struct {
		ev     InboundEvent
		fields []string
	}{
		{InboundEvent{Type: "bounce", ReturnPath: rp, Status: "5.1.1"}, nil},
		{InboundEvent{Type: "soft_bounce", ReturnPath: rp}, nil},
		{InboundEvent{Type: "complaint", ReturnPath: " " + rp + " "}, nil},
		{InboundEvent{}, []string{"type", "returnPath"}},
		{InboundEvent{Type: "delivered", ReturnPath: rp}, []string{"type"}},
		{InboundEvent{Type: "bounce", ReturnPath: strings.Repeat("a", 321)}, []string{"returnPath"}},
		{InboundEvent{Type: "bounce", ReturnPath: rp, Status: strings.Repeat("5", 17), Diagnostic: strings.Repeat("d", 1001)}, []string{"status", "diagnostic"}},
	}
	for _, tt := range tests {
		_, _, err := tt.ev.validate()
		if (err == nil) != (tt.fields == nil) {
			t.Errorf("%+v: %v", tt.ev, err)
			continue
		}
		if err == nil {
			continue
		}
		var p *problem.Problem
		if !errors.As(err, &p) || p.Status != http.StatusBadRequest || len(p.Fields) != len(tt.fields) {
			t.Errorf("%+v: %#v", tt.ev, err)
			continue
		}
		for _, f := range tt.fields {
			if p.Fields[f] == "" {
				t.Errorf("%+v: no message for %s in %v", tt.ev, f, p.Fields)
			}
		}
	}
}

func FuzzVerifyInbound(f *testing.F) {
	now := time.Unix(1_765_100_000, 0)
	secret := strings.Repeat("s", 32)
	a := testAPI(now, secret)
	ts := strconv.FormatInt(now.Unix(), 10)
	f.Add(ts, signature(secret, ts, []byte("{}")), []byte("{}"))
	f.Add("", "", []byte{})
	f.Add("-1", "v1=,v1=zz,v1", []byte("x"))
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		if a.verifyInbound(ts, sig, body) != nil {
			return
		}
		// Whatever passes was signed with the secret, within 5 minutes.
		n, err := strconv.ParseInt(strings.TrimSpace(ts), 10, 64)
		if err != nil || now.Sub(time.Unix(n, 0)).Abs() > InboundMaxAge {
			t.Fatalf("accepted timestamp %q", ts)
		}
		if !strings.Contains(strings.ToLower(sig), signature(secret, strconv.FormatInt(n, 10), body)) {
			t.Fatalf("accepted signature %q for %q", sig, body)
		}
	})
}
