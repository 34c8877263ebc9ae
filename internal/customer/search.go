package customer

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxSearch bounds a search, in characters: longer than any name (200) or
// email (254) it could match.
const MaxSearch = 256

// CheckSearch validates what someone typed into a search box before it
// reaches the database: valid UTF-8, no NUL or other control characters
// (a NUL cannot even be put in a BSON regex, and FerretDB's SQLite backend
// chokes on them), at most MaxSearch characters. The error is a
// fault.Invalid error keyed "search".
func CheckSearch(s string) error {
	msg := ""
	switch {
	case !utf8.ValidString(s):
		msg = "must be valid UTF-8 text"
	case utf8.RuneCountInString(s) > MaxSearch:
		msg = fmt.Sprintf("must be at most %d characters", MaxSearch)
	default:
		for _, r := range s {
			if unicode.IsControl(r) {
				msg = "must not contain control characters such as NUL, tabs or line breaks"
				break
			}
		}
	}
	if msg == "" {
		return nil
	}
	return invalid(map[string]string{"search": msg})
}
