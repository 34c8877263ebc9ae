package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/admin/users", "/admin/users"},
		{"/admin/users?page=2", "/admin/users?page=2"},
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{"/\\evil.example", "/"},
		{"/a\\b", "/"},
		{"https://evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.example", "/"},
		{"/\tevil", "/"},
		{"/a\r\nSet-Cookie: x=y", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLoginPage(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	tests := []struct {
		name, path string
		wantNext   string
	}{
		{"plain", "/login", `name="next" value="/"`},
		{"with a local next", "/login?next=%2Fadmin%2Fusers", `name="next" value="/admin/users"`},
		{"with an open redirect attempt", "/login?next=%2F%2Fevil.example", `name="next" value="/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := s.client(t)
			r := c.get(tt.path)
			wantStatus(t, r, http.StatusOK)
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			for _, want := range []string{`<form method="post" action="/login"`, `name="_csrf" value="`, tt.wantNext, `autocomplete="current-password"`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			if strings.Contains(r.body, "evil.example") {
				t.Error("page carries the foreign next target")
			}
			base, _, _ := strings.Cut(c.csrf, "~")
			if c.csrf == "" || c.cookie(csrfCookie) == nil || c.cookie(csrfCookie).Value != base {
				t.Error("the form's CSRF token does not match the cookie")
			}
		})
	}
}

func TestLoginNeedsBothFields(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	c := s.client(t)
	c.get("/login")
	r := c.post("/login", url.Values{"email": {"jane@example.com"}})
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.body, "Enter your email address and password.") || !strings.Contains(r.body, `value="jane@example.com"`) {
		t.Errorf("page does not explain or lost the email:\n%s", truncate(r.body))
	}
}

func TestStaffPagesNeedASession(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, testOptions{})
	tests := []struct{ path, wantLocation string }{
		{"/", "/login"},
		{"/admin/users", "/login?next=%2Fadmin%2Fusers"},
		{"/admin/users?page=2", "/login?next=%2Fadmin%2Fusers%3Fpage%3D2"},
		{"/admin/nowhere", "/login?next=%2Fadmin%2Fnowhere"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			c := s.client(t)
			c.header.Set("Cookie", sessionCookie+"=not-a-token")
			r := c.get(tt.path)
			wantStatus(t, r, http.StatusSeeOther)
			if got := r.Header.Get("Location"); got != tt.wantLocation {
				t.Errorf("Location = %q, want %q", got, tt.wantLocation)
			}
			if ck := setCookie(r, sessionCookie); ck == nil || ck.Value != "" {
				t.Errorf("the invalid session cookie is not cleared: %v", ck)
			}
		})
	}
}
