package quotes_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/themes"
)

// topics are comments on three topics in English and Finnish.
var topics = map[string]map[string][]string{
	"en": {
		"delivery": {"The delivery of spare parts was late again.", "Deliveries are always late, we waited two weeks for parts.",
			"Late delivery of the new parts delayed our project.", "Your delivery times are too long and the parts come late."},
		"price": {"The price of the maintenance contract is far too high.", "Prices went up again, the contract is expensive.",
			"Too expensive: the contract price keeps rising.", "We pay a high price for the maintenance contract."},
		"support": {"Support on the phone was friendly and helpful.", "The phone support answered quickly and was helpful.",
			"Helpful support staff on the phone, they call back the same day.", "Friendly phone support, very helpful people."},
	},
	"fi": {
		"toimitus": {"Varaosien toimitus myöhästyi jälleen.", "Toimitus on aina myöhässä.", "Toimitus tuli myöhässä ja varaosat puuttuivat."},
		"hinta":    {"Huoltosopimuksen hinta on liian korkea.", "Hinnat nousivat, sopimus on kallis.", "Sopimuksen hinta on kallis."},
	},
}

// regions are where the seeded commenters' companies are: mostly EMEA,
// some in two smaller regions, so that filters leave groups of every size.
var seedSegments = []report.Segment{
	{Region: "EMEA", Country: "FI", Industry: "Retail", Tier: "Gold", ManagerID: "m1"},
	{Region: "EMEA", Country: "FI", Industry: "Healthcare", Tier: "Gold", ManagerID: "m1"},
	{Region: "EMEA", Country: "DE", Industry: "Retail", Tier: "Silver", ManagerID: "m2"},
	{Region: "EMEA", Country: "SE", Industry: "Retail", Tier: "Gold", ManagerID: "m1"},
	{Region: "APAC", Country: "SG", Industry: "Retail", Tier: "Bronze", ManagerID: "m3"},
	{Region: "Americas", Country: "US", Industry: "Healthcare", Tier: "Gold", ManagerID: "m2"},
}

