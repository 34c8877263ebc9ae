package themes

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func stems(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Stem
	}
	return out
}

func surfaces(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Surface
	}
	return out
}

func TestTokens(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	tests := []struct {
		locale, text string
		stems        []string
		surfaces     []string // nil: not checked
	}{
		{"en", "The deliveries were LATE again; delivery didn't come!", []string{"deliveri", "late", "deliveri", "come"}, []string{"deliveries", "late", "delivery", "come"}},
		{"en", "Call [name] at [phone] or write to [email].", []string{"call", "write"}, nil},
		{"en", "Hall 12, floor 3: 24/7 support", []string{"hall", "floor", "support"}, nil},
		{"fi", "Toimitukset myöhästyivät taas, eikä tuki vastannut.", []string{"toimituks", "myöhästyiv", "tuki", "vastanu"}, nil},
		{"sv", "Leveranserna var försenade och supporten svarade inte.", []string{"leverans", "försen", "support", "svar"}, nil},
		{"de", "Die Lieferungen kamen zu spät, der Kundendienst antwortete nicht.", []string{"liefer", "kam", "spat", "kundendien", "antwortet"}, nil},
		{"fr", "Les livraisons arrivent en retard, l'assistance ne répond pas.", []string{"livraison", "arrivent", "retard", "assist", "répond"}, nil},
		{"es", "Las entregas llegan tarde y el soporte no responde.", []string{"entreg", "lleg", "tard", "soport", "respond"}, nil},
		{"it", "Le consegne arrivano in ritardo, l'assistenza non risponde.", []string{"consegn", "arriv", "ritard", "assistent", "rispond"}, nil},
		// Han text: bigrams of the runs between joining characters; Latin
		// words stemmed as English.
		{"zh", "送货太慢了，客服的态度。Delivery late", []string{"送货", "货太", "太慢", "客服", "态度", "deliveri", "late"}, nil},
		{"zh", "好", []string{"好"}, nil},
		// A locale without a stemmer: lower-cased words as they are.
		{"xx", "Hello Worlds", []string{"hello", "worlds"}, nil},
		// Composed and decomposed accents read the same.
		{"fr", "Très déçu", []string{"déçu"}, nil},
		{"fr", "Tre\u0300s de\u0301c\u0327u", []string{"déçu"}, nil},
	}
	for _, tt := range tests {
		toks := a.Tokens(tt.locale, tt.text)
		if got := stems(toks); !slices.Equal(got, tt.stems) {
			t.Errorf("Tokens(%s, %q) stems = %q, want %q", tt.locale, tt.text, got, tt.stems)
		}
		if tt.surfaces != nil && !slices.Equal(surfaces(toks), tt.surfaces) {
			t.Errorf("Tokens(%s, %q) words = %q, want %q", tt.locale, tt.text, surfaces(toks), tt.surfaces)
		}
	}
}

func TestScoreWithNegation(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	tests := []struct {
		locale, text string
		want         float64
	}{
		{"en", "Good service, friendly technicians.", 1},
		{"en", "The service is not good.", -1},
		{"en", "Not bad at all.", 1},
		{"en", "Never late, always friendly.", 1},
		{"en", "Slow office but friendly technicians.", 0},
		{"en", "We ordered spare parts.", 0},
		{"fi", "Palvelu ei ole hyvä.", -1},
		{"fi", "Erinomainen ja nopea palvelu.", 1},
		{"sv", "Leveransen var inte bra.", -1},
		{"sv", "Snabb och trevlig service.", 1},
		{"de", "Der Service ist nicht gut.", -1},
		{"de", "Die Lieferung war zu spät.", -1},
		{"fr", "Le service n'est pas bon.", -1},
		{"fr", "Technicien aimable et rapide.", 1},
		{"es", "El servicio no es bueno.", -1},
		{"es", "Muy amable y rápido.", 1},
		{"it", "Il servizio non è buono.", -1},
		{"zh", "服务很满意。", 1},
		{"zh", "服务不满意。", -1},
		{"zh", "服务不错。", 1},
	}
	for _, tt := range tests {
		if got := a.Score(tt.locale, tt.text); got != tt.want {
			t.Errorf("Score(%s, %q) = %v, want %v", tt.locale, tt.text, got, tt.want)
		}
	}
	for score, want := range map[float64]Tone{1: Positive, 0.2: Positive, 0.1: Mixed, 0: Mixed, -0.19: Mixed, -0.5: Negative} {
		if got := ToneOf(score); got != want {
			t.Errorf("ToneOf(%v) = %s, want %s", score, got, want)
		}
	}
}

