// Package config loads Candor's settings from CANDOR_* environment variables
// into one typed struct and checks them before anything starts.
package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/clock"
	"github.com/candorhq/candor/internal/keys"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// Config is everything Candor reads from its environment.
type Config struct {
	Env           string // development | production
	Addr          string // listen address
	BaseURL       string // public origin links are built from; never the Host header
	DataDir       string // embedded database files and the development key file
	MongoURI      string // empty: run the embedded database
	SMTPURL       string // empty: messages go to the dev outbox
	MailFrom      string
	AdminEmail    string // first admin, created on an empty database
	AdminPassword string
	SecretKeys    string        // raw CANDOR_SECRET_KEYS; see Keys
	LogLevel      string        // debug | info | warn | error
	SessionTTL    time.Duration // browser session lifetime, renewed while active
	APITokenTTL   time.Duration

	// Delivery of survey email.
	Dispatch         bool    // run the dispatcher inside `candor serve` (CANDOR_DISPATCH=on|off)
	MailWorkers      int     // concurrent SMTP senders per process
	MailRate         float64 // messages per second per process; 0: no limit
	ContactFrequency int     // days within which a contact is not surveyed again; 0: no limit
	DKIMKeyFile      string  // PEM private key; empty: no DKIM signature
	DKIMSelector     string
	DKIMDomain       string // d= of the signature; default: the CANDOR_MAIL_FROM domain

	// Follow-up deadlines: a named response is due to be resolved this
	// many business days (Monday to Friday, holidays not considered) after
	// it comes in, and its owner is reminded FollowupRemindHours before.
	FollowupSLADetractorDays int // CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS: detractors (NPS 0–6)
	FollowupSLADays          int // CANDOR_FOLLOWUP_SLA_DAYS: everyone else
	FollowupRemindHours      int // CANDOR_FOLLOWUP_REMIND_HOURS: 0, no reminder

	// Metrics: /metrics is served only on MetricsAddr when it is set, else
	// on Addr only to a scraper with MetricsToken; with neither, nowhere.
	MetricsAddr  string // CANDOR_METRICS_ADDR: a separate listener for /metrics
	MetricsToken string // CANDOR_METRICS_TOKEN: the bearer token a scraper sends

	// ClockOffsetFile (CANDOR_CLOCK_OFFSET_FILE), outside production only,
	// names a file holding a duration by which the services' clock runs
	// ahead of the wall clock (see package clock): for trying deadlines,
	// escalations and schedules on a running server.
	ClockOffsetFile string

	// TrustedProxies are the reverse proxies (IPs or CIDRs) whose
	// X-Forwarded-For and X-Forwarded-Proto headers are believed; empty
	// means none, and the peer address is the client.
	TrustedProxies []string

	// Retention: the defaults of the retention policy, which the admin
	// page /admin/retention overrides (see retention.go). 0 turns a rule off.
	Retention Retention
	// Bounces and complaints after delivery: return paths, the mailbox
	// and the signed endpoint reports arrive through.
	Bounces Bounces
	// Staff sign-in with OpenID Connect (docs/security.md, "Single sign-on").
	OIDC OIDC
	// PasswordLogin (CANDOR_PASSWORD_LOGIN=on|off) allows signing in with
	// email and password; off only together with OIDC.
	PasswordLogin bool
}

// OIDC is the OpenID Connect provider staff sign in with; an empty Issuer
// turns single sign-on off.
type OIDC struct {
	Issuer       string     // CANDOR_OIDC_ISSUER
	ClientID     string     // CANDOR_OIDC_CLIENT_ID
	ClientSecret string     // CANDOR_OIDC_CLIENT_SECRET
	Scopes       []string   // CANDOR_OIDC_SCOPES, space- or comma-separated
	RoleClaim    string     // CANDOR_OIDC_ROLE_CLAIM: a string or array claim; dots reach into objects
	RoleMap      []RoleRule // CANDOR_OIDC_ROLE_MAP
	DefaultRole  string     // CANDOR_OIDC_DEFAULT_ROLE: empty refuses users no rule gives a role
	Button       string     // CANDOR_OIDC_BUTTON: the sign-in button's label
}