// seedTopics adds perTopic comments per topic and locale, from segments
// picked by seed (the first three segments twice as often).
func seedTopics(t *testing.T, e *env, sv survey.Survey, seed uint64, perTopic int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	for _, loc := range []string{"en", "fi"} {
		for _, name := range slices.Sorted(mapKeys(topics[loc])) {
			phrases := topics[loc][name]
			for i := range perTopic {
				seg := seedSegments[rng.IntN(len(seedSegments)+3)%len(seedSegments)]
				sub := quotes.Submission{Survey: sv, Segment: seg, Locale: loc,
					Answers: survey.Answers{{Key: "comment", Text: phrases[i%len(phrases)]}}}
				if err := e.quotes.Add(context.Background(), sub); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestThemesAreComputedInTheBackgroundOncePerMark(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sv := e.w.OpenSurvey(t, nil)
	seedTopics(t, e, sv, 1, 14)

	// Nothing is computed on the request path: before the job runs there
	// are no themes, and the page says so.
	got, err := e.quotes.Themes(ctx, sv, quotes.Query{Question: "comment"})
	if err != nil || got.Computed || len(got.Items) != 0 {
		t.Fatalf("Themes before the job = %+v, %v; want none computed", got, err)
	}
	marks, err := e.w.Store.QuoteThemes.Marks(ctx)
	if err != nil || len(marks) != 1 || marks[0].N != 5*14 {
		t.Fatalf("marks = %+v, %v; want one question marked by 70 quotes", marks, err)
	}

	// Another process holds the lease: this one does nothing.
	now := time.Now()
	if ok, err := e.w.Store.QuoteThemes.ClaimThemes(ctx, "another process", now, now.Add(time.Minute)); !ok || err != nil {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	if n, ran, err := e.quotes.ComputeMarked(ctx, e.w.Store.Surveys); ran || n != 0 || err != nil {
		t.Fatalf("ComputeMarked under another's lease = %d, %v, %v; want not run", n, ran, err)
	}
	if err := e.w.Store.QuoteThemes.ReleaseThemes(ctx, "another process"); err != nil {
		t.Fatal(err)
	}
	if n, ran, err := e.quotes.ComputeMarked(ctx, e.w.Store.Surveys); !ran || n != 1 || err != nil {
		t.Fatalf("ComputeMarked = %d, %v, %v; want one question computed", n, ran, err)
	}
	if marks, err := e.w.Store.QuoteThemes.Marks(ctx); err != nil || len(marks) != 0 {
		t.Fatalf("marks after the run = %+v, %v; want none", marks, err)
	}
	if n, ran, err := e.quotes.ComputeMarked(ctx, e.w.Store.Surveys); !ran || n != 0 || err != nil {
		t.Fatalf("second ComputeMarked = %d, %v, %v; want nothing to do", n, ran, err)
	}

	got, err = e.quotes.Themes(ctx, sv, quotes.Query{Question: "comment"})
	if err != nil || !got.Computed {
		t.Fatalf("Themes = %+v, %v", got, err)
	}
	byLocale := map[string][]string{}
	for _, th := range got.Items {
		if th.People < got.Threshold {
			t.Errorf("theme %v shows %d people, below %d", th.Terms, th.People, got.Threshold)
		}
		byLocale[th.Locale] = append(byLocale[th.Locale], th.Label())
	}
	if len(byLocale["en"]) != 3 || len(byLocale["fi"]) != 2 {
		t.Fatalf("themes by locale = %v; want the 3 English topics and the 2 Finnish", byLocale)
	}
	labels := strings.Join(slices.Concat(byLocale["en"], byLocale["fi"]), " | ")
	for _, want := range []string{"delivery", "price", "support", "hinta"} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels %q lack %q", labels, want)
		}
	}
	for _, th := range got.Items {
		wantTone := themes.Negative
		if strings.Contains(th.Label(), "support") {
			wantTone = themes.Positive
		}
		if th.Tone != wantTone {
			t.Errorf("theme %q: %s, want %s", th.Label(), th.Tone, wantTone)
		}
	}

	// A theme's comments are its own, and as many as it counts.
	for _, th := range got.Items {
		c, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment", Theme: th.ID})
		if err != nil || c.Suppressed || c.Total != th.People || len(c.Texts) != th.People {
			t.Fatalf("comments of theme %q = %+v, %v; want its %d", th.Label(), c, err, th.People)
		}
		for _, text := range c.Texts {
			if th.Locale == "en" && strings.Contains(th.Label(), "support") && !strings.Contains(strings.ToLower(text), "support") {
				t.Errorf("theme %q shows %q", th.Label(), text)
			}
		}
	}
	if _, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment", Theme: "en-nope"}); !isInvalid(err, "theme") {
		t.Errorf("comments of an unknown theme: %v, want a validation error", err)
	}

	// A new comment marks the question again.
	seedTopics(t, e, sv, 2, 1)
	if marks, err := e.w.Store.QuoteThemes.Marks(ctx); err != nil || len(marks) != 1 {
		t.Fatalf("marks after a new comment = %+v, %v", marks, err)
	}
}

func TestAnsweredCommentsKeepTheirLocale(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sv := e.w.OpenSurvey(t, nil)
	for i, loc := range []string{"fi", "en", "sv"} { // sv: not a locale of the survey
		p := e.w.Invite(t, sv, fmt.Sprintf("Person %c", 'a'+i), fmt.Sprintf("p%d@example.com", i), loc)
		l, err := e.respond.Resolve(ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		values := respondtestAnswers("Kommentti " + loc)
		if _, err := e.respond.Submit(ctx, l, respond.Submission{Values: values, Locale: loc, ConsentVersion: l.Survey.ConsentVersion}); err != nil {
			t.Fatal(err)
		}
	}
	kept, err := e.w.Store.Quotes.Kept(ctx, sv.ID, "comment")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var numbers []int64
	for _, q := range kept {
		got = append(got, q.Locale)
		numbers = append(numbers, q.Number)
	}
	slices.Sort(got)
	slices.Sort(numbers)
	if !slices.Equal(got, []string{"en", "en", "fi"}) || !slices.Equal(numbers, []int64{1, 2, 3}) {
		t.Errorf("kept locales %v, numbers %v; want en, en (sv is not offered), fi numbered 1-3", got, numbers)
	}
}

// TestOldQuotesWithoutLocaleCountAsTheDefault stores quotes as they were
// kept before quotes had a locale.
func TestOldQuotesWithoutLocaleCountAsTheDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sv := e.w.OpenSurvey(t, nil)
	for i := range 12 {
		text := topics["en"]["price"][i%4]
		box, err := e.w.Sealer.Seal([]byte(text), "quote:"+sv.ID+"|comment")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.w.Store.Quotes.Add(ctx, store.QuoteAdd{SurveyID: sv.ID, Question: "comment",
			Quote: store.Quote{Segment: store.Segment{Region: "EMEA"}, Text: box}, Class: "sold"}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := e.quotes.ComputeThemes(ctx, sv, "comment"); err != nil || n != 1 {
		t.Fatalf("ComputeThemes = %d, %v; want one theme", n, err)
	}
	got, err := e.quotes.Themes(ctx, sv, quotes.Query{Question: "comment"})
	if err != nil || len(got.Items) != 1 || got.Items[0].Locale != sv.DefaultLocale || got.Items[0].People != 12 {
		t.Fatalf("Themes = %+v, %v; want one default-locale theme of 12", got, err)
	}
}

// TestNoThemeBelowTheThresholdUnderAnyFilter reads the themes under every
// filter the comments page accepts — none, and every value of every
// dimension present in the data — and, with each, every theme's own
// comments (the page's theme link: a filter and a theme at once). No
// count below k shows; no filtered count leaves a group below k outside
// it within the unfiltered count, nor within its filter's comments; and a
// theme's comments show exactly when its count does.
func TestNoThemeBelowTheThresholdUnderAnyFilter(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			// At a threshold of 5, filters leave groups of every size
			// around it.
			def := respondtest.Definition()
			def.AnonymityThreshold, def.CommentThreshold = 5, 5
			sv := e.w.OpenSurvey(t, &def)
			seedTopics(t, e, sv, seed, 14+int(seed)*4)
			if _, err := e.quotes.ComputeThemes(ctx, sv, "comment"); err != nil {
				t.Fatal(err)
			}
			k := quotes.Threshold(sv)
			small := func(n int) bool { return n > 0 && n < k }
			all, err := e.quotes.Themes(ctx, sv, quotes.Query{Question: "comment"})
			if err != nil || len(all.Items) == 0 {
				t.Fatalf("unfiltered themes = %+v, %v", all, err)
			}
			unfiltered := map[string]int{}
			for _, th := range all.Items {
				unfiltered[th.ID] = th.People
			}
			filters := []report.Filter{{}}
			for _, d := range report.Dimensions() {
				seen := map[string]bool{}
				for _, s := range seedSegments {
					if v := s.Value(d); !seen[v] {
						seen[v] = true
						filters = append(filters, report.Filter{Dimension: d, Value: v})
					}
				}
				filters = append(filters, report.Filter{Dimension: d, Value: "nobody has this"})
			}
			shownFiltered := 0
			for _, f := range filters {
				got, err := e.quotes.Themes(ctx, sv, quotes.Query{Question: "comment", Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				comments, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment", Filter: f})
				if err != nil {
					t.Fatal(err)
				}
				sum := 0
				shown := map[string]int{}
				for _, th := range got.Items {
					shown[th.ID] = th.People
					sum += th.People
					if f != (report.Filter{}) {
						shownFiltered++
					}
					if th.People < k {
						t.Errorf("under %v: theme %q shows %d, below %d", f, th.Label(), th.People, k)
					}
					if comments.Suppressed {
						t.Errorf("under %v: theme %q shows where the comments are hidden", f, th.Label())
					}
					if u, ok := unfiltered[th.ID]; ok && small(u-th.People) {
						t.Errorf("under %v: theme %q shows %d of %d: %d outside the filter", f, th.Label(), th.People, u, u-th.People)
					}
					if small(comments.Total - th.People) {
						t.Errorf("under %v: theme %q shows %d of the filter's %d comments", f, th.Label(), th.People, comments.Total)
					}
				}
				if !comments.Suppressed && small(comments.Total-sum) {
					t.Errorf("under %v: %d of %d comments outside every shown theme", f, comments.Total-sum, comments.Total)
				}
				for _, th := range all.Items {
					c, err := e.quotes.Comments(ctx, sv, quotes.Query{Question: "comment", Filter: f, Theme: th.ID})
					if err != nil {
						t.Fatal(err)
					}
					n, ok := shown[th.ID]
					if c.Suppressed == ok || (ok && c.Total != n) || (!ok && (c.Total != 0 || len(c.Texts) != 0)) {
						t.Errorf("under %v, comments of theme %q: %+v; the theme shows %d (%v)", f, th.Label(), c, n, ok)
					}
					if small(c.Total) {
						t.Errorf("under %v, comments of theme %q: total %d", f, th.Label(), c.Total)
					}
				}
			}
			if shownFiltered == 0 {
				t.Errorf("no theme shows under any filter: the test proves little")
			}
		})
	}
}

func respondtestAnswers(comment string) map[string][]string {
	v := respondtest.Answers()
	v["q.comment"] = []string{comment}
	return v
}
