package webhook

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits of an endpoint.
const (
	MaxName = 100
	MaxURL  = 2048
)

// ValidateInput checks an endpoint as written and returns a message by
// field; none when it is fine.
func ValidateInput(in Input, production bool) map[string]string {
	fields := map[string]string{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fields["name"] = "is required"
	case n > MaxName:
		fields["name"] = fmt.Sprintf("is longer than %d characters", MaxName)
	}
	if !slices.Contains(Kinds, in.Kind) {
		fields["kind"] = "must be generic, slack or teams"
	}
	if err := ValidateURL(in.URL, production); err != nil {
		fields["url"] = err.Error()
	}
	allowedEvents := EventTypes
	if in.Kind == Slack || in.Kind == Teams {
		allowedEvents = chatEvents
	}
	if len(in.Events) == 0 {
		fields["events"] = "must name at least one event"
	}
	for _, ev := range in.Events {
		if !slices.Contains(allowedEvents, ev) {
			fields["events"] = "must be among " + strings.Join(allowedEvents, ", ")
			break
		}
	}
	if t := in.NPSThreshold; t != nil && (*t < -100 || *t > 100) {
		fields["npsThreshold"] = "must be between -100 and 100"
	}
	if in.NPSThreshold != nil && !slices.Contains(in.Events, ThresholdCrossed) {
		if _, ok := fields["events"]; !ok {
			fields["npsThreshold"] = "needs the report.threshold_crossed event"
		}
	}
	return fields
}

// normalEvents sorts events and drops repeats.
func normalEvents(events []string) []string {
	out := slices.Clone(events)
	slices.Sort(out)
	return slices.Compact(out)
}

// ValidateURL checks where an endpoint posts: https, or outside production
// http to a loopback address; no user name or password in it; and in
// production no private, loopback or link-local address, nor a name that
// stands for one (the dispatcher checks the address it dials too, for
// names that resolve to one).
func ValidateURL(raw string, production bool) error {
	if raw == "" {
		return errors.New("is required")
	}
	if len(raw) > MaxURL {
		return fmt.Errorf("is longer than %d characters", MaxURL)
	}
	if strings.ContainsAny(raw, " \t\r\n\\") || !utf8.ValidString(raw) {
		return errors.New("is not a valid URL")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("is not a valid URL")
	}
	if u.User != nil {
		return errors.New("must not carry a user name or password")
	}
	if u.Fragment != "" {
		return errors.New("must not have a fragment")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("is not a valid URL")
	}
	if p := u.Port(); p != "" {
		if n, err := netip.ParseAddrPort("0.0.0.0:" + p); err != nil || n.Port() == 0 {
			return errors.New("has an invalid port")
		}
	}
	addr, isIP := parseHost(host)
	loopback := (isIP && addr.IsLoopback()) || isLocalName(host)
	switch u.Scheme {
	case "https":
	case "http":
		if production || !loopback {
			return errors.New("must use https (plain http only to this machine, outside production)")
		}
	default:
		return errors.New("must be an https URL")
	}
	if !production {
		return nil
	}
	if isLocalName(host) || (isIP && !Public(addr)) {
		return errors.New("must not point to a private, loopback or link-local address")
	}
	if !isIP && !strings.Contains(host, ".") {
		return errors.New("must name a public host")
	}
	return nil
}

func parseHost(host string) (netip.Addr, bool) {
	addr, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		// IPv4 in forms net.ParseIP reads but netip does not.
		if ip := net.ParseIP(host); ip != nil {
			a, ok := netip.AddrFromSlice(ip)
			return a.Unmap(), ok
		}
		return netip.Addr{}, false
	}
	return addr.Unmap(), true
}

func isLocalName(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".internal")
}

// Public reports whether addr is a public unicast address, one a
// production endpoint may be reached at.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	// Shared address space (carrier-grade NAT) and the benchmark and
	// documentation ranges are not the Internet either.
	for _, p := range nonPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// displayURL is a URL as lists show it: a Slack or Teams URL, whose path
// is its credential, as its host only; any other without its query.
func displayURL(raw, kind string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if kind == Slack || kind == Teams {
		return u.Scheme + "://" + u.Host + "/…"
	}
	shown := u.Scheme + "://" + u.Host + u.EscapedPath()
	if u.RawQuery != "" {
		shown += "?…"
	}
	return shown
}
