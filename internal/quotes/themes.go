package quotes

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/themes"
)

// ThemeStore keeps the themes computed from quotes, the marks of
// questions waiting for theirs, and the lease of computing them
// (*store.QuoteThemes).
type ThemeStore interface {
	Mark(ctx context.Context, surveyID, question string) error
	Marks(ctx context.Context) ([]store.ThemeMark, error)
	Unmark(ctx context.Context, m store.ThemeMark) error
	ClaimThemes(ctx context.Context, token string, now, until time.Time) (bool, error)
	ReleaseThemes(ctx context.Context, token string) error
	Save(ctx context.Context, s store.ThemeSet) error
	Themes(ctx context.Context, surveyID, question string, locales []string) ([]store.ThemeSet, error)
}

var _ ThemeStore = (*store.QuoteThemes)(nil)

// SurveyReader finds the survey of a marked question (*store.Surveys).
type SurveyReader interface {
	ByID(ctx context.Context, id string) (survey.Survey, error)
}

// Themes is what a query shows of a question's themes.
type Themes struct {
	Threshold int
	// Computed is false before the question's themes were first
	// computed.
	Computed bool
	Items    []Theme // largest first
}

// Theme is one theme as shown: its label, how many people in the group
// wrote about it, and their mean sentiment.
type Theme struct {
	ID     string
	Locale string
	Terms  []string
	People int
	Tone   themes.Tone
	Score  float64
}

// Label is the theme's terms as one line.
func (t Theme) Label() string { return strings.Join(t.Terms, ", ") }

// locales are the locales a survey's quotes can have: its own, and its
// default for quotes kept before quotes had one.
func locales(sv survey.Survey) []string {
	out := slices.Clone(sv.Locales)
	if !slices.Contains(out, sv.DefaultLocale) {
		out = append(out, sv.DefaultLocale)
	}
	slices.Sort(out)
	return out
}

// latest returns the sets of the latest computation: every locale of one
// is written with its generation, and a set of an older one (a write that
// failed part-way) is left out rather than mixed with a newer decision.
func latest(sets []store.ThemeSet) []store.ThemeSet {
	gen := int64(0)
	for _, s := range sets {
		gen = max(gen, s.Generation)
	}
	return slices.DeleteFunc(slices.Clone(sets), func(s store.ThemeSet) bool { return s.Generation != gen })
}

func filterOf(f report.Filter) themes.Filter {
	return themes.Filter{Dim: string(f.Dimension), Value: f.Value}
}

// shownUnder returns a theme's count under a filter, if it shows there.
func shownUnder(t store.StoredTheme, f report.Filter) (int64, bool) {
	for _, c := range t.Shown {
		if c.Dim == string(f.Dimension) && c.Value == f.Value {
			return c.N, true
		}
	}
	return 0, false
}

