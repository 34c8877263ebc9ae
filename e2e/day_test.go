//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The demo's people (internal/demo): the manager whose day this is.
const demoPassword = "demo-password-e2e"

var (
	demoManager = person{"Helmi Lindqvist", "helmi.manager@demo.candor.example"}
	demoAdmin   = person{"Ada Admin", "admin@demo.candor.example"}
)

// TestManagersDay walks an account manager's day on the demo's data, every
// page checked with axe-core and kept as screenshots at 1366 and 390 px.
func TestManagersDay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	started := time.Now()
	resetArtifacts(t)
	srv := startServer(t, []string{"demo", "--responses", "400", "--password", demoPassword})
	browser := startBrowser(t)
	api := newClient(srv.URL)
	_ = api
	_ = ctx

	// 1. Sign in: the home page says what is under way.
	mgr := newTab(t, browser, srv, "day-manager")
	signIn(mgr, demoManager, demoPassword, "")
	home := mgr.text("main")
	for _, want := range []string{"Surveys at a glance", "Numbers of your accounts", "Customer survey 2026"} {
		if !strings.Contains(home, want) {
			mgr.fatalf("the home page lacks %q:\n%.600s", want, home)
		}
	}
	if nps := mgr.text(".glance-table tbody tr td:nth-of-type(2)"); nps == "" || nps == "Suppressed" {
		mgr.fatalf("the manager's accounts' NPS on the home page is %q, want a number", nps)
	}
	mgr.shot("home")

	// Nothing along the way was a server error.
	if errs := srv.log.Grep("level=ERROR"); len(errs) > 0 {
		t.Fatalf("the server logged %d errors:\n%s", len(errs), strings.Join(errs, "\n"))
	}
	t.Logf("the day took %s", time.Since(started).Round(time.Second))
}
