// Package quotes keeps respondents' free-text comments for quoting in
// reports, and shows them without showing who wrote them.
//
// Only answers to quotable text questions that are not confidential are
// kept. Each is redacted when it is stored — e-mail addresses, phone
// numbers, and the names of the respondent and of their company's account
// managers — sealed, and kept with the segment of the respondent's company
// and nothing else: no date, no response, no contact. So a quote cannot be
// traced back to a person, named respondents included; erasing a person
// leaves their quotes as anonymous, already redacted text. Quotes are
// redacted again when shown.
//
// A question's quotes show only for a group of at least the survey's
// comment threshold, in random order; see Service.Comments for the rules
// that keep a filtered group from being worked out by subtraction.
package quotes

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/themes"
)

// MaxShown is how many comments a page shows at most, picked at random.
const MaxShown = 50

// Store keeps quotes (*store.Quotes).
type Store interface {
	Add(ctx context.Context, a store.QuoteAdd) error
	Counts(ctx context.Context, surveyID, question string) (store.QuoteCounts, error)
	Kept(ctx context.Context, surveyID, question string) ([]store.Quote, error)
	EachBucket(ctx context.Context, fn func(surveyID, question string, quotes []store.Quote) ([]store.Quote, error)) error
}

var _ Store = (*store.Quotes)(nil)

// People opens a contact's name and email, to redact them
// (*customer.Service).
type People interface {
	Subject(ctx context.Context, id string) (customer.Contact, error)
}

// Accounts reads the respondent's company, for its managers.
type Accounts interface {
	ByID(ctx context.Context, id string) (store.Account, error)
}

// Users reads staff, for the names of a company's managers.
type Users interface {
	ByID(ctx context.Context, id string) (store.User, error)
}

// Deps is what the service is built from; every field is required but
// Themes.
type Deps struct {
	Store    Store
	Sealer   *seal.Sealer
	People   People
	Accounts Accounts
	Users    Users
	// Themes keeps the themes computed from quotes; nil: no themes (a
	// new quote marks nothing, and no theme shows).
	Themes ThemeStore
}

// Service keeps and shows quotes.
type Service struct {
	st       Store
	sealer   *seal.Sealer
	people   People
	accounts Accounts
	users    Users
	redactor *report.Redactor // patterns only, for redacting again when shown

	themes   ThemeStore
	analyzer *themes.Analyzer
	now      func() time.Time
	token    string // this process's lease token for computing themes
}

// New returns a Service.
func New(d Deps) *Service {
	return &Service{st: d.Store, sealer: d.Sealer, people: d.People, accounts: d.Accounts, users: d.Users,
		redactor: report.NewRedactor(nil), themes: d.Themes, analyzer: themes.NewAnalyzer(), now: time.Now, token: store.NewID()}
}

// WithClock returns the service reading time from now.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// Quotable reports whether a question's answers may be quoted.
func Quotable(q survey.Question) bool {
	return q.Type == survey.TypeText && q.Quotable && !q.Confidential
}

// Submission is a stored response, as far as quotes are concerned.
type Submission struct {
	Survey survey.Survey
	// ContactID and AccountID say whose names to redact; neither is kept.
	ContactID string
	AccountID string
	Segment   report.Segment
	Answers   survey.Answers
	// Locale is the language the answer was given in; it is kept with
	// the quote, since themes are found per language.
	Locale string
}

// textContext binds a sealed quote to its survey and question.
func textContext(surveyID, question string) string {
	return "quote:" + surveyID + "|" + question
}

// Add keeps the quotable answers of a submission, redacted. It looks up
// names only when there is something to quote.
func (s *Service) Add(ctx context.Context, sub Submission) error {
	type text struct{ key, text string }
	var texts []text
	for _, a := range sub.Answers {
		q, ok := sub.Survey.Question(a.Key)
		if ok && Quotable(q) && strings.TrimSpace(a.Text) != "" {
			texts = append(texts, text{a.Key, a.Text})
		}
	}
	if len(texts) == 0 {
		return nil
	}
	names, err := s.names(ctx, sub.ContactID, sub.AccountID)
	if err != nil {
		return err
	}
	r := report.NewRedactor(names)
	seg := storeSegment(sub.Segment)
	groups := make([]rollups.Segment, 0, len(report.Dimensions()))
	for _, d := range report.Dimensions() {
		groups = append(groups, rollups.Segment{Dim: string(d), Value: sub.Segment.Value(d)})
	}
	locale := sub.Survey.Locale(sub.Locale)
	for _, t := range texts {
		redacted := strings.TrimSpace(r.Redact(t.text))
		box, err := s.sealer.Seal([]byte(redacted), textContext(sub.Survey.ID, t.key))
		if err != nil {
			return fmt.Errorf("quotes: %w", err)
		}
		err = s.st.Add(ctx, store.QuoteAdd{
			SurveyID: sub.Survey.ID, Question: t.key,
			Quote:  store.Quote{Segment: seg, Text: box, Locale: locale},
			Groups: groups, Class: class(sub.Segment),
		})
		if err != nil {
			return fmt.Errorf("quotes: %w", err)
		}
		// The question's themes are computed again in the background.
		if s.themes != nil {
			if err := s.themes.Mark(ctx, sub.Survey.ID, t.key); err != nil {
				return fmt.Errorf("quotes: %w", err)
			}
		}
	}
	return nil
}

