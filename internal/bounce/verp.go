package bounce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/candorhq/candor/internal/keys"
)

// ErrInvalidToken is returned for a return path that Candor did not make,
// or one changed on the way: a forged bounce must suppress nobody.
var ErrInvalidToken = errors.New("bounce: not a return path of ours")

// Ref names the outbox message a return path was made for.
type Ref struct {
	InvitationID string
	Round        int // reminder number; 0 for the invitation itself
}

// verpPrefix starts every return path's local part.
const verpPrefix = "b-"

// macBytes is the MAC's length in a return path: 80 bits, which nobody
// guesses, short enough for the 64 characters a local part may have.
const macBytes = 10

// maxIDBytes bounds the invitation id a return path carries, so that the
// local part stays within 64 characters.
const maxIDBytes = 24

// base32 without padding, lower case: some servers lower-case the local
// part of a bounce address, which base64 would not survive.
var token32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// ReturnPaths makes and checks the VERP envelope senders of campaign
// mail: b-<invitation>-<round>-<mac>@<domain>.
type ReturnPaths struct {
	ring   *keys.Ring
	domain string
}

// NewReturnPaths returns the return paths under domain (CANDOR_BOUNCE_DOMAIN).
func NewReturnPaths(ring *keys.Ring, domain string) *ReturnPaths {
	return &ReturnPaths{ring: ring, domain: strings.ToLower(domain)}
}

// Domain is the domain the return paths are under.
func (p *ReturnPaths) Domain() string { return p.domain }

// ReturnPath is the envelope sender of an invitation's message: the
// invitation (round 0) or reminder round.
func (p *ReturnPaths) ReturnPath(invitationID string, round int) (string, error) {
	tok, err := p.Token(Ref{InvitationID: invitationID, Round: round})
	if err != nil {
		return "", err
	}
	return tok + "@" + p.domain, nil
}

// Token is the local part of ref's return path.
func (p *ReturnPaths) Token(ref Ref) (string, error) {
	if ref.InvitationID == "" || len(ref.InvitationID) > maxIDBytes || ref.Round < 0 {
		return "", fmt.Errorf("bounce: return path for invitation %q round %d: out of range", ref.InvitationID, ref.Round)
	}
	_, key, err := p.ring.Current(keys.PurposeBounce)
	if err != nil {
		return "", fmt.Errorf("bounce: %w", err)
	}
	return verpPrefix + strings.ToLower(token32.EncodeToString([]byte(ref.InvitationID))) + "-" + strconv.Itoa(ref.Round) + "-" +
		strings.ToLower(token32.EncodeToString(mac(key, ref))), nil
}

// Parse checks an address, or its local part alone, against every key of
// the ring and returns what it names. The domain is not checked: the MAC
// is what proves the address ours.
func (p *ReturnPaths) Parse(address string) (Ref, error) {
	if len(address) > 320 {
		return Ref{}, ErrInvalidToken
	}
	local, _, _ := cutAt(address)
	local = strings.ToUpper(local)
	rest, ok := strings.CutPrefix(local, strings.ToUpper(verpPrefix))
	if !ok {
		return Ref{}, ErrInvalidToken
	}
	parts := strings.Split(rest, "-")
	if len(parts) != 3 || len(parts[1]) == 0 || len(parts[1]) > 2 || (len(parts[1]) > 1 && parts[1][0] == '0') {
		return Ref{}, ErrInvalidToken
	}
	id, err := token32.DecodeString(parts[0])
	if err != nil || len(id) == 0 || len(id) > maxIDBytes {
		return Ref{}, ErrInvalidToken
	}
	round, err := strconv.Atoi(parts[1])
	if err != nil || round < 0 {
		return Ref{}, ErrInvalidToken
	}
	got, err := token32.DecodeString(parts[2])
	if err != nil || len(got) != macBytes {
		return Ref{}, ErrInvalidToken
	}
	ref := Ref{InvitationID: string(id), Round: round}
	for _, kid := range p.ring.IDs() {
		key, err := p.ring.Derive(kid, keys.PurposeBounce)
		if err != nil {
			continue
		}
		if hmac.Equal(got, mac(key, ref)) {
			return ref, nil
		}
	}
	return Ref{}, ErrInvalidToken
}

func mac(key []byte, ref Ref) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("verp1|" + ref.InvitationID + "|" + strconv.Itoa(ref.Round)))
	return h.Sum(nil)[:macBytes]
}

// cutAt splits an address, bare or in angle brackets, at its last @.
func cutAt(s string) (local, domain string, ok bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		return s[:at], s[at+1:], true
	}
	return s, "", false
}
