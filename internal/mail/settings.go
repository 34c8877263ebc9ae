package mail

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TLSMode says how the connection to the SMTP server is protected.
type TLSMode string

// TLS modes. The zero value means TLSStartTLS.
const (
	TLSStartTLS TLSMode = "starttls" // plain connect, then mandatory STARTTLS (port 587)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465)
	TLSNone     TLSMode = "none"     // no TLS at all (port 25; local relays and test servers)
)

// DefaultTimeout bounds connecting (including TLS and AUTH) and each
// message's SMTP transaction when Settings.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// redacted stands in for the password wherever settings are shown.
const redacted = "xxxxx"

// Settings say how to reach the SMTP server. Zero Port, TLS and Timeout mean
// the defaults for the TLS mode.
type Settings struct {
	Host     string
	Port     int
	Username string // empty: no AUTH
	Password string
	TLS      TLSMode
	Timeout  time.Duration
	// InsecureSkipVerify accepts any server certificate. It exists for
	// staging relays with self-signed certificates; in production it lets
	// anyone on the path read the survey links, so never set it there.
	InsecureSkipVerify bool
}

// ParseSMTPURL reads smtp://user:pass@host:port?tls=starttls|tls|none with
// the optional parameters timeout (a Go duration such as 10s) and
// insecure_skip_verify (true|false). The scheme smtps means tls=tls. User and
// password are percent-decoded. Port, TLS mode and timeout are filled in with
// their defaults: starttls, port 587 for starttls, 465 for tls, 25 for none.
//
// Error messages never contain the password, nor anything that might be part
// of it when the URL is mangled.
func ParseSMTPURL(raw string) (Settings, error) {
	var s Settings
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return s, errors.New("mail: SMTP URL must look like smtp://user:pass@host:587?tls=starttls")
	}
	switch strings.ToLower(scheme) {
	case "smtp":
	case "smtps":
		s.TLS = TLSImplicit
	default:
		// Not quoted: in a mangled URL the "scheme" can hold the password.
		return s, errors.New("mail: SMTP URL scheme must be smtp or smtps")
	}

	// The authority is split off by hand rather than with url.Parse, whose
	// errors quote the offending text, which may be the password.
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	hostport := authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		hostport = authority[at+1:]
		if err := s.parseUserinfo(authority[:at]); err != nil {
			return Settings{}, err
		}
	}
	if err := s.parseHostPort(hostport); err != nil {
		return Settings{}, err
	}
	if err := s.parseTail(tail); err != nil {
		return Settings{}, err
	}
	s = s.withDefaults()
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

func (s *Settings) parseUserinfo(userinfo string) error {
	rawUser, rawPass, hasPass := strings.Cut(userinfo, ":")
	user, err := url.PathUnescape(rawUser)
	if err != nil {
		return errors.New("mail: SMTP URL: user name has invalid percent-encoding")
	}
	pass, err := url.PathUnescape(rawPass)
	if err != nil {
		return errors.New("mail: SMTP URL: password has invalid percent-encoding")
	}
	switch {
	case user == "" && pass == "" && !hasPass:
		return errors.New("mail: SMTP URL: empty user name before @")
	case user == "":
		return errors.New("mail: SMTP URL: password given without a user name")
	case pass == "":
		return errors.New("mail: SMTP URL: user name given without a password")
	}
	s.Username, s.Password = user, pass
	return nil
}

func (s *Settings) parseHostPort(hostport string) error {
	if strings.HasPrefix(hostport, "[") {
		// go-mail joins host and port as "host:port", which breaks for IPv6 literals.
		return errors.New("mail: SMTP URL: IPv6 address literals are not supported; use a host name")
	}
	host, port, hasPort := strings.Cut(hostport, ":")
	if !validHost(host) {
		// Without an @ the "host" may be a mangled user:password, so it is not quoted.
		return errors.New("mail: SMTP URL: missing or invalid host name (letters, digits, '.', '-', '_')")
	}
	s.Host = host
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '+' {
			return errors.New("mail: SMTP URL: port must be a number from 1 to 65535")
		}
		s.Port = n
	}
	return nil
}