// names are the names a respondent's comment may mention that are known
// here: their own (and the part of their email before the @), and their
// company's account managers'. Other people at the company are not looked
// up: that would scan the contacts on every submission.
func (s *Service) names(ctx context.Context, contactID, accountID string) ([]string, error) {
	var names []string
	if contactID != "" {
		c, err := s.people.Subject(ctx, contactID)
		if err != nil && !errors.Is(err, customer.ErrNotFound) {
			return nil, fmt.Errorf("quotes: %w", err)
		}
		local, _, _ := strings.Cut(c.Email, "@")
		names = append(names, c.Name, local)
	}
	if accountID == "" {
		return names, nil
	}
	a, err := s.accounts.ByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return names, nil
	}
	if err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	for _, id := range a.ManagerIDs {
		u, err := s.users.ByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("quotes: %w", err)
		}
		local, _, _ := strings.Cut(u.Email, "@")
		names = append(names, u.Name, local)
	}
	return names, nil
}

func storeSegment(s report.Segment) store.Segment {
	return store.Segment{Region: s.Region, Country: s.Country, Industry: s.Industry, Tier: s.Tier, ManagerID: s.ManagerID}
}

func reportSegment(s store.Segment) report.Segment {
	return report.Segment{Region: s.Region, Country: s.Country, Industry: s.Industry, Tier: s.Tier, ManagerID: s.ManagerID}
}

