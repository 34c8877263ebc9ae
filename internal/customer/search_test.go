package customer_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
)

func TestCheckSearch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		search string
		ok     bool
	}{
		{"", true},
		{"kone", true},
		{"name@example.com", true},
		{"Käisä 中文 ünïcode", true},
		{`.*(a+)+$ [\`, true},
		{strings.Repeat("ä", customer.MaxSearch), true},
		{strings.Repeat("ä", customer.MaxSearch+1), false},
		{"\x00", false},
		{"a\x00b", false},
		{"a\tb", false},
		{"a\u0085b", false}, // a C1 control character
		{"\xff", false},
		{strings.Repeat("k", 10<<10), false},
	}
	for _, tt := range tests {
		err := customer.CheckSearch(tt.search)
		if (err == nil) != tt.ok {
			t.Errorf("CheckSearch(%q) = %v, want ok %v", tt.search, err, tt.ok)
		}
		var ve *fault.Error
		if err != nil && (!errors.As(err, &ve) || ve.Fields()["search"] == "") {
			t.Errorf("CheckSearch(%q) = %v, want a message for search", tt.search, err)
		}
	}
}

// FuzzCheckSearch: whatever passes is text the store can put in a query.
func FuzzCheckSearch(f *testing.F) {
	for _, s := range []string{"", "kone", "a\x00b", "\xff", "name@example.com", `(a+)+$`, "\u0085", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := customer.CheckSearch(s)
		if err != nil {
			var ve *fault.Error
			if !errors.As(err, &ve) || ve.Fields()["search"] == "" {
				t.Fatalf("CheckSearch(%q) = %v, want a message for search", s, err)
			}
			return
		}
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > customer.MaxSearch || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			t.Fatalf("CheckSearch accepted %q", s)
		}
		pattern := regexp.QuoteMeta(store.FoldName(s))
		if _, err := regexp.Compile(pattern); err != nil {
			t.Fatalf("accepted %q makes a pattern that does not compile: %v", s, err)
		}
		if _, err := bson.Marshal(bson.D{{Key: "nameKey", Value: bson.Regex{Pattern: pattern}}}); err != nil {
			t.Fatalf("accepted %q cannot be sent to the database: %v", s, err)
		}
	})
}
