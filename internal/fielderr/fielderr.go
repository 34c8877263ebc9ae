// Package fielderr formats field-level validation messages the same way in
// every service, so logs and errors read alike.
package fielderr

import (
	"slices"
	"strings"
)

// Format returns "<pkg>: invalid input: a: msg; b: msg", fields sorted.
func Format(pkg string, fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fields[k]
	}
	return pkg + ": invalid input: " + strings.Join(parts, "; ")
}
