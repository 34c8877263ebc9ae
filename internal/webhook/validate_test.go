package webhook_test

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/webhook"
)

func TestValidateURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url        string
		dev, prod  bool // accepted outside production, in production
		whyContain string
	}{
		{"https://hooks.example.com/candor", true, true, ""},
		{"https://hooks.slack.com/services/T000/B000/XXXX", true, true, ""},
		{"https://example.com:8443/in?token=abc", true, true, ""},
		{"http://127.0.0.1:9000/hook", true, false, "https"},
		{"http://localhost:9000/hook", true, false, "https"},
		{"http://[::1]:9000/hook", true, false, "https"},
		{"http://hooks.example.com/hook", false, false, "https"},
		{"https://127.0.0.1/hook", true, false, "private"},
		{"https://10.1.2.3/hook", true, false, "private"},
		{"https://192.168.0.10/hook", true, false, "private"},
		{"https://172.16.5.4/hook", true, false, "private"},
		{"https://169.254.169.254/latest/meta-data", true, false, "private"},
		{"https://[fd00::1]/hook", true, false, "private"},
		{"https://[::ffff:10.0.0.1]/hook", true, false, "private"},
		{"https://100.64.1.1/hook", true, false, "private"},
		{"https://0.0.0.0/hook", true, false, "private"},
		{"https://metadata.google.internal/x", true, false, "private"},
		{"https://printer.local/x", true, false, "private"},
		{"https://intranet/x", true, false, "public host"},
		{"https://8.8.8.8/hook", true, true, ""},
		{"https://user:pass@hooks.example.com/", false, false, "user name"},
		{"ftp://hooks.example.com/", false, false, "https"},
		{"javascript:alert(1)", false, false, "valid URL"},
		{"https:///nohost", false, false, "valid URL"},
		{"https://hooks.example.com/#frag", false, false, "fragment"},
		{"https://hooks.example.com:0/", false, false, "port"},
		{"https://hooks.example.com:99999/", false, false, "port"},
		{"https://hooks.example.com/a b", false, false, "valid URL"},
		{"", false, false, "required"},
		{"https://hooks.example.com/" + strings.Repeat("a", webhook.MaxURL), false, false, "longer"},
	} {
		for _, prod := range []bool{false, true} {
			want := tc.dev
			if prod {
				want = tc.prod
			}
			err := webhook.ValidateURL(tc.url, prod)
			if (err == nil) != want {
				t.Errorf("ValidateURL(%q, production=%v) = %v, want accepted=%v", tc.url, prod, err, want)
				continue
			}
			if err != nil && prod && tc.whyContain != "" && !strings.Contains(err.Error(), tc.whyContain) {
				t.Errorf("ValidateURL(%q, production) = %q, want it to say %q", tc.url, err, tc.whyContain)
			}
		}
	}
}

func TestPublic(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "1.1.1.1": true, "2606:4700::1111": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.31.255.255": false, "192.168.1.1": false, "169.254.1.1": false,
		"::1": false, "fe80::1": false, "fc00::1": false, "::": false, "224.0.0.1": false, "::ffff:127.0.0.1": false,
		"100.64.0.1": false, "198.18.0.1": false, "255.255.255.255": false,
	} {
		if got := webhook.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// FuzzValidateURL checks that whatever it accepts for production is an
// https URL with a public host and no credentials, and that nothing makes
// it panic.
func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/x", "http://127.0.0.1:1/", "https://[::1]/", "https://10.0.0.1/",
		"https://user@host.example/", "https://0x7f.1/", "https://2130706433/", "https://[::ffff:127.0.0.1]/", "https://example.com:443/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if webhook.ValidateURL(raw, false) != nil {
			if webhook.ValidateURL(raw, true) == nil {
				t.Fatalf("%q is accepted in production but not outside it", raw)
			}
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", raw, err)
		}
		if u.User != nil || u.Host == "" {
			t.Fatalf("accepted %q with credentials or without a host", raw)
		}
		if webhook.ValidateURL(raw, true) != nil {
			return
		}
		if u.Scheme != "https" {
			t.Fatalf("accepted %q in production without https", raw)
		}
		if addr, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !webhook.Public(addr) {
			t.Fatalf("accepted %q in production with a private address", raw)
		}
	})
}
