// Package keys holds Candor's secret keys: the ring of root keys from
// CANDOR_SECRET_KEYS (the first is current, the others still verify and
// decrypt while they rotate out) and the purpose-bound keys derived from them.
package keys

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// MinKeyBytes is the shortest root key accepted: 256 bits.
const MinKeyBytes = 32

// Purposes of derived keys. Each use gets its own key so that a weakness in
// one use never exposes another.
const (
	PurposeSession    = "candor/session-jwt"
	PurposeLink       = "candor/link-jwt"
	PurposeEncryption = "candor/aead"
	PurposeBlindIndex = "candor/blind-index"
	PurposeCSRF       = "candor/csrf"
	PurposeResponseID = "candor/response-id"
	PurposeDevice     = "candor/staff-device" // the cookie that marks a browser a staff member signed in from
	PurposeBounce     = "candor/bounce-verp"  // the MAC in a message's return path, so that a forged bounce suppresses nobody
	// PurposeRespondStep seals the answers a respondent carries from one
	// step of a survey to the next in the page, without a cookie.
	PurposeRespondStep = "candor/respond-step"
)

// ErrUnknownKey is returned when a key id is not in the ring.
var ErrUnknownKey = errors.New("keys: unknown key id")

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Key is one root key.
type Key struct {
	ID     string
	secret []byte
}

// Ring is an ordered set of root keys; the first is the current one.
type Ring struct {
	keys []Key
	// retained are keys derived from root keys that have left the ring,
	// kept for one purpose only (see Retain).
	retained []retainedKey
}

type retainedKey struct {
	id, purpose string
	key         []byte
}

// Parse reads "id:base64[,id:base64...]". Both standard and URL-safe base64,
// padded or not, are accepted because keys are pasted by hand.
func Parse(s string) (*Ring, error) {
	var r Ring
	seen := map[string]bool{}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, encoded, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("keys: entry %d: want id:base64", i+1)
		}
		if !idPattern.MatchString(id) {
			return nil, fmt.Errorf("keys: entry %d: key id %q must be 1-32 letters, digits, - or _", i+1, id)
		}
		if seen[id] {
			return nil, fmt.Errorf("keys: entry %d: key id %q appears twice", i+1, id)
		}
		secret, err := decode(encoded)
		if err != nil {
			return nil, fmt.Errorf("keys: key %q: not valid base64", id)
		}
		if len(secret) < MinKeyBytes {
			return nil, fmt.Errorf("keys: key %q: %d bytes, need at least %d", id, len(secret), MinKeyBytes)
		}
		seen[id] = true
		r.keys = append(r.keys, Key{ID: id, secret: secret})
	}
	if len(r.keys) == 0 {
		return nil, errors.New("keys: no keys given")
	}
	return &r, nil
}

func decode(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// Generate returns a new ring with one fresh random key.
func Generate(id string) (*Ring, error) {
	secret := make([]byte, MinKeyBytes)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("keys: generate: %w", err)
	}
	return &Ring{keys: []Key{{ID: id, secret: secret}}}, nil
}

// LoadOrCreate reads the ring kept in path, creating it with one new key
// (file mode 0600) when it does not exist. For development only: production
// keys come from the environment.
func LoadOrCreate(path string) (*Ring, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return Parse(string(data))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keys: read %s: %w", path, err)
	}
	r, err := Generate("dev1")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process won the race
			return LoadOrCreate(path)
		}
		return nil, fmt.Errorf("keys: create %s: %w", path, err)
	}
	if _, err := f.WriteString(r.Encode() + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("keys: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("keys: write %s: %w", path, err)
	}
	return r, nil
}

// Encode returns the ring in the CANDOR_SECRET_KEYS format.
func (r *Ring) Encode() string {
	parts := make([]string, len(r.keys))
	for i, k := range r.keys {
		parts[i] = k.ID + ":" + base64.StdEncoding.EncodeToString(k.secret)
	}
	return strings.Join(parts, ",")
}

// String never shows secrets, so a ring can be logged safely.
func (r *Ring) String() string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.ID
	}
	return "keys[" + strings.Join(ids, ",") + "]"
}

// CurrentID is the id of the key new material is signed or sealed with.
func (r *Ring) CurrentID() string { return r.keys[0].ID }

// IDs lists the key ids, current first.
func (r *Ring) IDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.ID
	}
	return ids
}

// Retain returns a copy of r that also knows key, the purpose key derived
// from root key id, which is no longer in the ring. Only Derive with that
// purpose and IDsFor see it: a retired root key can keep its blind index
// readable without signing or decrypting anything. A root key still in the
// ring, or a purpose already retained for id, wins over key.
func (r *Ring) Retain(id, purpose string, key []byte) *Ring {
	out := &Ring{keys: r.keys, retained: slices.Clone(r.retained)}
	if slices.ContainsFunc(r.keys, func(k Key) bool { return k.ID == id }) ||
		slices.ContainsFunc(r.retained, func(k retainedKey) bool { return k.id == id && k.purpose == purpose }) {
		return out
	}
	out.retained = append(out.retained, retainedKey{id: id, purpose: purpose, key: slices.Clone(key)})
	return out
}

// IDsFor lists the ids Derive answers for purpose: the ring's, current
// first, then those of retained keys for purpose.
func (r *Ring) IDsFor(purpose string) []string {
	ids := r.IDs()
	for _, k := range r.retained {
		if k.purpose == purpose {
			ids = append(ids, k.id)
		}
	}
	return ids
}

// Derive returns the 32-byte key for purpose derived from root key id, or
// a retained key for id and purpose.
func (r *Ring) Derive(id, purpose string) ([]byte, error) {
	for _, k := range r.retained {
		if k.id == id && k.purpose == purpose {
			return slices.Clone(k.key), nil
		}
	}
	for _, k := range r.keys {
		if k.ID == id {
			out, err := hkdf.Key(sha256.New, k.secret, nil, purpose, 32)
			if err != nil {
				return nil, fmt.Errorf("keys: derive: %w", err)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownKey, id)
}

// Current derives the purpose key from the current root key.
func (r *Ring) Current(purpose string) (id string, key []byte, err error) {
	id = r.CurrentID()
	key, err = r.Derive(id, purpose)
	return id, key, err
}