// corpus makes comments about topics, each from a few phrasings with
// varying words, in an order mixed by seed; topic[i] is comment i's.
func corpus(seed uint64, perTopic int, topics map[string][]string) (texts []string, topic []string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	fillers := []string{"", "Honestly, ", "Well, ", "So, ", "Also, "}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range topics {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		for i := range perTopic {
			phrase := topics[name][i%len(topics[name])]
			texts = append(texts, fillers[rng.IntN(len(fillers))]+phrase)
			topic = append(topic, name)
		}
	}
	perm := rng.Perm(len(texts))
	outT, outP := make([]string, len(texts)), make([]string, len(texts))
	for i, j := range perm {
		outT[i], outP[i] = texts[j], topic[j]
	}
	return outT, outP
}

var threeTopics = map[string][]string{
	"delivery": {
		"The delivery of spare parts was late again.",
		"Deliveries are always late, we waited two weeks.",
		"Late delivery of the new parts delayed our project.",
		"Your delivery times are too long and the parts come late.",
		"The parts delivery was late and incomplete.",
	},
	"price": {
		"The price of the maintenance contract is far too high.",
		"Prices went up again, the contract is expensive.",
		"Too expensive: the contract price keeps rising.",
		"We pay a high price for the maintenance contract.",
		"Contract prices are expensive compared to others.",
	},
	"support": {
		"Support on the phone was friendly and helpful.",
		"The phone support answered quickly and was helpful.",
		"Helpful support staff, they call back the same day.",
		"Friendly phone support, very helpful people.",
		"Your support team on the phone is helpful and quick.",
	},
}

func TestFindClustersThreeTopicsIntoThreeThemes(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		texts, topic := corpus(seed, 15, threeTopics)
		got := a.Find("en", texts, Options{MinSize: 5})
		if len(got) != 3 {
			t.Fatalf("seed %d: %d themes, want 3: %+v", seed, len(got), got)
		}
		seen := map[string]bool{}
		for _, th := range got {
			counts := map[string]int{}
			for _, m := range th.Members {
				counts[topic[m]]++
			}
			best, bestN := "", 0
			for k, n := range counts {
				if n > bestN {
					best, bestN = k, n
				}
			}
			// Purity: nearly all of a theme's comments are of one topic.
			if bestN*10 < len(th.Members)*9 || len(th.Members) < 13 {
				t.Errorf("seed %d: theme %v holds %v", seed, th.Terms, counts)
			}
			seen[best] = true
			if len(th.Terms) < 2 || len(th.Terms) > MaxTerms {
				t.Errorf("seed %d: theme labelled %v, want 2 or 3 words", seed, th.Terms)
			}
		}
		if len(seen) != 3 {
			t.Errorf("seed %d: themes cover %v, want each topic once", seed, seen)
		}
	}
	// The labels show words as written, not stems.
	texts, _ := corpus(1, 15, threeTopics)
	var labels []string
	for _, th := range a.Find("en", texts, Options{MinSize: 5}) {
		labels = append(labels, strings.Join(th.Terms, ", "))
	}
	joined := strings.Join(labels, " | ")
	for _, want := range []string{"delivery", "price", "support"} {
		if !strings.Contains(joined, want) {
			t.Errorf("labels %q lack %q", joined, want)
		}
	}
	if strings.Contains(joined, "deliveri") {
		t.Errorf("labels %q show a stem", joined)
	}
}

func TestFindIsDeterministic(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	texts, _ := corpus(9, 20, threeTopics)
	first := a.Find("en", texts, Options{MinSize: 5})
	for range 5 {
		if again := NewAnalyzer().Find("en", texts, Options{MinSize: 5}); !reflect.DeepEqual(first, again) {
			t.Fatalf("the same comments gave other themes:\n%+v\n%+v", first, again)
		}
	}
}

func TestFindSentimentPerTheme(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	texts, _ := corpus(2, 15, threeTopics)
	for _, th := range a.Find("en", texts, Options{MinSize: 5}) {
		want := Negative
		if slices.Contains(th.Terms, "support") || slices.Contains(th.Terms, "helpful") {
			want = Positive
		}
		if got := ToneOf(th.Score); got != want {
			t.Errorf("theme %v: %s (%.2f), want %s", th.Terms, got, th.Score, want)
		}
	}
}