func (s *Settings) parseTail(tail string) error {
	path, query, _ := strings.Cut(tail, "?")
	if strings.Contains(tail, "@") {
		// An '@' past the host means a '/', '?' or '#' in the password ended
		// the authority early; what follows is password, so quote nothing.
		return errors.New("mail: SMTP URL: unexpected '@' after the host; percent-encode '/', '?', '#' and '@' in the password")
	}
	if strings.Contains(tail, "#") {
		return errors.New("mail: SMTP URL: unexpected '#'; percent-encode it as %23 in a password")
	}
	if path != "" && path != "/" {
		return errors.New("mail: SMTP URL: unexpected path; percent-encode '/' as %2F in a password")
	}
	if query == "" {
		return nil
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return errors.New("mail: SMTP URL: malformed query parameters")
	}
	for key, values := range params {
		if len(values) != 1 {
			return fmt.Errorf("mail: SMTP URL: parameter %q given %d times", key, len(values))
		}
		value := values[0]
		switch key {
		case "tls":
			mode := TLSMode(strings.ToLower(value))
			if !mode.valid() {
				return fmt.Errorf("mail: SMTP URL: tls=%q, want starttls, tls or none", value)
			}
			if s.TLS == TLSImplicit && mode != TLSImplicit {
				return fmt.Errorf("mail: SMTP URL: scheme smtps conflicts with tls=%s", mode)
			}
			s.TLS = mode
		case "timeout":
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return fmt.Errorf("mail: SMTP URL: timeout=%q, want a positive duration such as 10s", value)
			}
			s.Timeout = d
		case "insecure_skip_verify":
			b, err := strconv.ParseBool(value)
			if err != nil {
				return fmt.Errorf("mail: SMTP URL: insecure_skip_verify=%q, want true or false", value)
			}
			s.InsecureSkipVerify = b
		default:
			return fmt.Errorf("mail: SMTP URL: unknown parameter %q (known: tls, timeout, insecure_skip_verify)", key)
		}
	}
	return nil
}

// withDefaults fills in the zero TLS mode, port and timeout.
func (s Settings) withDefaults() Settings {
	if s.TLS == "" {
		s.TLS = TLSStartTLS
	}
	if s.Port == 0 {
		switch s.TLS {
		case TLSImplicit:
			s.Port = 465
		case TLSNone:
			s.Port = 25
		default:
			s.Port = 587
		}
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	return s
}

// validate checks settings that have their defaults filled in.
func (s Settings) validate() error {
	switch {
	case !validHost(s.Host):
		return errors.New("mail: SMTP host is missing or invalid")
	case s.Port < 1 || s.Port > 65535:
		return fmt.Errorf("mail: SMTP port %d out of range", s.Port)
	case !s.TLS.valid():
		return fmt.Errorf("mail: SMTP TLS mode %q, want starttls, tls or none", s.TLS)
	case s.Timeout < 0:
		return errors.New("mail: SMTP timeout must be positive")
	case (s.Username == "") != (s.Password == ""):
		return errors.New("mail: SMTP user name and password go together")
	case s.TLS == TLSNone && s.InsecureSkipVerify:
		return errors.New("mail: insecure_skip_verify needs tls=starttls or tls")
	case s.TLS == TLSNone && s.Username != "" && !isLoopback(s.Host):
		return fmt.Errorf("mail: refusing to send the SMTP password to %s without TLS; use tls=starttls or tls", s.Host)
	}
	return nil
}

// String shows the settings as an SMTP URL with the password redacted, so
// that settings can be logged.
func (s Settings) String() string {
	s = s.withDefaults()
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port))}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, redacted)
	}
	q := url.Values{"tls": {string(s.TLS)}, "timeout": {s.Timeout.String()}}
	if s.InsecureSkipVerify {
		q.Set("insecure_skip_verify", "true")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// LogValue keeps the password out of structured logs, JSON ones included.
func (s Settings) LogValue() slog.Value { return slog.StringValue(s.String()) }

func (m TLSMode) valid() bool {
	return m == TLSStartTLS || m == TLSImplicit || m == TLSNone
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 || h[0] == '.' || h[0] == '-' {
		return false
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