// Enabled reports whether single sign-on is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// RoleRule gives users whose role claim holds Group the staff Role.
type RoleRule struct {
	Group string
	Role  string
}

// staffRoles are the roles a rule may give (store.Role's values).
var staffRoles = []string{"admin", "manager", "analyst"}

// ParseRoleMap reads CANDOR_OIDC_ROLE_MAP: comma-separated group=role
// pairs such as "candor-admins=admin,cx-managers=manager". A group may be
// listed once; several groups may give one role.
func ParseRoleMap(s string) ([]RoleRule, error) {
	var rules []RoleRule
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		group, role, ok := strings.Cut(pair, "=")
		group, role = strings.TrimSpace(group), strings.ToLower(strings.TrimSpace(role))
		switch {
		case !ok || group == "":
			return nil, fmt.Errorf("%q is not group=role", pair)
		case !slices.Contains(staffRoles, role):
			return nil, fmt.Errorf("%q: role %q is not admin, manager or analyst", pair, role)
		case seen[group]:
			return nil, fmt.Errorf("group %q is listed twice", group)
		}
		seen[group] = true
		rules = append(rules, RoleRule{Group: group, Role: role})
	}
	return rules, nil
}

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
// It reports malformed values; Validate reports inconsistent ones.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		Env:           or(getenv("CANDOR_ENV"), Development),
		Addr:          or(getenv("CANDOR_ADDR"), "127.0.0.1:8080"),
		BaseURL:       strings.TrimRight(getenv("CANDOR_BASE_URL"), "/"),
		DataDir:       or(getenv("CANDOR_DATA_DIR"), "./data"),
		MongoURI:      getenv("CANDOR_MONGODB_URI"),
		SMTPURL:       getenv("CANDOR_SMTP_URL"),
		MailFrom:      or(getenv("CANDOR_MAIL_FROM"), "Candor <candor@localhost>"),
		AdminEmail:    strings.TrimSpace(getenv("CANDOR_ADMIN_EMAIL")),
		AdminPassword: getenv("CANDOR_ADMIN_PASSWORD"),
		SecretKeys:    getenv("CANDOR_SECRET_KEYS"),
		LogLevel:      or(getenv("CANDOR_LOG_LEVEL"), "info"),
		MetricsAddr:   strings.TrimSpace(getenv("CANDOR_METRICS_ADDR")),
		MetricsToken:  strings.TrimSpace(getenv("CANDOR_METRICS_TOKEN")),
		SessionTTL:    30 * time.Minute,
		APITokenTTL:   12 * time.Hour,

		MailWorkers:      4,
		MailRate:         50,
		ContactFrequency: 90,

		FollowupSLADetractorDays: 2,
		FollowupSLADays:          5,
		FollowupRemindHours:      24,
		DKIMKeyFile:              strings.TrimSpace(getenv("CANDOR_DKIM_KEY_FILE")),
		DKIMSelector:             strings.TrimSpace(getenv("CANDOR_DKIM_SELECTOR")),
		DKIMDomain:               strings.TrimSpace(getenv("CANDOR_DKIM_DOMAIN")),
		ClockOffsetFile:          strings.TrimSpace(getenv("CANDOR_CLOCK_OFFSET_FILE")),
	}
	var errs []error
	durations := []struct {
		env string
		dst *time.Duration
	}{
		{"CANDOR_SESSION_TTL", &c.SessionTTL},
		{"CANDOR_API_TOKEN_TTL", &c.APITokenTTL},
	}
	for _, d := range durations {
		if v := getenv(d.env); v != "" {
			parsed, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 30m or 12h", d.env, v))
				continue
			}
			*d.dst = parsed
		}
	}
	for _, p := range strings.Split(getenv("CANDOR_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("CANDOR_DISPATCH"))); v {
	case "", "on", "true", "1":
		c.Dispatch = true
	case "off", "false", "0":
	default:
		errs = append(errs, fmt.Errorf("CANDOR_DISPATCH: %q is neither on nor off", v))
	}
	for _, n := range []struct {
		env string
		dst *int
	}{
		{"CANDOR_MAIL_WORKERS", &c.MailWorkers},
		{"CANDOR_CONTACT_FREQUENCY_DAYS", &c.ContactFrequency},
		{"CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS", &c.FollowupSLADetractorDays},
		{"CANDOR_FOLLOWUP_SLA_DAYS", &c.FollowupSLADays},
		{"CANDOR_FOLLOWUP_REMIND_HOURS", &c.FollowupRemindHours},
	} {
		if v := strings.TrimSpace(getenv(n.env)); v != "" {
			parsed, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", n.env, v))
				continue
			}
			*n.dst = parsed
		}
	}
	if v := strings.TrimSpace(getenv("CANDOR_MAIL_RATE")); v != "" {
		parsed, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(parsed) {
			errs = append(errs, fmt.Errorf("CANDOR_MAIL_RATE: %q is not a number of messages per second", v))
		} else {
			c.MailRate = parsed
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	errs = append(errs, c.loadOIDC(getenv)...)
	var bounceErrs []error
	c.Bounces, bounceErrs = loadBounces(getenv)
	errs = append(errs, bounceErrs...)
	errs = append(errs, c.Retention.load(getenv)...)
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// loadOIDC reads single sign-on and CANDOR_PASSWORD_LOGIN.
func (c *Config) loadOIDC(getenv func(string) string) []error {
	var errs []error
	c.OIDC = OIDC{
		Issuer:       strings.TrimSpace(getenv("CANDOR_OIDC_ISSUER")),
		ClientID:     strings.TrimSpace(getenv("CANDOR_OIDC_CLIENT_ID")),
		ClientSecret: strings.TrimSpace(getenv("CANDOR_OIDC_CLIENT_SECRET")),
		Scopes: strings.FieldsFunc(or(getenv("CANDOR_OIDC_SCOPES"), "openid email profile"),
			func(r rune) bool { return r == ' ' || r == ',' }),
		RoleClaim:   or(getenv("CANDOR_OIDC_ROLE_CLAIM"), "groups"),
		DefaultRole: strings.ToLower(strings.TrimSpace(getenv("CANDOR_OIDC_DEFAULT_ROLE"))),
		Button:      or(getenv("CANDOR_OIDC_BUTTON"), "Sign in with SSO"),
	}
	rules, err := ParseRoleMap(getenv("CANDOR_OIDC_ROLE_MAP"))
	if err != nil {
		errs = append(errs, fmt.Errorf("CANDOR_OIDC_ROLE_MAP: %w", err))
	}
	c.OIDC.RoleMap = rules
	switch v := strings.ToLower(strings.TrimSpace(getenv("CANDOR_PASSWORD_LOGIN"))); v {
	case "", "on", "true", "1":
		c.PasswordLogin = true
	case "off", "false", "0":
	default:
		errs = append(errs, fmt.Errorf("CANDOR_PASSWORD_LOGIN: %q is neither on nor off", v))
	}
	return errs
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

// Embedded reports whether Candor runs its own embedded database.
func (c Config) Embedded() bool { return c.MongoURI == "" }

// Secure reports whether the public origin is https, so cookies get Secure.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// KeyFile is where development keys are kept when CANDOR_SECRET_KEYS is empty.
func (c Config) KeyFile() string { return filepath.Join(c.DataDir, "secret.keys") }

// Keys returns the configured key ring, or in development the one kept in
// the data directory (generated on first use).
func (c Config) Keys() (*keys.Ring, error) {
	if c.SecretKeys != "" {
		return keys.Parse(c.SecretKeys)
	}
	if c.Env == Production {
		return nil, errors.New("config: CANDOR_SECRET_KEYS is required in production")
	}
	return keys.LoadOrCreate(c.KeyFile())
}

// Validate checks the whole configuration and reports every problem at once,
// each naming the variable to change.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	switch c.Env {
	case Development, Production:
	default:
		add("CANDOR_ENV: %q is neither %q nor %q", c.Env, Development, Production)
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		add("CANDOR_ADDR: %q is not host:port (for example 127.0.0.1:8080)", c.Addr)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		add("CANDOR_ADDR: port %q is not a number from 0 to 65535", port)
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			add("CANDOR_METRICS_ADDR: %q is not host:port (for example 127.0.0.1:9090)", c.MetricsAddr)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			add("CANDOR_METRICS_ADDR: port %q is not a number from 0 to 65535", port)
		} else if c.MetricsAddr == c.Addr {
			add("CANDOR_METRICS_ADDR: must differ from CANDOR_ADDR")
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < MinMetricsTokenLength {
		add("CANDOR_METRICS_TOKEN: must be at least %d characters (for example from `openssl rand -hex 24`)", MinMetricsTokenLength)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("CANDOR_BASE_URL: %q is not an http(s) URL such as https://survey.example.com", c.BaseURL)
	} else if u.RawQuery != "" || u.Fragment != "" {
		add("CANDOR_BASE_URL: %q must not carry a query or fragment", c.BaseURL)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		add("CANDOR_DATA_DIR: must not be empty")
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		add("CANDOR_MAIL_FROM: %q is not an address such as \"Candor <surveys@example.com>\"", c.MailFrom)
	}
	if c.AdminEmail != "" {
		if _, err := mail.ParseAddress(c.AdminEmail); err != nil {
			add("CANDOR_ADMIN_EMAIL: %q is not an email address", c.AdminEmail)
		}
		if c.AdminPassword != "" && len(c.AdminPassword) < MinPasswordLength {
			add("CANDOR_ADMIN_PASSWORD: must be at least %d characters", MinPasswordLength)
		}
	} else if c.AdminPassword != "" {
		add("CANDOR_ADMIN_PASSWORD: set without CANDOR_ADMIN_EMAIL")
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			add("CANDOR_SMTP_URL: %q is not like smtp://user:pass@host:587?tls=starttls", redactURL(c.SMTPURL))
		}
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		add("CANDOR_MONGODB_URI: must start with mongodb:// or mongodb+srv://")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("CANDOR_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 24*time.Hour {
		add("CANDOR_SESSION_TTL: %s is outside 1m to 24h", c.SessionTTL)
	}
	if c.APITokenTTL < time.Minute || c.APITokenTTL > 30*24*time.Hour {
		add("CANDOR_API_TOKEN_TTL: %s is outside 1m to 720h", c.APITokenTTL)
	}
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				add("CANDOR_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", p)
			}
		}
	}
	if c.MailWorkers < 1 || c.MailWorkers > 64 {
		add("CANDOR_MAIL_WORKERS: %d is outside 1 to 64", c.MailWorkers)
	}
	if c.MailRate < 0 || c.MailRate > 10000 {
		add("CANDOR_MAIL_RATE: %v is outside 0 (no limit) to 10000 messages per second", c.MailRate)
	}
	if c.ContactFrequency < 0 || c.ContactFrequency > 3650 {
		add("CANDOR_CONTACT_FREQUENCY_DAYS: %d is outside 0 (no limit) to 3650", c.ContactFrequency)
	}
	if c.FollowupSLADetractorDays < 1 || c.FollowupSLADetractorDays > 60 {
		add("CANDOR_FOLLOWUP_SLA_DETRACTOR_DAYS: %d is outside 1 to 60 business days", c.FollowupSLADetractorDays)
	}
	if c.FollowupSLADays < 1 || c.FollowupSLADays > 60 {
		add("CANDOR_FOLLOWUP_SLA_DAYS: %d is outside 1 to 60 business days", c.FollowupSLADays)
	}
	// The reminder must fall after the follow-up comes in: a business day
	// is never shorter than 24 hours.
	if most := 24*min(c.FollowupSLADetractorDays, c.FollowupSLADays) - 1; c.FollowupRemindHours < 0 || (most > 0 && c.FollowupRemindHours > most) {
		add("CANDOR_FOLLOWUP_REMIND_HOURS: %d is outside 0 (no reminder) to %d, less than the shortest SLA", c.FollowupRemindHours, max(most, 0))
	}
	c.Retention.validate(add)
	if (c.DKIMKeyFile == "") != (c.DKIMSelector == "") {
		add("CANDOR_DKIM_KEY_FILE and CANDOR_DKIM_SELECTOR: set both to sign mail, or neither")
	}
	if c.DKIMDomain != "" && c.DKIMKeyFile == "" {
		add("CANDOR_DKIM_DOMAIN: set without CANDOR_DKIM_KEY_FILE")
	}
	if c.SecretKeys != "" {
		if _, err := keys.Parse(c.SecretKeys); err != nil {
			add("CANDOR_SECRET_KEYS: %v", strings.TrimPrefix(err.Error(), "keys: "))
		}
	}
	errs = append(errs, c.Bounces.validate()...)
	if c.Env == Production {
		if c.SecretKeys == "" {
			add("CANDOR_SECRET_KEYS: required in production (generated keys in the data directory are for development only); generate one with `candor keys generate`")
		}
		if c.MongoURI == "" {
			add("CANDOR_MONGODB_URI: required in production; the embedded database is for development and tests (it is a single process without replication or backups)")
		}
		if !c.Secure() {
			add("CANDOR_BASE_URL: must be https in production (respondent links and session cookies travel over it)")
		}
		if c.SMTPURL == "" {
			add("CANDOR_SMTP_URL: required in production; without it mail only reaches the dev outbox")
		}
		if c.ClockOffsetFile != "" {
			add("CANDOR_CLOCK_OFFSET_FILE: not allowed in production; it moves the clock of deadlines and schedules")
		}
	} else if c.ClockOffsetFile != "" {
		if _, err := clock.Offset(c.ClockOffsetFile); err != nil {
			add("CANDOR_CLOCK_OFFSET_FILE: %v", strings.TrimPrefix(err.Error(), "clock: "))
		}
	}
	errs = append(errs, c.validateOIDC()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// validateOIDC checks single sign-on and CANDOR_PASSWORD_LOGIN.
func (c Config) validateOIDC() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	o := c.OIDC
	if !o.Enabled() {
		if !c.PasswordLogin {
			add("CANDOR_PASSWORD_LOGIN: off only works with single sign-on; set CANDOR_OIDC_ISSUER, CANDOR_OIDC_CLIENT_ID and CANDOR_OIDC_CLIENT_SECRET, or staff could not sign in at all")
		}
		if o.ClientID != "" || o.ClientSecret != "" {
			add("CANDOR_OIDC_CLIENT_ID and CANDOR_OIDC_CLIENT_SECRET: set without CANDOR_OIDC_ISSUER")
		}
		return errs
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		add("CANDOR_OIDC_ISSUER: %q is not an http(s) URL such as https://login.example.com/realms/staff", o.Issuer)
	} else if u.Scheme == "http" && c.Env == Production {
		add("CANDOR_OIDC_ISSUER: must be https in production")
	}
	if o.ClientID == "" {
		add("CANDOR_OIDC_CLIENT_ID: required with CANDOR_OIDC_ISSUER")
	}
	if o.ClientSecret == "" {
		add("CANDOR_OIDC_CLIENT_SECRET: required with CANDOR_OIDC_ISSUER")
	}
	if !slices.Contains(o.Scopes, "openid") {
		add("CANDOR_OIDC_SCOPES: must include openid")
	}
	if strings.TrimSpace(o.RoleClaim) == "" {
		add("CANDOR_OIDC_ROLE_CLAIM: must not be empty")
	}
	if o.DefaultRole != "" && !slices.Contains(staffRoles, o.DefaultRole) {
		add("CANDOR_OIDC_DEFAULT_ROLE: %q is not admin, manager or analyst (or empty, to refuse users without a mapped role)", o.DefaultRole)
	}
	if len(o.RoleMap) == 0 && o.DefaultRole == "" {
		add("CANDOR_OIDC_ROLE_MAP: no rule and no CANDOR_OIDC_DEFAULT_ROLE, so no one could sign in with single sign-on")
	}
	if utf8.RuneCountInString(o.Button) > 60 {
		add("CANDOR_OIDC_BUTTON: must be at most 60 characters")
	}
	return errs
}

// Clock is the time the services run on: the wall clock, moved by
// ClockOffsetFile when one is set.
func (c Config) Clock() clock.Clock {
	if c.ClockOffsetFile == "" {
		return clock.System()
	}
	return clock.Shifted(c.ClockOffsetFile)
}

// MinPasswordLength applies to every staff password.
const MinPasswordLength = 12

// MinMetricsTokenLength keeps the metrics token out of guessing range.
const MinMetricsTokenLength = 24

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
