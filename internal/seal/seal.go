// Package seal encrypts personal and confidential data at rest.
//
// Two layers: root keys from the key ring seal small values directly
// (confidential answers) and wrap per-person data keys; a person's name and
// email are sealed with their own data key, so destroying that one wrapped
// key makes every copy of their data unreadable, backups included.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/candorhq/candor/internal/keys"
)

// ErrDecrypt means a box could not be opened: wrong key, wrong context, or
// tampered data. It deliberately says no more.
var ErrDecrypt = errors.New("seal: cannot decrypt")

// ErrShredded is returned when data is opened whose data key was destroyed.
var ErrShredded = errors.New("seal: data key destroyed")

// Box is a ciphertext with the id of the root key that sealed it, so keys
// can rotate while old boxes stay readable.
type Box struct {
	KeyID string `bson:"k" json:"k"`
	Data  []byte `bson:"d" json:"d"` // nonce || ciphertext || tag
}

// IsZero reports whether the box holds nothing.
func (b Box) IsZero() bool { return b.KeyID == "" && len(b.Data) == 0 }

// Sealer seals with the ring's current key and opens with any key in it.
type Sealer struct {
	ring *keys.Ring
}

// New returns a Sealer over ring.
func New(ring *keys.Ring) *Sealer { return &Sealer{ring: ring} }

// Seal encrypts plaintext bound to context (for example "contact:<id>:name"),
// so a box copied onto another record does not open there.
func (s *Sealer) Seal(plaintext []byte, context string) (Box, error) {
	id, key, err := s.ring.Current(keys.PurposeEncryption)
	if err != nil {
		return Box{}, fmt.Errorf("seal: %w", err)
	}
	data, err := encrypt(key, plaintext, []byte(context))
	if err != nil {
		return Box{}, err
	}
	return Box{KeyID: id, Data: data}, nil
}

// Open decrypts a box sealed by Seal with the same context.
func (s *Sealer) Open(b Box, context string) ([]byte, error) {
	key, err := s.ring.Derive(b.KeyID, keys.PurposeEncryption)
	if err != nil {
		return nil, ErrDecrypt
	}
	return decrypt(key, b.Data, []byte(context))
}

// Reseal re-encrypts a box under the current key when it was sealed with an
// older one; changed reports whether anything was done.
func (s *Sealer) Reseal(b Box, context string) (out Box, changed bool, err error) {
	if b.KeyID == s.ring.CurrentID() {
		return b, false, nil
	}
	plain, err := s.Open(b, context)
	if err != nil {
		return b, false, err
	}
	out, err = s.Seal(plain, context)
	return out, err == nil, err
}

// DataKey is a person's own key, kept only in wrapped form at rest.
type DataKey struct {
	key []byte
}

// NewDataKey creates a random data key and its wrapped form to store.
func (s *Sealer) NewDataKey(context string) (DataKey, Box, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return DataKey{}, Box{}, fmt.Errorf("seal: data key: %w", err)
	}
	wrapped, err := s.Seal(k, "datakey:"+context)
	if err != nil {
		return DataKey{}, Box{}, err
	}
	return DataKey{key: k}, wrapped, nil
}

// UnwrapDataKey opens a stored data key; ErrShredded when it was destroyed.
func (s *Sealer) UnwrapDataKey(wrapped Box, context string) (DataKey, error) {
	if wrapped.IsZero() {
		return DataKey{}, ErrShredded
	}
	k, err := s.Open(wrapped, "datakey:"+context)
	if err != nil {
		return DataKey{}, err
	}
	return DataKey{key: k}, nil
}

// Seal encrypts with the data key.
func (k DataKey) Seal(plaintext []byte, context string) ([]byte, error) {
	if len(k.key) == 0 {
		return nil, ErrShredded
	}
	return encrypt(k.key, plaintext, []byte(context))
}

// Open decrypts data sealed with this data key.
func (k DataKey) Open(data []byte, context string) ([]byte, error) {
	if len(k.key) == 0 {
		return nil, ErrShredded
	}
	return decrypt(k.key, data, []byte(context))
}

// BlindIndex is a keyed hash of value under the given root key id, used to
// find and de-duplicate records by a secret (an email) without storing it.
// Callers normalise value first.
func (s *Sealer) BlindIndex(keyID, value string) (string, error) {
	key, err := s.ring.Derive(keyID, keys.PurposeBlindIndex)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// BlindIndexes returns value's index under every key, current first, so a
// look-up still finds records indexed before a key rotation: the ring's
// keys and the blind-index keys retained from retired ones.
func (s *Sealer) BlindIndexes(value string) []string {
	ids := s.ring.IDsFor(keys.PurposeBlindIndex)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if h, err := s.BlindIndex(id, value); err == nil {
			out = append(out, h)
		}
	}
	return out
}

// CurrentKeyID names the key new material is sealed with.
func (s *Sealer) CurrentKeyID() string { return s.ring.CurrentID() }

func encrypt(key, plaintext, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plaintext, aad), nil
}

func decrypt(key, data, aad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(data) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrDecrypt
	}
	nonce, ct := data[:aead.NonceSize()], data[aead.NonceSize():]
	out, err := aead.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead, nil
}