func TestFindNeedsEnoughCommentsAndPeoplePerWord(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	// Too few for a theme of five.
	texts, _ := corpus(1, 3, threeTopics)
	if got := a.Find("en", texts, Options{MinSize: 10}); len(got) != 0 {
		t.Errorf("9 comments gave themes of at least 10: %+v", got)
	}
	if got := a.Find("en", nil, Options{MinSize: 2}); len(got) != 0 {
		t.Errorf("no comments gave themes: %+v", got)
	}
	// A word only two people wrote never labels a theme, however telling.
	var many []string
	for i := range 12 {
		text := "The elevator door is broken and the elevator door stays broken."
		if i < 2 {
			text += " Zyxwarble!"
		}
		many = append(many, text)
	}
	for _, th := range a.Find("en", many, Options{MinSize: 5}) {
		if slices.Contains(th.Terms, "zyxwarble") {
			t.Errorf("theme %v shows a word two people wrote", th.Terms)
		}
		for _, term := range th.Terms {
			n := 0
			for _, text := range many {
				if strings.Contains(strings.ToLower(text), term) {
					n++
				}
			}
			if n < DefaultMinTermPeople {
				t.Errorf("theme %v: %q written by %d", th.Terms, term, n)
			}
		}
	}
}

func TestFindInEveryLocale(t *testing.T) {
	t.Parallel()
	a := NewAnalyzer()
	topics := map[string]map[string][]string{
		"de": {
			"lieferung": {"Die Lieferung der Ersatzteile kam zu spät.", "Lieferungen kommen immer zu spät.", "Die Lieferung war wieder verspätet."},
			"preis":     {"Der Preis des Wartungsvertrags ist zu hoch.", "Die Preise sind wieder gestiegen, der Vertrag ist teuer.", "Der Vertrag ist viel zu teuer."},
		},
		"fi": {
			"toimitus": {"Varaosien toimitus myöhästyi taas.", "Toimitukset ovat aina myöhässä.", "Toimitus tuli myöhässä."},
			"hinta":    {"Huoltosopimuksen hinta on liian korkea.", "Hinnat nousivat taas, sopimus on kallis.", "Sopimuksen hinta on kallis."},
		},
		"zh": {
			"送货": {"送货太慢，零件迟到。", "送货总是太慢。", "零件送货延迟。"},
			"价格": {"价格太贵，合同太贵。", "合同价格又涨了。", "维护合同价格太高。"},
		},
	}
	for locale, tp := range topics {
		texts, topic := corpus(3, 12, tp)
		got := a.Find(locale, texts, Options{MinSize: 5})
		if len(got) != 2 {
			t.Errorf("%s: %d themes, want 2: %+v", locale, len(got), got)
			continue
		}
		for _, th := range got {
			counts := map[string]int{}
			for _, m := range th.Members {
				counts[topic[m]]++
			}
			if len(counts) != 1 {
				t.Errorf("%s: theme %v mixes %v", locale, th.Terms, counts)
			}
		}
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"", "The deliveries were late.", "l'ascenseur n'est pas réparé", "送货太慢了，Delivery", "[name] [email]", "don't", "'''", "\xff\xfe", "a\u0301"} {
		f.Add("en", s)
		f.Add("fr", s)
		f.Add("zh", s)
	}
	a := NewAnalyzer()
	f.Fuzz(func(t *testing.T, locale, text string) {
		toks := a.Tokens(locale, text)
		for _, tok := range toks {
			if tok.Stem == "" || tok.Surface == "" || !utf8.ValidString(tok.Surface) {
				t.Fatalf("Tokens(%q, %q) gave %+v", locale, text, tok)
			}
			if strings.ContainsFunc(tok.Surface, func(r rune) bool { return r == ' ' || r == ',' || r == '.' || r == '[' }) {
				t.Fatalf("Tokens(%q, %q): word %q holds punctuation", locale, text, tok.Surface)
			}
		}
		if s := a.Score(locale, text); s < -1 || s > 1 {
			t.Fatalf("Score(%q, %q) = %v", locale, text, s)
		}
		if again := a.Tokens(locale, text); !reflect.DeepEqual(toks, again) {
			t.Fatalf("Tokens(%q, %q) is not deterministic", locale, text)
		}
	})
}

// BenchmarkThemes2000 finds the themes of 2,000 comments on five topics.
func BenchmarkThemes2000(b *testing.B) {
	topics := map[string][]string{}
	for k, v := range threeTopics {
		topics[k] = v
	}
	topics["onboarding"] = []string{"Onboarding of new staff to the portal took weeks.", "The onboarding training was confusing.", "Better onboarding for the portal please."}
	topics["quality"] = []string{"The quality of the repair work is excellent.", "Repair quality has dropped this year.", "Good quality repairs, doors work fine now."}
	texts, _ := corpus(1, 400, topics)
	a := NewAnalyzer()
	b.ResetTimer()
	for b.Loop() {
		if got := a.Find("en", texts, Options{MinSize: 10}); len(got) < 3 {
			b.Fatalf("%d themes", len(got))
		}
	}
}
