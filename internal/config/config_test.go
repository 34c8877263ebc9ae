package config

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var testKey = "k1:" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != Development || c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || !c.Embedded() {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.BaseURL != "http://127.0.0.1:8080" {
		t.Fatalf("BaseURL default = %q", c.BaseURL)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
}

func TestLoadRejectsBadDuration(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"CANDOR_SESSION_TTL": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "CANDOR_SESSION_TTL") {
		t.Fatalf("err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	badOffset := filepath.Join(t.TempDir(), "offset")
	if err := os.WriteFile(badOffset, []byte("next week"), 0o600); err != nil {
		t.Fatal(err)
	}
	prod := map[string]string{
		"CANDOR_ENV":         "production",
		"CANDOR_BASE_URL":    "https://survey.example.com/",
		"CANDOR_MONGODB_URI": "mongodb://db1,db2,db3/candor?replicaSet=rs0",
		"CANDOR_SMTP_URL":    "smtp://u:p@mail.example.com:587?tls=starttls",
		"CANDOR_SECRET_KEYS": testKey,
	}
	with := func(base map[string]string, k, v string) map[string]string {
		m := map[string]string{}
		for kk, vv := range base {
			m[kk] = vv
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name string
		env  map[string]string
		want []string // substrings of the error; none means valid
	}{
		{"development defaults", nil, nil},
		{"production complete", prod, nil},
		{"production without keys", with(prod, "CANDOR_SECRET_KEYS", ""), []string{"CANDOR_SECRET_KEYS: required in production"}},
		{"production on embedded db", with(prod, "CANDOR_MONGODB_URI", ""), []string{"CANDOR_MONGODB_URI: required in production", "embedded database"}},
		{"production over http", with(prod, "CANDOR_BASE_URL", "http://survey.example.com"), []string{"must be https"}},
		{"production without smtp", with(prod, "CANDOR_SMTP_URL", ""), []string{"CANDOR_SMTP_URL: required"}},
		{"unknown env", map[string]string{"CANDOR_ENV": "staging"}, []string{`CANDOR_ENV: "staging"`}},
		{"bad addr", map[string]string{"CANDOR_ADDR": "8080"}, []string{"CANDOR_ADDR"}},
		{"bad base url", map[string]string{"CANDOR_BASE_URL": "survey.example.com"}, []string{"CANDOR_BASE_URL"}},
		{"bad mongo uri", map[string]string{"CANDOR_MONGODB_URI": "postgres://x"}, []string{"CANDOR_MONGODB_URI"}},
		{"bad smtp url hides password", map[string]string{"CANDOR_SMTP_URL": "http://u:secret@x"}, []string{"CANDOR_SMTP_URL"}},
		{"bad mail from", map[string]string{"CANDOR_MAIL_FROM": "not an address"}, []string{"CANDOR_MAIL_FROM"}},
		{"short admin password", map[string]string{"CANDOR_ADMIN_EMAIL": "a@example.com", "CANDOR_ADMIN_PASSWORD": "short"}, []string{"at least 12"}},
		{"password without email", map[string]string{"CANDOR_ADMIN_PASSWORD": "long-enough-password"}, []string{"without CANDOR_ADMIN_EMAIL"}},
		{"bad keys", map[string]string{"CANDOR_SECRET_KEYS": "k1:AAAA"}, []string{"CANDOR_SECRET_KEYS", "need at least 32"}},
		{"trusted proxies", map[string]string{"CANDOR_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7"}, nil},
		{"bad trusted proxy", map[string]string{"CANDOR_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, []string{`CANDOR_TRUSTED_PROXIES: "proxy.local"`}},
		{"several problems at once", map[string]string{"CANDOR_ENV": "x", "CANDOR_LOG_LEVEL": "loud"}, []string{"CANDOR_ENV", "CANDOR_LOG_LEVEL"}},
		{"mail workers out of range", map[string]string{"CANDOR_MAIL_WORKERS": "0"}, []string{"CANDOR_MAIL_WORKERS: 0"}},
		{"negative mail rate", map[string]string{"CANDOR_MAIL_RATE": "-5"}, []string{"CANDOR_MAIL_RATE"}},
		{"contact frequency out of range", map[string]string{"CANDOR_CONTACT_FREQUENCY_DAYS": "-1"}, []string{"CANDOR_CONTACT_FREQUENCY_DAYS"}},
		{"follow-up SLA", map[string]string{"CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS": "1", "CANDOR_FOLLOWUP_SLA_DAYS": "10", "CANDOR_FOLLOWUP_REMIND_HOURS": "23"}, nil},
		{"no follow-up reminder", map[string]string{"CANDOR_FOLLOWUP_REMIND_HOURS": "0"}, nil},
		{"follow-up SLA of no days", map[string]string{"CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS": "0"}, []string{"CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS: 0 is outside 1 to 60"}},
		{"follow-up SLA too long", map[string]string{"CANDOR_FOLLOWUP_SLA_DAYS": "61"}, []string{"CANDOR_FOLLOWUP_SLA_DAYS: 61"}},
		{"reminder before the follow-up", map[string]string{"CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS": "1", "CANDOR_FOLLOWUP_REMIND_HOURS": "24"}, []string{"CANDOR_FOLLOWUP_REMIND_HOURS: 24 is outside 0 (no reminder) to 23"}},
		{"negative reminder", map[string]string{"CANDOR_FOLLOWUP_REMIND_HOURS": "-1"}, []string{"CANDOR_FOLLOWUP_REMIND_HOURS"}},
		{"DKIM key without selector", map[string]string{"CANDOR_DKIM_KEY_FILE": "/etc/dkim.pem"}, []string{"CANDOR_DKIM_SELECTOR"}},
		{"DKIM domain without key", map[string]string{"CANDOR_DKIM_DOMAIN": "example.com"}, []string{"CANDOR_DKIM_DOMAIN"}},
		{"metrics token", map[string]string{"CANDOR_METRICS_TOKEN": strings.Repeat("t", 24)}, nil},
		{"short metrics token", map[string]string{"CANDOR_METRICS_TOKEN": "guessable"}, []string{"CANDOR_METRICS_TOKEN: must be at least 24"}},
		{"metrics address", map[string]string{"CANDOR_METRICS_ADDR": "127.0.0.1:9090"}, nil},
		{"bad metrics address", map[string]string{"CANDOR_METRICS_ADDR": "9090"}, []string{"CANDOR_METRICS_ADDR"}},
		{"metrics on the main address", map[string]string{"CANDOR_METRICS_ADDR": "127.0.0.1:8080"}, []string{"must differ from CANDOR_ADDR"}},
		{"DKIM complete", map[string]string{"CANDOR_DKIM_KEY_FILE": "/etc/dkim.pem", "CANDOR_DKIM_SELECTOR": "s1"}, nil},
		{"clock offset file not there yet", map[string]string{"CANDOR_CLOCK_OFFSET_FILE": "/nonexistent/offset"}, nil},
		{"clock offset in production", with(prod, "CANDOR_CLOCK_OFFSET_FILE", "/tmp/offset"), []string{"CANDOR_CLOCK_OFFSET_FILE: not allowed in production"}},
		{"bad clock offset", map[string]string{"CANDOR_CLOCK_OFFSET_FILE": badOffset}, []string{"CANDOR_CLOCK_OFFSET_FILE", "not a duration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want error containing %q, got none", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret@") {
				t.Errorf("error leaks a password: %v", err)
			}
		})
	}
}

func TestKeysInDevelopmentAreGeneratedOnce(t *testing.T) {
	t.Parallel()
	c, _ := Load(env(map[string]string{"CANDOR_DATA_DIR": t.TempDir()}))
	r1, err := c.Keys()
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if r1.Encode() != r2.Encode() {
		t.Fatal("development keys changed between loads")
	}
	c.Env = Production
	if _, err := c.Keys(); err == nil {
		t.Fatal("production accepted generated keys")
	}
}

func TestLoadDelivery(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dispatch || c.MailWorkers != 4 || c.MailRate != 50 || c.ContactFrequency != 90 {
		t.Fatalf("delivery defaults: dispatch %v, workers %d, rate %v, frequency %d", c.Dispatch, c.MailWorkers, c.MailRate, c.ContactFrequency)
	}
	c, err = Load(env(map[string]string{"CANDOR_DISPATCH": "off", "CANDOR_MAIL_WORKERS": "8", "CANDOR_MAIL_RATE": "2.5", "CANDOR_CONTACT_FREQUENCY_DAYS": "0"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dispatch || c.MailWorkers != 8 || c.MailRate != 2.5 || c.ContactFrequency != 0 {
		t.Fatalf("delivery settings: dispatch %v, workers %d, rate %v, frequency %d", c.Dispatch, c.MailWorkers, c.MailRate, c.ContactFrequency)
	}
	if c.FollowupSLADetractorDays != 2 || c.FollowupSLADays != 5 || c.FollowupRemindHours != 24 {
		t.Errorf("follow-up defaults: %d, %d, %d", c.FollowupSLADetractorDays, c.FollowupSLADays, c.FollowupRemindHours)
	}
	for name, value := range map[string]string{"CANDOR_DISPATCH": "maybe", "CANDOR_MAIL_WORKERS": "many", "CANDOR_MAIL_RATE": "fast", "CANDOR_CONTACT_FREQUENCY_DAYS": "NaN",
		"CANDOR_FOLLOWUP_SLA_DAYS": "two", "CANDOR_FOLLOWUP_REMIND_HOURS": "1.5"} {
		if _, err := Load(env(map[string]string{name: value})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: err = %v", name, value, err)
		}
	}
}