// Themes shows a question's themes for a query's group, as last computed
// in the background: it only reads. A theme shows under the release the
// computation decided (see themes.Decide), and only where the group's
// comments show.
func (s *Service) Themes(ctx context.Context, sv survey.Survey, q Query) (Themes, error) {
	question, err := quotableQuestion(sv, q)
	if err != nil {
		return Themes{}, err
	}
	out := Themes{Threshold: Threshold(sv), Items: []Theme{}}
	if s.themes == nil {
		return out, nil
	}
	shows, err := s.commentsShow(ctx, sv, question.Key, q.Filter)
	if err != nil {
		return Themes{}, err
	}
	sets, err := s.themes.Themes(ctx, sv.ID, question.Key, locales(sv))
	if err != nil {
		return Themes{}, fmt.Errorf("quotes: %w", err)
	}
	out.Computed = len(sets) > 0
	if !shows {
		return out, nil
	}
	for _, set := range latest(sets) {
		for _, t := range set.Themes {
			n, ok := shownUnder(t, q.Filter)
			if !ok {
				continue
			}
			out.Items = append(out.Items, Theme{ID: t.ID, Locale: set.Locale, Terms: t.Terms, People: int(n),
				Tone: themes.ToneOf(t.Score), Score: t.Score})
		}
	}
	slices.SortStableFunc(out.Items, func(a, b Theme) int {
		return cmp.Or(cmp.Compare(b.People, a.People), cmp.Compare(a.Locale, b.Locale), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// quotableQuestion checks a query's question and filter.
func quotableQuestion(sv survey.Survey, q Query) (survey.Question, error) {
	question, ok := sv.Question(q.Question)
	if !ok {
		return survey.Question{}, fmt.Errorf("%w: %q", ErrNotFound, q.Question)
	}
	if !Quotable(question) {
		return survey.Question{}, invalid("question", "is not a quotable free-text question")
	}
	if q.Filter != (report.Filter{}) && !segmentDimension(q.Filter.Dimension) {
		return survey.Question{}, invalid("filter", filterProblem)
	}
	return question, nil
}

// commentsShow reports whether a filter's comments show at all, by the
// comments' own rule (see Comments).
func (s *Service) commentsShow(ctx context.Context, sv survey.Survey, question string, f report.Filter) (bool, error) {
	counts, err := s.st.Counts(ctx, sv.ID, question)
	if err != nil {
		return false, fmt.Errorf("quotes: %w", err)
	}
	_, reason := groupOf(counts, f, int64(Threshold(sv)))
	return reason == "", nil
}

// groupOf is a filter's commenters, and why they are withheld if they are.
func groupOf(counts store.QuoteCounts, f report.Filter, k int64) (int64, Reason) {
	group := counts.N
	if f != (report.Filter{}) {
		group = counts.Groups[string(f.Dimension)][f.Value]
	}
	switch rest := counts.N - group; {
	case group < k:
		return group, FewComments
	case rest > 0 && rest < k:
		return group, Complement
	}
	return group, ""
}

// theme finds a theme of the question's latest computation by id.
func (s *Service) theme(ctx context.Context, sv survey.Survey, question, id string) (store.StoredTheme, error) {
	if s.themes != nil {
		sets, err := s.themes.Themes(ctx, sv.ID, question, locales(sv))
		if err != nil {
			return store.StoredTheme{}, fmt.Errorf("quotes: %w", err)
		}
		for _, set := range latest(sets) {
			for _, t := range set.Themes {
				if t.ID == id {
					return t, nil
				}
			}
		}
	}
	return store.StoredTheme{}, invalid("theme", "is not one of this question's themes (they are computed again as comments come in): choose one from the list")
}

// ComputeThemes computes a question's themes from its kept quotes and
// stores them, every locale under a new generation; it returns how many
// themes it found. Each locale's quotes are clustered apart (old quotes
// without a locale count as the survey's default), a theme needs at
// least the comment threshold of people, and which counts show under
// which filters is decided over all of the question's themes at once.
func (s *Service) ComputeThemes(ctx context.Context, sv survey.Survey, questionKey string) (int, error) {
	if s.themes == nil {
		return 0, nil
	}
	question, err := quotableQuestion(sv, Query{Question: questionKey})
	if err != nil {
		return 0, err
	}
	k := Threshold(sv)
	counts, err := s.st.Counts(ctx, sv.ID, question.Key)
	if err != nil {
		return 0, fmt.Errorf("quotes: %w", err)
	}
	kept, err := s.st.Kept(ctx, sv.ID, question.Key)
	if err != nil {
		return 0, fmt.Errorf("quotes: %w", err)
	}
	// Oldest first, so that the corpus, and with it the themes, is the
	// same whatever order the buckets were read in.
	slices.SortFunc(kept, func(a, b store.Quote) int { return cmp.Compare(a.Number, b.Number) })
	type corpus struct {
		texts  []string
		quotes []store.Quote
	}
	byLocale := map[string]*corpus{}
	for _, kq := range kept {
		plain, err := s.sealer.Open(kq.Text, textContext(sv.ID, question.Key))
		if err != nil {
			continue // sealed under a key no longer in the ring
		}
		loc := kq.Locale
		if loc == "" {
			loc = sv.DefaultLocale
		}
		if byLocale[loc] == nil {
			byLocale[loc] = &corpus{}
		}
		byLocale[loc].texts = append(byLocale[loc].texts, s.redactor.Redact(string(plain)))
		byLocale[loc].quotes = append(byLocale[loc].quotes, kq)
	}
	all := locales(sv)
	for loc := range byLocale {
		if !slices.Contains(all, loc) {
			all = append(all, loc)
		}
	}
	slices.Sort(all)

	type found struct {
		locale string
		theme  themes.Theme
		quotes []store.Quote
	}
	var list []found
	in := themes.Input{K: int64(k), Total: counts.N, Groups: map[themes.Filter]int64{}}
	for dim, values := range counts.Groups {
		for v, n := range values {
			in.Groups[themes.Filter{Dim: dim, Value: v}] = n
		}
	}
	for _, loc := range all {
		c := byLocale[loc]
		if c == nil {
			continue
		}
		for _, th := range s.analyzer.Find(loc, c.texts, themes.Options{MinSize: k}) {
			f := found{locale: loc, theme: th}
			var members [][]themes.Filter
			for _, m := range th.Members {
				q := c.quotes[m]
				f.quotes = append(f.quotes, q)
				seg := reportSegment(q.Segment)
				var fs []themes.Filter
				for _, d := range report.Dimensions() {
					fs = append(fs, themes.Filter{Dim: string(d), Value: seg.Value(d)})
				}
				members = append(members, fs)
			}
			list = append(list, f)
			in.Themes = append(in.Themes, members)
		}
	}
	decided := themes.Decide(in)

	prev, err := s.themes.Themes(ctx, sv.ID, question.Key, all)
	if err != nil {
		return 0, fmt.Errorf("quotes: %w", err)
	}
	gen := int64(1)
	for _, p := range prev {
		gen = max(gen, p.Generation+1)
	}
	day := s.now().UTC().Truncate(24 * time.Hour)
	sets := make(map[string]*store.ThemeSet, len(all))
	for _, loc := range all {
		sets[loc] = &store.ThemeSet{SurveyID: sv.ID, Question: question.Key, Locale: loc, Generation: gen, UpdatedAt: day}
	}
	for i, f := range list {
		st := store.StoredTheme{ID: themeID(f.locale, f.theme.Stems), Terms: f.theme.Terms, Stems: f.theme.Stems,
			People: int64(len(f.quotes)), Score: f.theme.Score}
		for _, q := range f.quotes {
			st.Members = append(st.Members, q.Number)
		}
		slices.Sort(st.Members)
		for flt, n := range decided[i] {
			st.Shown = append(st.Shown, store.ThemeCount{Dim: flt.Dim, Value: flt.Value, N: n})
		}
		slices.SortFunc(st.Shown, func(a, b store.ThemeCount) int {
			return cmp.Or(cmp.Compare(a.Dim, b.Dim), cmp.Compare(a.Value, b.Value))
		})
		set := sets[f.locale]
		for taken(set.Themes, st.ID) {
			st.ID += "x"
		}
		set.Themes = append(set.Themes, st)
	}
	for _, loc := range all {
		if err := s.themes.Save(ctx, *sets[loc]); err != nil {
			return 0, fmt.Errorf("quotes: %w", err)
		}
	}
	return len(list), nil
}

// themeID names a theme by its locale and stems, so that a theme keeps its
// id while its label stays the same across computations.
func themeID(locale string, stems []string) string {
	h := sha256.Sum256([]byte(strings.Join(stems, "\x1f")))
	return locale + "-" + hex.EncodeToString(h[:5])
}

func taken(ts []store.StoredTheme, id string) bool {
	return slices.ContainsFunc(ts, func(t store.StoredTheme) bool { return t.ID == id })
}

// ThemesEvery is how often the background computation looks for questions
// that gained quotes.
const ThemesEvery = time.Minute

// themesLease is how long one run may hold the computation; a run stops
// taking new questions after half of it.
const themesLease = 10 * time.Minute

// ComputeMarked computes the themes of every question marked since, when
// no other process is doing so (ran false): the lease lets one process at
// a time do it, so several serve processes sharing a database compute a
// question once. It returns how many questions it computed.
func (s *Service) ComputeMarked(ctx context.Context, surveys SurveyReader) (done int, ran bool, err error) {
	if s.themes == nil {
		return 0, false, nil
	}
	began := s.now().UTC()
	claimed, err := s.themes.ClaimThemes(ctx, s.token, began, began.Add(themesLease))
	if err != nil || !claimed {
		return 0, false, err
	}
	defer func() {
		if rerr := s.themes.ReleaseThemes(context.WithoutCancel(ctx), s.token); rerr != nil && err == nil {
			err = fmt.Errorf("quotes: %w", rerr)
		}
	}()
	marks, err := s.themes.Marks(ctx)
	if err != nil {
		return 0, true, fmt.Errorf("quotes: %w", err)
	}
	var errs []error
	for _, m := range marks {
		if s.now().UTC().Sub(began) > themesLease/2 {
			break // the rest next time, under a lease of its own
		}
		sv, err := surveys.ByID(ctx, m.SurveyID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// The survey is gone, and with it what the mark was for.
		case err != nil:
			errs = append(errs, err)
			continue
		default:
			if _, err := s.ComputeThemes(ctx, sv, m.Question); err != nil && fault.KindOf(err) != fault.Invalid {
				errs = append(errs, fmt.Errorf("themes of %s|%s: %w", m.SurveyID, m.Question, err))
				continue
			}
			done++
		}
		if err := s.themes.Unmark(ctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	return done, true, errors.Join(errs...)
}

// RunThemes computes marked questions' themes every interval until ctx
// ends. Every serve process runs it; the lease lets one of them at a time
// do the work.
func (s *Service) RunThemes(ctx context.Context, surveys SurveyReader, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, ran, err := s.ComputeMarked(ctx, surveys); err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.ErrorContext(ctx, "quotes: themes", "err", err)
		} else if ran && n > 0 {
			logger.DebugContext(ctx, "quotes: themes computed", "questions", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