// class names a whole segment — every dimension at once — as a field name:
// a hash, since values may hold anything.
func class(seg report.Segment) string {
	h := sha256.New()
	for _, d := range report.Dimensions() {
		v := seg.Value(d)
		fmt.Fprintf(h, "%d:%s;", len(v), v)
	}
	return "s" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// Errors of Comments.
var (
	// ErrNotFound is a question the survey does not have: a mistake in
	// the query's field "question".
	ErrNotFound = fault.Fields(fault.Invalid, "quotes", map[string]string{"question": "is not a question of this survey"})
)

// invalid is a message for one query field.
func invalid(field, msg string) error {
	return fault.Fields(fault.Invalid, "quotes", map[string]string{field: msg})
}

// Reason says why comments are withheld.
type Reason string

// Reasons.
const (
	// FewComments: fewer people in the group wrote a comment than the
	// comment threshold.
	FewComments Reason = "few_comments"
	// Complement: the rest of the survey outside the filter is smaller than
	// the threshold, and could be worked out by subtraction.
	Complement Reason = "complement"
	// FewInTheme: the theme does not show for this group (too few of its
	// people are in it, or they could be worked out by comparison).
	FewInTheme Reason = "few_in_theme"
)

// Text describes the reason in English for threshold k.
func (r Reason) Text(k int) string {
	switch r {
	case FewComments:
		return fmt.Sprintf("Comments appear once at least %d people in this group have written one.", k)
	case Complement:
		return fmt.Sprintf("Hidden: fewer than %d people outside this group wrote a comment, so their comments could be worked out by comparing with the whole survey.", k)
	case FewInTheme:
		return fmt.Sprintf("This theme does not show for this group: fewer than %d of its people are in it, or a count below %d could be worked out by comparing it with others.", k, k)
	}
	return "Hidden."
}

// Query asks for one question's comments, optionally of one segment value
// and of one theme.
type Query struct {
	Question string
	Filter   report.Filter // zero for the whole survey
	Theme    string        // a theme's id (see Themes); empty for every comment
}

// Comments is what a query shows: at most MaxShown comments, in random
// order, or none and why.
type Comments struct {
	Question   string
	Threshold  int
	Suppressed bool
	Reason     Reason
	// Total is how many people in the group wrote a comment (of the
	// theme, with one); zero when suppressed, since it is then a number
	// below the threshold.
	Total int
	// Texts is a random pick of the group's kept comments (a question keeps
	// its latest ones).
	Texts []string
}

// Threshold is a survey's comment threshold, never below its anonymity
// threshold or the defaults'.
func Threshold(sv survey.Survey) int {
	k := sv.CommentThreshold
	if k == 0 {
		k = survey.DefaultCommentThreshold
	}
	return max(k, sv.AnonymityThreshold, survey.MinAnonymityThreshold)
}

// Comments shows a question's comments, without dates and in random
// order, when they may show:
//
//   - the group (the question's commenters, within the filter) has at
//     least the survey's comment threshold k;
//   - with a filter, the commenters outside it are none or at least k, so
//     that comparing with the unfiltered comments reveals no small group;
//   - with a filter, only comments whose company profile (every dimension
//     at once) is shared by at least k commenters show, so that
//     intersecting filters on different dimensions narrows a comment down
//     to no fewer than k people;
//   - with a theme, only while the theme's count shows under the filter
//     (see Themes); the group is then the theme's people in it.
//
// Who may see which filter — a manager only their own accounts — is the
// caller's to decide.
func (s *Service) Comments(ctx context.Context, sv survey.Survey, q Query) (Comments, error) {
	question, err := quotableQuestion(sv, q)
	if err != nil {
		return Comments{}, err
	}
	filtered := q.Filter != (report.Filter{})
	k := Threshold(sv)
	out := Comments{Question: question.Key, Threshold: k, Texts: []string{}}

	var members map[int64]bool // the theme's quotes, with a theme
	var theme store.StoredTheme
	if q.Theme != "" {
		if theme, err = s.theme(ctx, sv, question.Key, q.Theme); err != nil {
			return Comments{}, err
		}
		members = make(map[int64]bool, len(theme.Members))
		for _, n := range theme.Members {
			members[n] = true
		}
	}
	counts, err := s.st.Counts(ctx, sv.ID, question.Key)
	if err != nil {
		return Comments{}, fmt.Errorf("quotes: %w", err)
	}
	group, reason := groupOf(counts, q.Filter, int64(k))
	if reason != "" {
		out.Suppressed, out.Reason = true, reason
		return out, nil
	}
	if q.Theme != "" {
		n, ok := shownUnder(theme, q.Filter)
		if !ok {
			out.Suppressed, out.Reason = true, FewInTheme
			return out, nil
		}
		group = n
	}
	out.Total = int(group)

	kept, err := s.st.Kept(ctx, sv.ID, question.Key)
	if err != nil {
		return Comments{}, fmt.Errorf("quotes: %w", err)
	}
	for _, kq := range kept {
		if members != nil && !members[kq.Number] {
			continue
		}
		if filtered {
			seg := reportSegment(kq.Segment)
			if seg.Value(q.Filter.Dimension) != q.Filter.Value || counts.Classes[class(seg)] < int64(k) {
				continue
			}
		}
		plain, err := s.sealer.Open(kq.Text, textContext(sv.ID, question.Key))
		if err != nil {
			// Sealed under a key no longer in the ring: gone for good.
			continue
		}
		out.Texts = append(out.Texts, s.redactor.Redact(string(plain)))
	}
	rand.Shuffle(len(out.Texts), func(i, j int) { out.Texts[i], out.Texts[j] = out.Texts[j], out.Texts[i] })
	if len(out.Texts) > MaxShown {
		out.Texts = out.Texts[:MaxShown]
	}
	return out, nil
}

// filterProblem is what is wrong with a filter that is not one.
const filterProblem = "must be region, country, industry, tier or manager, then a colon and a value"

// ParseFilter reads a "dimension:value" filter; an empty string is no
// filter.
func ParseFilter(raw string) (report.Filter, error) {
	if raw == "" {
		return report.Filter{}, nil
	}
	dim, value, ok := strings.Cut(raw, ":")
	f := report.Filter{Dimension: report.Dimension(strings.ToLower(strings.TrimSpace(dim))), Value: strings.TrimSpace(value)}
	if !ok || !segmentDimension(f.Dimension) {
		return report.Filter{}, invalid("filter", filterProblem)
	}
	return f, nil
}

// segmentDimension reports whether comments are grouped by d: the
// segment dimensions, never the account, which comments do not keep.
func segmentDimension(d report.Dimension) bool { return slices.Contains(report.Dimensions(), d) }

// Reseal re-encrypts every quote sealed with an older key under the
// current one, so that the old key can leave the ring; it returns how
// many quotes it re-encrypted.
func (s *Service) Reseal(ctx context.Context) (int, error) {
	n := 0
	err := s.st.EachBucket(ctx, func(surveyID, question string, qs []store.Quote) ([]store.Quote, error) {
		var out []store.Quote
		for i, q := range qs {
			box, did, err := s.sealer.Reseal(q.Text, textContext(surveyID, question))
			if err != nil {
				return nil, fmt.Errorf("quotes: reseal %s|%s: %w", surveyID, question, err)
			}
			if !did {
				continue
			}
			if out == nil {
				out = append([]store.Quote(nil), qs...)
			}
			out[i].Text = box
			n++
		}
		return out, nil
	})
	return n, err
}
