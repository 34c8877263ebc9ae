package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/keys"
)

// A device token marks a browser a staff member has signed in from:
// "kid.expiry.nonce.mac", the MAC (under a key derived for this purpose
// only) binding it to the user's id. It is no credential, only the reason
// a sign-in from that browser is not slowed down by failures elsewhere.

// DeviceToken returns a fresh device token for user id and its expiry.
func (s *Service) DeviceToken(userID string) (string, time.Time, error) {
	kid, key, err := s.keys.Current(keys.PurposeDevice)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.opts.Now().Add(s.opts.DeviceTTL)
	body := kid + "." + strconv.FormatInt(exp.Unix(), 36) + "." + rand.Text()
	return body + "." + deviceMAC(key, userID, body), exp, nil
}

// knownDevice reports whether token is a valid device token of user id,
// and the nonce that names that device.
func (s *Service) knownDevice(token, userID string, now time.Time) (string, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 {
		return "", false
	}
	key, err := s.keys.Derive(parts[0], keys.PurposeDevice)
	if err != nil {
		return "", false
	}
	body := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(deviceMAC(key, userID, body))) {
		return "", false
	}
	exp, err := strconv.ParseInt(parts[1], 36, 64)
	if err != nil || now.Unix() >= exp {
		return "", false
	}
	return parts[2], true
}

func deviceMAC(key []byte, userID, body string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(userID + "|" + body))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
