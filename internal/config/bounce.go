package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Bounces and complaints reported after the mail server accepted a
// message (see docs/delivery.md).
type Bounces struct {
	Domain          string        // CANDOR_BOUNCE_DOMAIN: return paths b-<token>@Domain; empty: off
	SoftLimit       int           // CANDOR_BOUNCE_SOFT_LIMIT: soft bounces that make an address bounced
	IMAPURL         string        // CANDOR_BOUNCE_IMAP_URL: the mailbox reports arrive in; empty: not read
	IMAPInterval    time.Duration // CANDOR_BOUNCE_IMAP_INTERVAL: how often it is read
	WebhookSecrets  []string      // CANDOR_BOUNCE_WEBHOOK_SECRET, comma-separated: signing secrets of POST /api/v1/inbound/bounces
	webhookSecretsN int           // entries given, for Validate to check empty ones
}

// MinWebhookSecretLength keeps a bounce webhook secret out of guessing range.
const MinWebhookSecretLength = 24

func loadBounces(getenv func(string) string) (Bounces, []error) {
	b := Bounces{
		Domain:       strings.ToLower(strings.TrimSpace(getenv("CANDOR_BOUNCE_DOMAIN"))),
		SoftLimit:    3,
		IMAPURL:      strings.TrimSpace(getenv("CANDOR_BOUNCE_IMAP_URL")),
		IMAPInterval: time.Minute,
	}
	var errs []error
	if v := strings.TrimSpace(getenv("CANDOR_BOUNCE_SOFT_LIMIT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CANDOR_BOUNCE_SOFT_LIMIT: %q is not a whole number", v))
		} else {
			b.SoftLimit = n
		}
	}
	if v := strings.TrimSpace(getenv("CANDOR_BOUNCE_IMAP_INTERVAL")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("CANDOR_BOUNCE_IMAP_INTERVAL: %q is not a duration such as 1m", v))
		} else {
			b.IMAPInterval = d
		}
	}
	if v := getenv("CANDOR_BOUNCE_WEBHOOK_SECRET"); strings.TrimSpace(v) != "" {
		for s := range strings.SplitSeq(v, ",") {
			b.webhookSecretsN++
			if s = strings.TrimSpace(s); s != "" {
				b.WebhookSecrets = append(b.WebhookSecrets, s)
			}
		}
	}
	return b, errs
}

func (b Bounces) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if b.Domain != "" && !isDomain(b.Domain) {
		add("CANDOR_BOUNCE_DOMAIN: %q is not a domain such as bounces.example.com", b.Domain)
	}
	if b.SoftLimit < 1 || b.SoftLimit > 100 {
		add("CANDOR_BOUNCE_SOFT_LIMIT: %d is outside 1 to 100", b.SoftLimit)
	}
	if b.IMAPURL != "" {
		if u, err := url.Parse(b.IMAPURL); err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Host == "" || u.User == nil {
			add("CANDOR_BOUNCE_IMAP_URL: %q is not like imaps://user:pass@host:993/INBOX", redactURL(b.IMAPURL))
		}
		if b.Domain == "" {
			add("CANDOR_BOUNCE_IMAP_URL: set without CANDOR_BOUNCE_DOMAIN, so no report could name its message")
		}
	}
	if b.IMAPInterval < 5*time.Second || b.IMAPInterval > 24*time.Hour {
		add("CANDOR_BOUNCE_IMAP_INTERVAL: %s is outside 5s to 24h", b.IMAPInterval)
	}
	if b.webhookSecretsN > 0 {
		if len(b.WebhookSecrets) != b.webhookSecretsN {
			add("CANDOR_BOUNCE_WEBHOOK_SECRET: an empty entry in the list")
		}
		for _, s := range b.WebhookSecrets {
			if len(s) < MinWebhookSecretLength {
				add("CANDOR_BOUNCE_WEBHOOK_SECRET: every secret must be at least %d characters (for example from `openssl rand -hex 32`)", MinWebhookSecretLength)
				break
			}
		}
		if b.Domain == "" {
			add("CANDOR_BOUNCE_WEBHOOK_SECRET: set without CANDOR_BOUNCE_DOMAIN, so no event could name its message")
		}
	}
	return errs
}

// isDomain accepts a host name of letters, digits and hyphens in labels.
func isDomain(s string) bool {
	if len(s) > 200 || !strings.Contains(s, ".") {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
