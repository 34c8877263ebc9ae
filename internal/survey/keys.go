package survey

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxKeyLength bounds question and option keys (see validKey).
const MaxKeyLength = 40

// letterSpellings are the letters that do not decompose into an ASCII
// letter and a mark, spelt the way their languages transliterate them.
var letterSpellings = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// Slug turns a prompt or label into a key: lower-case ASCII words (accents
// dropped, "ß" as "ss"), joined by "_", cut on a word boundary to at most
// MaxKeyLength characters. A slug starting with a digit gets "q_" in front,
// since a key starts with a letter. It returns "" when s has no letter a–z
// to make a key of (an emoji, or a script without a transliteration here);
// callers then fall back to a numbered key.
func Slug(s string) string {
	var words []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			words = append(words, word.String())
			word.Reset()
		}
	}
	letters := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z':
			letters = true
			word.WriteRune(r)
		case r >= '0' && r <= '9':
			word.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// a combining accent of the letter before: dropped
		case letterSpellings[r] != "":
			letters = true
			word.WriteString(letterSpellings[r])
		case r == '\'' || r == '’':
			// "customer's" is one word
		default:
			flush()
		}
	}
	flush()
	if !letters {
		return ""
	}
	key := strings.Join(words, "_")
	if key[0] >= '0' && key[0] <= '9' {
		key = "q_" + key
	}
	return cutKey(key, MaxKeyLength)
}

// cutKey shortens key to at most n bytes, at the last "_" that fits when
// there is one, so that no word is cut in half.
func cutKey(key string, n int) string {
	if len(key) <= n {
		return key
	}
	cut := key[:n]
	if key[n] != '_' {
		if i := strings.LastIndexByte(cut, '_'); i > 0 {
			cut = cut[:i]
		}
	}
	return strings.TrimRight(cut, "_")
}

// uniqueKey returns base, or base with the first free suffix "_2", "_3"…,
// shortened to fit MaxKeyLength.
func uniqueKey(base string, taken map[string]bool) string {
	if !taken[base] {
		return base
	}
	for n := 2; ; n++ {
		suffix := "_" + strconv.Itoa(n)
		if k := cutKey(base, MaxKeyLength-len(suffix)) + suffix; !taken[k] {
			return k
		}
	}
}

// fillKeys gives every question and option without a key one made from
// its wording in the default locale ("q3", "o2" for wording without
// letters), unique within the survey (options: within their question).
// Keys already set are never changed: answers and reports are filed under
// them.
func (s *Survey) fillKeys() {
	taken := make(map[string]bool, len(s.Questions))
	for _, q := range s.Questions {
		taken[q.Key] = true
	}
	for i := range s.Questions {
		q := &s.Questions[i]
		if q.Key == "" {
			q.Key = newKey(q.Prompt[s.DefaultLocale], "q", i, taken)
		}
		optionKeys := make(map[string]bool, len(q.Options))
		for _, o := range q.Options {
			optionKeys[o.Key] = true
		}
		for j := range q.Options {
			if o := &q.Options[j]; o.Key == "" {
				o.Key = newKey(o.Label[s.DefaultLocale], "o", j, optionKeys)
			}
		}
	}
}

func newKey(wording, fallback string, index int, taken map[string]bool) string {
	base := Slug(wording)
	if base == "" {
		base = fallback + strconv.Itoa(index+1)
	}
	key := uniqueKey(base, taken)
	taken[key] = true
	return key
}
