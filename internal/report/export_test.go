package report

import "strings"

// withoutGen is a rollup _id without its generation, so that documents
// counted incrementally compare with rebuilt ones.
func withoutGen(id string) string {
	parts := strings.SplitN(id, "|", 3)
	if len(parts) == 3 && strings.HasPrefix(parts[1], "g") {
		return parts[0] + "|" + parts[2]
	}
	return id
}

// WithoutGen is withoutGen.
func WithoutGen(id string) string { return withoutGen(id) }
