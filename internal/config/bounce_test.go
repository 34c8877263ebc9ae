package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadBounces(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if b := c.Bounces; b.Domain != "" || b.SoftLimit != 3 || b.IMAPURL != "" || b.IMAPInterval != time.Minute || b.WebhookSecrets != nil {
		t.Fatalf("bounce defaults: %+v", b)
	}
	secretA, secretB := strings.Repeat("a", 32), strings.Repeat("b", 32)
	c, err = Load(env(map[string]string{
		"CANDOR_BOUNCE_DOMAIN": " Bounces.Example.com ", "CANDOR_BOUNCE_SOFT_LIMIT": "5",
		"CANDOR_BOUNCE_IMAP_URL": "imaps://u:p@imap.example.com/INBOX", "CANDOR_BOUNCE_IMAP_INTERVAL": "30s",
		"CANDOR_BOUNCE_WEBHOOK_SECRET": secretA + ", " + secretB,
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Bounces
	if b.Domain != "bounces.example.com" || b.SoftLimit != 5 || b.IMAPInterval != 30*time.Second ||
		len(b.WebhookSecrets) != 2 || b.WebhookSecrets[0] != secretA || b.WebhookSecrets[1] != secretB {
		t.Fatalf("bounce settings: %+v", b)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("valid bounce settings: %v", err)
	}
	for name, value := range map[string]string{"CANDOR_BOUNCE_SOFT_LIMIT": "three", "CANDOR_BOUNCE_IMAP_INTERVAL": "often"} {
		if _, err := Load(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v", name, value, err)
		}
	}
}

func TestValidateBounces(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", 32)
	tests := []struct {
		env  map[string]string
		want string // "" for valid
	}{
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "bounces.example.com"}, ""},
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "user@bounces.example.com"}, "CANDOR_BOUNCE_DOMAIN"},
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "localhost"}, "CANDOR_BOUNCE_DOMAIN"},
		{map[string]string{"CANDOR_BOUNCE_SOFT_LIMIT": "0"}, "CANDOR_BOUNCE_SOFT_LIMIT"},
		{map[string]string{"CANDOR_BOUNCE_IMAP_URL": "imaps://u:p@imap.example.com/INBOX"}, "without CANDOR_BOUNCE_DOMAIN"},
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "b.example.com", "CANDOR_BOUNCE_IMAP_URL": "pop3://u:p@mail.example.com"}, "CANDOR_BOUNCE_IMAP_URL"},
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "b.example.com", "CANDOR_BOUNCE_IMAP_URL": "imaps://imap.example.com/INBOX"}, "CANDOR_BOUNCE_IMAP_URL"},
		{map[string]string{"CANDOR_BOUNCE_IMAP_INTERVAL": "1s"}, "CANDOR_BOUNCE_IMAP_INTERVAL"},
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "b.example.com", "CANDOR_BOUNCE_WEBHOOK_SECRET": "short"}, "at least 24"},
		{map[string]string{"CANDOR_BOUNCE_DOMAIN": "b.example.com", "CANDOR_BOUNCE_WEBHOOK_SECRET": secret + ",,"}, "empty entry"},
		{map[string]string{"CANDOR_BOUNCE_WEBHOOK_SECRET": secret}, "without CANDOR_BOUNCE_DOMAIN"},
	}
	for _, tt := range tests {
		c, err := Load(env(tt.env))
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		err = c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: err = %v, want one about %s", tt.env, err, tt.want)
		}
	}
	c, _ := Load(env(map[string]string{"CANDOR_BOUNCE_DOMAIN": "b.example.com", "CANDOR_BOUNCE_IMAP_URL": "ftp://u:hunter2@x"}))
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("the IMAP password shows in %v", err)
	}
}
