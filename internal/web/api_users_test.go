package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/web/api"
)

func TestAPIToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)

	r := c.api(http.MethodPost, "/api/v1/auth/token", "", `{"email":"admin@example.com","password":"`+testPassword+`"}`)
	wantStatus(t, r, http.StatusOK)
	var tok api.TokenResponse
	if err := json.Unmarshal([]byte(r.body), &tok); err != nil || tok.Token == "" || !tok.ExpiresAt.After(time.Now()) {
		t.Fatalf("token response %s: %v", r.body, err)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("token response may be cached")
	}

	me := c.api(http.MethodGet, "/api/v1/me", tok.Token, "")
	wantStatus(t, me, http.StatusOK)
	var u api.UserJSON
	if err := json.Unmarshal([]byte(me.body), &u); err != nil || u.ID != f.admin.ID || u.Email != f.admin.Email || u.Role != f.admin.Role {
		t.Errorf("/me = %s", me.body)
	}

	r = c.api(http.MethodPost, "/api/v1/auth/token", "", `{"email":"admin@example.com","password":"wrong password"}`)
	wantStatus(t, r, http.StatusUnauthorized)
	if got := decodeError(t, r).Error; got != "invalid email or password" {
		t.Errorf("error = %q", got)
	}
}

func TestAPIUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.token(t, f.admin)
	c := f.client(t)

	t.Run("list", func(t *testing.T) {
		r := c.api(http.MethodGet, "/api/v1/users?offset=1&limit=1", admin, "")
		wantStatus(t, r, http.StatusOK)
		var list api.UserList
		if err := json.Unmarshal([]byte(r.body), &list); err != nil {
			t.Fatal(err)
		}
		if list.Total != 3 || len(list.Items) != 1 || list.Items[0].Email != "analyst@example.com" {
			t.Errorf("list = %s", r.body)
		}
		if strings.Contains(strings.ToLower(r.body), "password") {
			t.Error("the list exposes password hashes")
		}
		r = c.api(http.MethodGet, "/api/v1/users?limit=-1&offset=x", admin, "")
		wantStatus(t, r, http.StatusBadRequest)
		if e := decodeError(t, r); e.Fields["limit"] == "" || e.Fields["offset"] == "" {
			t.Errorf("fields = %v", e.Fields)
		}
	})

	t.Run("create", func(t *testing.T) {
		tests := []struct {
			name, body string
			wantStatus int
			wantFields []string
		}{
			{"valid", `{"email":"New@Example.com","name":"New Person","role":"analyst","password":"` + testPassword + `"}`, http.StatusCreated, nil},
			{"invalid", `{"email":"nope","name":"","role":"boss","password":"short"}`, http.StatusBadRequest, []string{"email", "name", "role", "password"}},
			{"missing everything", `{}`, http.StatusBadRequest, []string{"email", "name", "role", "password"}},
			{"duplicate email", `{"email":"manager@example.com","name":"Dup","role":"analyst","password":"` + testPassword + `"}`, http.StatusBadRequest, []string{"email"}},
		}
		for _, tt := range tests {
			r := c.api(http.MethodPost, "/api/v1/users", admin, tt.body)
			wantStatus(t, r, tt.wantStatus)
			if strings.Contains(strings.ToLower(r.body), "password\":\"$") || strings.Contains(r.body, "passwordHash") {
				t.Errorf("%s: response exposes the hash", tt.name)
			}
			if tt.wantStatus == http.StatusCreated {
				var u api.UserJSON
				if err := json.Unmarshal([]byte(r.body), &u); err != nil || u.Email != "new@example.com" || u.ID == "" {
					t.Errorf("%s: created = %s", tt.name, r.body)
				}
				if loc := r.Header.Get("Location"); loc != "/api/v1/users/"+u.ID {
					t.Errorf("Location = %q", loc)
				}
				wantStatus(t, c.api(http.MethodGet, "/api/v1/users/"+u.ID, admin, ""), http.StatusOK)
				continue
			}
			e := decodeError(t, r)
			if e.Error != "invalid input" {
				t.Errorf("%s: error = %q", tt.name, e.Error)
			}
			for _, field := range tt.wantFields {
				if e.Fields[field] == "" {
					t.Errorf("%s: no message for %s in %v", tt.name, field, e.Fields)
				}
			}
		}
	})

	t.Run("update", func(t *testing.T) {
		tests := []struct {
			name, id, body string
			wantStatus     int
			wantError      string
		}{
			{"rename and promote", f.analyst.ID, `{"name":"Ann Analyst","role":"manager"}`, http.StatusOK, ""},
			{"set a password", f.analyst.ID, `{"password":"another long password"}`, http.StatusOK, ""},
			{"the only admin demoting themselves", f.admin.ID, `{"role":"analyst"}`, http.StatusConflict, "you cannot disable or demote yourself"},
			{"the only admin disabling themselves", f.admin.ID, `{"disabled":true}`, http.StatusConflict, "you cannot disable or demote yourself"},
			{"invalid role", f.analyst.ID, `{"role":"boss"}`, http.StatusBadRequest, "invalid input"},
			{"nothing to change", f.analyst.ID, `{}`, http.StatusBadRequest, "nothing to change: give name, role, disabled or password"},
			{"unknown field", f.analyst.ID, `{"email":"x@example.com"}`, http.StatusBadRequest, "invalid input"},
			{"unknown user", "no-such-id", `{"name":"X"}`, http.StatusNotFound, "not found"},
		}
		for _, tt := range tests {
			r := c.api(http.MethodPatch, "/api/v1/users/"+tt.id, admin, tt.body)
			wantStatus(t, r, tt.wantStatus)
			if tt.wantError != "" {
				if got := decodeError(t, r).Error; got != tt.wantError {
					t.Errorf("%s: error = %q, want %q", tt.name, got, tt.wantError)
				}
			}
		}
		var u api.UserJSON
		r := c.api(http.MethodGet, "/api/v1/users/"+f.analyst.ID, admin, "")
		if err := json.Unmarshal([]byte(r.body), &u); err != nil || u.Name != "Ann Analyst" || u.Role != "manager" {
			t.Errorf("after update: %s", r.body)
		}
		wantStatus(t, c.api(http.MethodGet, "/api/v1/users/no-such-id", admin, ""), http.StatusNotFound)
	})
}
