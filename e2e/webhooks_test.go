//go:build e2e

package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestWebhookPages walks an admin through adding a webhook to a receiver
// on this machine, its secret shown once, its page with the delivery log,
// a refused edit, a rotation and the delete confirmation, checking every
// page with axe-core.
func TestWebhookPages(t *testing.T) {
	resetArtifacts(t)
	var mu sync.Mutex
	var posts []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, string(body))
		mu.Unlock()
	}))
	defer rcv.Close()
	srv := startServer(t)
	browser := startBrowser(t)
	admin := newTab(t, browser, srv, "admin")
	signIn(admin, person{"Admin", adminEmail}, adminPassword, "")

	admin.open("/admin/webhooks")
	if !strings.Contains(admin.text("main"), "No webhooks yet") {
		admin.fatalf("the empty list lacks its empty state")
	}
	admin.shot("webhooks-empty")

	admin.open("/admin/webhooks/new")
	admin.fill("#name", "CRM")
	admin.fill("#url", rcv.URL+"/hooks/candor")
	admin.click("#event-0")
	admin.click("#event-1")
	admin.shot("webhook-new")
	admin.submit("add the webhook", `form[action="/admin/webhooks/new"] button[type=submit]`)
	if secret := admin.text("#secret"); !strings.HasPrefix(secret, "whsec_") {
		admin.fatalf("the secret page shows %q", secret)
	}
	admin.shot("webhook-secret")

	admin.submit("go to the webhook", `a.button-primary`)
	page := admin.wantPath("/admin/webhooks/")
	if !strings.Contains(admin.text("main"), "Nothing delivered yet") {
		admin.fatalf("the webhook's page lacks its empty log")
	}
	admin.shot("webhook")

	// A plain-http URL elsewhere is refused; the form comes back with why.
	admin.replace("#url", "http://crm.example.com/in")
	if status := admin.send("save a plain-http URL", `form[action="`+page+`"] button[type=submit]`); status != 400 {
		admin.fatalf("a plain-http URL was answered with %d, want 400", status)
	}
	admin.wantPath(page)
	if !strings.Contains(admin.text("main"), "URL must use https") {
		admin.fatalf("the refused edit does not say why")
	}
	admin.shot("webhook-refused")

	admin.open(page)
	admin.submit("rotate the secret", `form[action="`+page+`/rotate"] button[type=submit]`)
	if !strings.Contains(admin.text("h1"), "New secret") {
		admin.fatalf("the rotation page heading is %q", admin.text("h1"))
	}
	admin.shot("webhook-rotated")

	admin.open(page + "/delete")
	admin.shot("webhook-delete")
	admin.submit("delete the webhook", `form[action="`+page+`/delete"] button[type=submit]`)
	admin.wantPath("/admin/webhooks")
	if !strings.Contains(admin.text(".alert-success"), "deleted") {
		admin.fatalf("no confirmation after deleting")
	}
}
