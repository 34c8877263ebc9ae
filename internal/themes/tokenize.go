package themes

import (
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/swedish"
	"golang.org/x/text/unicode/norm"
)

// Token is one word of a comment: its stem, which themes are built
// from, and the word as written (lower-cased), which labels show.
type Token struct {
	Stem, Surface string
}

// stemmers are the Snowball stemmers by locale. Chinese has none: its
// text is cut into character bigrams instead (see hanBigrams).
func stemmerOf(locale string) func(*snowballstem.Env) bool {
	switch locale {
	case "en":
		return english.Stem
	case "fi":
		return finnish.Stem
	case "sv":
		return swedish.Stem
	case "de":
		return german.Stem
	case "fr":
		return french.Stem
	case "es":
		return spanish.Stem
	case "it":
		return italian.Stem
	case "zh":
		// Latin words in Chinese text are most often English.
		return english.Stem
	}
	return nil
}

// language is what the analyzer knows of one locale, prepared once.
type language struct {
	stem      func(*snowballstem.Env) bool // nil: words are kept as they are
	stop      map[string]bool              // surface words dropped
	negators  map[string]bool              // surface words that turn the next sentiment word around
	positive  map[string]bool              // stems
	negative  map[string]bool              // stems
	elision   bool                         // an apostrophe ends a word (l'ascenseur), rather than joining it (don't)
	han       bool                         // Han text is cut into bigrams
	hanStop   map[rune]bool                // Han characters that only join, cut out before bigrams
	hanLex    []hanWord                    // sentiment words, matched in the text
	hanNegate map[rune]bool
}

type hanWord struct {
	word  string
	score int
}

// Analyzer tokenises, stems and scores comments in every supported
// locale. It is safe for concurrent use; build one and keep it.
type Analyzer struct {
	langs map[string]*language
	plain *language // for locales it does not know: lower-cased words only
}

// NewAnalyzer prepares the stop words and sentiment lexicons of every
// locale, the lexicons stemmed as comments are.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{langs: make(map[string]*language), plain: &language{stop: map[string]bool{}, negators: map[string]bool{}, positive: map[string]bool{}, negative: map[string]bool{}}}
	for _, loc := range Locales() {
		l := &language{
			stem: stemmerOf(loc), stop: set(stopWords[loc]), negators: set(negators[loc]),
			elision: loc == "fr" || loc == "it", han: loc == "zh",
		}
		if l.han {
			l.stop = set(stopWords["en"]) // for the Latin words among the Han text
			l.hanStop = runeSet(hanStopChars)
			l.hanNegate = runeSet(hanNegators)
			for _, w := range lexicon["zh"].positive {
				l.hanLex = append(l.hanLex, hanWord{w, 1})
			}
			for _, w := range lexicon["zh"].negative {
				l.hanLex = append(l.hanLex, hanWord{w, -1})
			}
			// Longest first, so that 不满意 is read as one word.
			slices.SortStableFunc(l.hanLex, func(a, b hanWord) int { return len([]rune(b.word)) - len([]rune(a.word)) })
		} else {
			l.positive, l.negative = a.stemAll(l, lexicon[loc].positive), a.stemAll(l, lexicon[loc].negative)
		}
		a.langs[loc] = l
	}
	return a
}

// Locales are the locales with stop words, stemming and a lexicon.
func Locales() []string { return []string{"en", "fi", "sv", "de", "fr", "es", "it", "zh"} }

func (a *Analyzer) lang(locale string) *language {
	if l, ok := a.langs[locale]; ok {
		return l
	}
	return a.plain
}

func set(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range s {
		m[r] = true
	}
	return m
}

func (a *Analyzer) stemAll(l *language, words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	env := snowballstem.NewEnv("")
	for _, w := range words {
		m[stemWith(l, env, w)] = true
	}
	return m
}

func stemWith(l *language, env *snowballstem.Env, w string) string {
	if l.stem == nil {
		return w
	}
	env.SetCurrent(w)
	l.stem(env)
	return env.Current()
}

// Tokens returns the comment's words that themes are built from:
// lower-cased, cut at anything that is not a letter, a digit or a mark,
// without stop words, numbers, one-letter words and the placeholders of
// redaction ([name], [email], [phone]), each with its stem.
//
// Chinese (zh) has no Snowball stemmer and no spaces between words: each
// run of Han characters, cut at characters that only join (的, 了, …), is
// taken as its overlapping character bigrams (a run of one as itself),
// and the Latin words among it are stemmed as English.
func (a *Analyzer) Tokens(locale, text string) []Token {
	l := a.lang(locale)
	env := snowballstem.NewEnv("")
	var out []Token
	for _, w := range words(l, text) {
		if w.han {
			out = append(out, hanBigrams(l, w.text)...)
			continue
		}
		if l.stop[w.text] || !wordWorthKeeping(w.text) {
			continue
		}
		out = append(out, Token{Stem: stemWith(l, env, w.text), Surface: w.text})
	}
	return out
}

