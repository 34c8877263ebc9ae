// Package keystest helps tests of what the key ring signs.
package keystest

// Tamper returns token with one character of its signature changed: one
// that carries only signature bits, since the last character of an
// unpadded base64 signature also holds padding bits, and changing it
// alone can leave the decoded signature as it was.
func Tamper(token string) string {
	b := []byte(token)
	if len(b) < 5 {
		return token + "x"
	}
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
