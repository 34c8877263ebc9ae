//go:build e2e

package e2e

import (
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
)

// TestSSO signs staff in through a real OpenID Connect provider, the
// in-process mockoidc on loopback, in the browser: the sign-in page with
// the button, the provider's redirects, the account made just in time,
// and a refusal shown on the sign-in page. Every page is checked by axe.
func TestSSO(t *testing.T) {
	idp, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	// startServer passes the test's environment on to candor serve.
	for k, v := range map[string]string{
		"CANDOR_OIDC_ISSUER":        idp.Issuer(),
		"CANDOR_OIDC_CLIENT_ID":     idp.ClientID,
		"CANDOR_OIDC_CLIENT_SECRET": idp.ClientSecret,
		"CANDOR_OIDC_SCOPES":        "openid email profile groups",
		"CANDOR_OIDC_ROLE_MAP":      "candor-admins=admin,cx-managers=manager",
		"CANDOR_OIDC_BUTTON":        "Sign in with Example ID",
	} {
		t.Setenv(k, v)
	}
	srv := startServer(t)
	browser := startBrowser(t)

	mgr := newTab(t, browser, srv, "sso-manager")
	idp.QueueUser(&mockoidc.MockUser{Subject: "sub-maria", Email: "maria.sso@example.com", EmailVerified: true,
		PreferredUsername: "Maria SSO", Groups: []string{"staff", "cx-managers"}})
	mgr.open("/login")
	if got := mgr.text(`a[href^="/auth/oidc/start"]`); got != "Sign in with Example ID" {
		mgr.fatalf("button %q", got)
	}
	mgr.shot("sso-login")
	mgr.submit("sign in with single sign-on", `a[href^="/auth/oidc/start"]`)
	mgr.wantPath("/")
	if got := mgr.text(".account-name"); got != "Maria SSO" {
		mgr.fatalf("signed in as %q", got)
	}
	mgr.open("/profile")
	if got := mgr.text(".page-head .lead"); got != "maria.sso@example.com · Manager" {
		mgr.fatalf("profile says %q", got)
	}
	mgr.shot("sso-profile")

	stranger := newTab(t, browser, srv, "sso-stranger")
	idp.QueueUser(&mockoidc.MockUser{Subject: "sub-sam", Email: "sam@example.com", EmailVerified: true, Groups: []string{"staff"}})
	stranger.open("/login")
	ctx, cancel := context.WithTimeout(stranger.ctx, stepTimeout)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href^="/auth/oidc/start"]`)))
	cancel()
	if err != nil {
		stranger.fatalf("sign in without a role: %v", err)
	}
	if resp.Status != http.StatusForbidden {
		stranger.fatalf("status %d, want 403", resp.Status)
	}
	if got := stranger.text(".alert-error"); got != "Your account at the sign-in service has no Candor role. Ask your administrator for access." {
		stranger.fatalf("message %q", got)
	}
	stranger.shot("sso-refused")
}