// wordWorthKeeping drops one-letter words and numbers.
func wordWorthKeeping(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters > 0 && len([]rune(w)) > 1
}

// word is a run of a text: a word, or a run of Han characters.
type word struct {
	text string
	han  bool
}

// words splits a text into lower-cased words, and, for Chinese, runs of
// Han characters.
func words(l *language, text string) []word {
	text = stripPlaceholders(norm.NFC.String(strings.ToLower(text)))
	var out []word
	var cur strings.Builder
	curHan := false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, word{cur.String(), curHan})
			cur.Reset()
		}
	}
	runes := []rune(text)
	for i, r := range runes {
		isHan := l.han && unicode.Is(unicode.Han, r)
		switch {
		case isHan:
			if !curHan {
				flush()
			}
			curHan = true
			cur.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if curHan {
				flush()
			}
			curHan = false
			cur.WriteRune(r)
		case (r == '\'' || r == '’') && !l.elision && !curHan && cur.Len() > 0 && i+1 < len(runes) && unicode.IsLetter(runes[i+1]):
			// don't, isn't: one word, written without its apostrophe.
		default:
			flush()
			curHan = false
		}
	}
	flush()
	return out
}

// stripPlaceholders removes what redaction put in place of names, emails
// and phone numbers: they say nothing about a topic.
func stripPlaceholders(text string) string {
	for _, p := range []string{"[name]", "[email]", "[phone]"} {
		text = strings.ReplaceAll(text, p, " ")
	}
	return text
}

// hanBigrams cuts a run of Han characters at the joining characters and
// returns each piece's overlapping bigrams (a piece of one character as
// itself).
func hanBigrams(l *language, run string) []Token {
	var out []Token
	var piece []rune
	emit := func() {
		switch len(piece) {
		case 0:
		case 1:
			out = append(out, Token{Stem: string(piece), Surface: string(piece)})
		default:
			for i := 0; i+1 < len(piece); i++ {
				bg := string(piece[i : i+2])
				out = append(out, Token{Stem: bg, Surface: bg})
			}
		}
		piece = piece[:0]
	}
	for _, r := range run {
		if l.hanStop[r] {
			emit()
			continue
		}
		piece = append(piece, r)
	}
	emit()
	return out
}

// Score is a comment's sentiment from the locale's lexicon: positive words
// count +1, negative ones -1, and a word within three words after a
// negation ("not good", "nicht zufrieden", "ei toimi") counts the other
// way. The score is (positive - negative) / (positive + negative): from -1
// to 1, and 0 for a comment with no sentiment word.
func (a *Analyzer) Score(locale, text string) float64 {
	l := a.lang(locale)
	pos, neg := 0, 0
	add := func(s int) {
		if s > 0 {
			pos++
		} else if s < 0 {
			neg++
		}
	}
	env := snowballstem.NewEnv("")
	sinceNegation := -1 // words since the last negation; -1: none near
	for _, w := range words(l, text) {
		if w.han {
			for _, s := range hanScores(l, w.text) {
				add(s)
			}
			continue
		}
		if l.negators[w.text] {
			sinceNegation = 0
			continue
		}
		st := stemWith(l, env, w.text)
		s := 0
		switch {
		case l.positive[st]:
			s = 1
		case l.negative[st]:
			s = -1
		}
		if s != 0 && sinceNegation >= 0 && sinceNegation < negationReach {
			s = -s
			sinceNegation = -1
		}
		add(s)
		if sinceNegation >= 0 {
			sinceNegation++
		}
	}
	if pos+neg == 0 {
		return 0
	}
	return float64(pos-neg) / float64(pos+neg)
}

// negationReach is how many words after a negation a sentiment word is
// turned around.
const negationReach = 3

// hanScores finds the lexicon's words in a run of Han characters, longest
// first and without overlaps; one right after a negating character (不,
// 没) counts the other way.
func hanScores(l *language, run string) []int {
	runes := []rune(run)
	var out []int
	for i := 0; i < len(runes); {
		matched := false
		for _, w := range l.hanLex {
			wr := []rune(w.word)
			if i+len(wr) <= len(runes) && string(runes[i:i+len(wr)]) == w.word {
				s := w.score
				if i > 0 && l.hanNegate[runes[i-1]] {
					s = -s
				}
				out = append(out, s)
				i += len(wr)
				matched = true
				break
			}
		}
		if !matched {
			i++
		}
	}
	return out
}
