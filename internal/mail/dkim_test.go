package mail

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

func pemBlock(t testing.TB, typ string, der []byte) []byte {
	t.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pkcs8(t testing.TB, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock(t, "PRIVATE KEY", der)
}

func rsaKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ed25519PEM(t testing.TB) []byte {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pkcs8(t, k)
}

func TestLoadDKIM(t *testing.T) {
	t.Setenv("GODEBUG", "rsa1024min=0") // to make the too-short key below
	rsa2048 := rsaKey(t, 2048)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		pem              []byte
		selector, domain string
		wantErr          string // empty: success
		wantKeyType      string
	}{
		{"RSA PKCS#1", pemBlock(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsa2048)), "s1", "candor.example", "", "k=rsa"},
		{"RSA PKCS#8", pkcs8(t, rsa2048), "s1", "candor.example", "", "k=rsa"},
		{"Ed25519 PKCS#8", ed25519PEM(t), "ed-2026", "mail.candor.example", "", "k=ed25519"},
		{"RSA 512", pemBlock(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey(t, 512))), "s1", "candor.example", "1024", ""},
		{"ECDSA", pkcs8(t, ec), "s1", "candor.example", "unsupported key type", ""},
		{"certificate instead of key", pemBlock(t, "CERTIFICATE", []byte{1}), "s1", "candor.example", "PEM block", ""},
		{"not PEM", []byte("-----BEGIN nothing"), "s1", "candor.example", "no PEM", ""},
		{"corrupt DER", pemBlock(t, "PRIVATE KEY", []byte{1, 2, 3}), "s1", "candor.example", "DKIM key", ""},
		{"selector with ;", ed25519PEM(t), "s1;x=1", "candor.example", "selector", ""},
		{"empty selector", ed25519PEM(t), "", "candor.example", "selector", ""},
		{"domain without dot", ed25519PEM(t), "s1", "localhost", "domain", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadDKIM(tt.pem, tt.selector, tt.domain)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "mail: ") {
					t.Fatalf("got %v, want an error about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			name, value := d.TXTRecord()
			if name != tt.selector+"._domainkey."+tt.domain {
				t.Errorf("TXT name %q", name)
			}
			if !strings.HasPrefix(value, "v=DKIM1; "+tt.wantKeyType+"; p=") {
				t.Errorf("TXT value %q", value)
			}
		})
	}
}

// lookup serves d's public key as DNS would.
func lookup(d *DKIMSigner) func(string) ([]string, error) {
	name, value := d.TXTRecord()
	return func(domain string) ([]string, error) {
		if domain != name {
			return nil, errors.New("no such record: " + domain)
		}
		return []string{value}, nil
	}
}

func verify(t *testing.T, raw []byte, d *DKIMSigner) *dkim.Verification {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup(d)})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d signatures, want 1", len(vs))
	}
	return vs[0]
}

func TestDKIMRoundTrip(t *testing.T) {
	keys := []struct {
		name string
		pem  []byte
	}{
		{"RSA 2048", pkcs8(t, rsaKey(t, 2048))},
		{"Ed25519", ed25519PEM(t)},
	}
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			signer, err := LoadDKIM(k.pem, "candor", "candor.example")
			if err != nil {
				t.Fatal(err)
			}
			srv := smtptest.Start(t)
			sender := newSender(t, plainSettings(srv), WithDKIM(signer))
			signed := testMessage()
			signed.Subject = "Kyselyä — 你好"
			bare := testMessage()
			bare.Headers = nil
			for i, err := range sender.Send(t.Context(), []Message{signed, bare}) {
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
			}
			got := srv.WaitFor(2, 5*time.Second)
			if len(got) != 2 {
				t.Fatalf("received %d messages", len(got))
			}
			raw := got[0].Raw

			// What the server received verifies, and covers what matters.
			v := verify(t, raw, signer)
			if v.Err != nil {
				t.Fatalf("signature does not verify on the received bytes: %v\n%s", v.Err, raw)
			}
			if v.Domain != "candor.example" {
				t.Errorf("d=%s", v.Domain)
			}
			for _, h := range []string{"from", "to", "subject", "date", "message-id", "mime-version",
				"content-type", "list-unsubscribe", "list-unsubscribe-post"} {
				if !slices.ContainsFunc(v.HeaderKeys, func(k string) bool { return strings.EqualFold(k, h) }) {
					t.Errorf("%s is not signed (h=%v)", h, v.HeaderKeys)
				}
			}

			// Tampering is detected.
			header, body, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			tampered := map[string][]byte{
				"body":             slices.Concat(header, []byte("\r\n\r\n"), bytes.Replace(body, []byte("TOKEN"), []byte("T0KEN"), 1)),
				"List-Unsubscribe": bytes.Replace(raw, []byte("/u/TOKEN"), []byte("/u/EVIL"), 1),
				// A field signed as absent may not be added later.
				"added List-Unsubscribe": bytes.Replace(got[1].Raw, []byte("\r\nDate: "),
					[]byte("\r\nList-Unsubscribe: <https://evil.example/u>\r\nDate: "), 1),
			}
			if v := verify(t, got[1].Raw, signer); v.Err != nil {
				t.Fatalf("message without List-Unsubscribe does not verify: %v", v.Err)
			}
			for what, changed := range tampered {
				if bytes.Equal(changed, raw) || bytes.Equal(changed, got[1].Raw) {
					t.Fatalf("tampering with %s changed nothing", what)
				}
				if v := verify(t, changed, signer); v.Err == nil {
					t.Errorf("changed %s and the signature still verifies", what)
				}
			}

			// And the key matters: someone else's key does not verify it.
			other, err := LoadDKIM(ed25519PEM(t), "candor", "candor.example")
			if err != nil {
				t.Fatal(err)
			}
			if v := verify(t, raw, other); v.Err == nil {
				t.Error("signature verifies with an unrelated public key")
			}
		})
	}
}

// The bounce address travels in MAIL FROM only: it is no header, so the
// signature over the message holds, and From stays the sender's.
func TestEnvelopeFromKeepsTheSignature(t *testing.T) {
	signer, err := LoadDKIM(ed25519PEM(t), "candor", "candor.example")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t)
	sender := newSender(t, plainSettings(srv), WithDKIM(signer))
	m := testMessage()
	m.EnvelopeFrom = "b-abc-0-def@bounces.candor.example"
	plain := testMessage()
	for i, err := range sender.Send(t.Context(), []Message{m, plain}) {
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	got := srv.WaitFor(2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("received %d messages", len(got))
	}
	if got[0].From != m.EnvelopeFrom {
		t.Errorf("MAIL FROM %q, want %q", got[0].From, m.EnvelopeFrom)
	}
	if got[1].From != plain.From.Address {
		t.Errorf("without EnvelopeFrom, MAIL FROM %q, want the From address %q", got[1].From, plain.From.Address)
	}
	if from := got[0].Header.Get("From"); !strings.Contains(from, m.From.Address) {
		t.Errorf("From header %q, want the sender's address", from)
	}
	if bytes.Contains(got[0].Raw, []byte("bounces.candor.example")) {
		t.Errorf("the bounce address leaked into the message:\n%s", got[0].Raw)
	}
	if v := verify(t, got[0].Raw, signer); v.Err != nil {
		t.Errorf("signature does not verify: %v", v.Err)
	}
	bad := testMessage()
	bad.EnvelopeFrom = "Name <x@y.example>"
	if errs := sender.Send(t.Context(), []Message{bad}); !errors.Is(errs[0], ErrInvalidMessage) {
		t.Errorf("a named envelope sender: %v, want ErrInvalidMessage", errs[0])
	}
}
