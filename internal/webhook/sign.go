package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Headers of a generic delivery.
const (
	HeaderID        = "Candor-Webhook-Id"
	HeaderTimestamp = "Candor-Webhook-Timestamp"
	HeaderSignature = "Candor-Webhook-Signature"
	HeaderEvent     = "Candor-Webhook-Event"
)

// Sign returns the hex HMAC-SHA256, keyed with secret, of the timestamp
// (unix seconds), a dot and the body.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// SignatureHeader is the signature header's value: "v1=<hex>" for each
// secret, space separated (two while a rotation is under way).
func SignatureHeader(secrets []string, timestamp int64, body []byte) string {
	parts := make([]string, len(secrets))
	for i, s := range secrets {
		parts[i] = "v1=" + Sign(s, timestamp, body)
	}
	return strings.Join(parts, " ")
}

// Verify reports whether header carries a v1 signature of timestamp and
// body made with secret, comparing in constant time: what a receiver does.
func Verify(header, secret string, timestamp int64, body []byte) bool {
	want := []byte(Sign(secret, timestamp, body))
	ok := false
	for _, part := range strings.Fields(header) {
		sig, found := strings.CutPrefix(part, "v1=")
		if found && hmac.Equal([]byte(sig), want) {
			ok = true
		}
	}
	return ok
}
