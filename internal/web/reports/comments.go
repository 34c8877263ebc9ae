package reports

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/themes"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// QuoteService shows respondents' quotable comments and their themes;
// *quotes.Service is one.
type QuoteService interface {
	Comments(ctx context.Context, sv survey.Survey, q quotes.Query) (quotes.Comments, error)
	Themes(ctx context.Context, sv survey.Survey, q quotes.Query) (quotes.Themes, error)
}

var _ QuoteService = (*quotes.Service)(nil)

// errNoQuotes answers the comment routes on a server built without quotes.
var errNoQuotes = &problem.Problem{Status: fiber.StatusNotFound, Msg: "comments are not available"}

// commentsRequest is a comments query as given and as understood.
type commentsRequest struct {
	Question, Filter string // as given, for the form
	query            quotes.Query
	quotable         []survey.Question
}

// maxThemeID bounds the theme parameter: ids are a locale and ten hex
// digits.
const maxThemeID = 64

// commentsRequestOf reads ?question=&filter=&theme= for u. The question defaults
// to the survey's first quotable one. A manager sees comments from their
// own accounts only: their filter is always manager:<their id>.
func commentsRequestOf(c *fiber.Ctx, u store.User, sv survey.Survey) (commentsRequest, map[string]string) {
	r := commentsRequest{Question: strings.TrimSpace(c.Query("question")), Filter: strings.TrimSpace(c.Query("filter"))}
	fields := map[string]string{}
	r.query.Theme = strings.TrimSpace(c.Query("theme"))
	if len(r.query.Theme) > maxThemeID {
		fields["theme"] = "is not one of this question's themes"
	}
	for _, q := range sv.Questions {
		if quotes.Quotable(q) {
			r.quotable = append(r.quotable, q)
		}
	}
	switch q, ok := sv.Question(r.Question); {
	case r.Question == "" && len(r.quotable) > 0:
		r.query.Question = r.quotable[0].Key
	case r.Question == "":
		fields["question"] = "this survey has no quotable free-text question"
	case !ok:
		fields["question"] = "is not a question of this survey"
	case !quotes.Quotable(q):
		fields["question"] = "is not a quotable free-text question: only quotable, non-confidential text questions are shown"
	default:
		r.query.Question = q.Key
	}
	if policy.ReportsLimitedToOwnAccounts(policy.Of(u)) {
		own := report.Filter{Dimension: report.Manager, Value: u.ID}
		if f, err := quotes.ParseFilter(r.Filter); r.Filter != "" && (err != nil || f != own) {
			fields["filter"] = "managers see comments from their own accounts only"
		}
		r.query.Filter = own
		return r, fields
	}
	f, err := quotes.ParseFilter(r.Filter)
	maps.Copy(fields, fault.FieldsOf(err))
	r.query.Filter = f
	return r, fields
}

// CommentsJSON is GET /api/v1/surveys/{id}/comments. Comments carry their
// text only: no date, no segment, no respondent.
type CommentsJSON struct {
	Question   string         `json:"question"`
	Filter     *report.Filter `json:"filter,omitempty"`
	Threshold  int            `json:"threshold"`
	Suppressed bool           `json:"suppressed"`
	Reason     quotes.Reason  `json:"reason,omitempty"`
	Total      int            `json:"total"` // commenters in the group (of the theme, with one); 0 when suppressed
	Theme      string         `json:"theme,omitempty"`
	Comments   []CommentJSON  `json:"comments"`
	// Themes are the question's themes for the group, as last computed in
	// the background: only those at least Threshold people share.
	Themes []ThemeJSON `json:"themes"`
	// ThemesComputed is false until the question's themes were first
	// computed.
	ThemesComputed bool `json:"themesComputed"`
}

type CommentJSON struct {
	Text string `json:"text"`
}

// ThemeJSON is one theme: its label words, how many people in the group
// wrote about it, in which language, and their mean sentiment.
type ThemeJSON struct {
	ID        string      `json:"id"`
	Terms     []string    `json:"terms"`
	People    int         `json:"people"`
	Locale    string      `json:"locale"`
	Sentiment themes.Tone `json:"sentiment"`
}

// CommentsJSON returns a question's comments: ?question=<key>&filter=region:EMEA.
func (s *Reports) CommentsJSON(c *fiber.Ctx) error {
	if s.quotes == nil {
		return errNoQuotes
	}
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	u, _ := identity.User(c)
	r, fields := commentsRequestOf(c, u, sv)
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}
	got, err := s.quotes.Comments(c.UserContext(), sv, r.query)
	if err != nil {
		return err
	}
	all := r.query
	all.Theme = ""
	th, err := s.quotes.Themes(c.UserContext(), sv, all)
	if err != nil {
		return err
	}
	out := CommentsJSON{Question: got.Question, Threshold: got.Threshold, Suppressed: got.Suppressed, Reason: got.Reason,
		Total: got.Total, Theme: r.query.Theme, Comments: make([]CommentJSON, 0, len(got.Texts)),
		Themes: make([]ThemeJSON, 0, len(th.Items)), ThemesComputed: th.Computed}
	if r.query.Filter != (report.Filter{}) {
		out.Filter = &r.query.Filter
	}
	for _, t := range got.Texts {
		out.Comments = append(out.Comments, CommentJSON{Text: t})
	}
	for _, t := range th.Items {
		out.Themes = append(out.Themes, ThemeJSON{ID: t.ID, Terms: t.Terms, People: t.People, Locale: t.Locale, Sentiment: t.Tone})
	}
	return c.JSON(out)
}

// commentsPage shows one question's comments.
type commentsPage struct {
	ID, Href, Title string
	Question        string // the key shown
	Prompt          string
	Filter          string // as given
	Questions       []commentOption
	IsManager       bool
	Fields          map[string]string
	Errors          []string

	// Below: empty unless the query was valid.
	Ready      bool
	Threshold  int
	Suppressed bool
	Why        string
	Total      int
	Comments   []string

	// The question's themes for the group, and the one chosen.
	Themes         []themeRow
	ThemesComputed bool
	Theme          *themeRow // the theme whose comments show; nil for all
	AllHref        string    // the comments of every theme
}

// themeRow is a theme as the page lists it.
type themeRow struct {
	ID, Label, Language string
	People              int
	Sentiment           themes.Tone
	Href                string // its comments
	Selected            bool
}

type commentOption struct {
	Value, Label string
	Selected     bool
}

// CommentsPage shows a question's comments in random order; an invalid
// query shows the form again with what is wrong, and no comments.
func (s *Reports) CommentsPage(c *fiber.Ctx) error {
	if s.quotes == nil {
		return errNoQuotes
	}
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	u, _ := identity.User(c)
	r, fields := commentsRequestOf(c, u, sv)
	def := sv.DefaultLocale
	page := commentsPage{
		ID: sv.ID, Href: "/surveys/" + url.PathEscape(sv.ID), Title: sv.Title.Get(def, survey.DefaultLocale),
		Question: r.query.Question, Filter: r.Filter, IsManager: policy.ReportsLimitedToOwnAccounts(policy.Of(u)), Fields: fields,
	}
	if page.Question == "" {
		page.Question = r.Question
	}
	for _, q := range r.quotable {
		prompt := q.Prompt.Get(def, q.Key)
		page.Questions = append(page.Questions, commentOption{Value: q.Key, Label: prompt, Selected: q.Key == page.Question})
		if q.Key == page.Question {
			page.Prompt = prompt
		}
	}
	if len(r.quotable) == 0 && r.Question == "" {
		// Nothing to ask for: the page says so, and that is no error.
		delete(fields, "question")
	}
	if len(fields) == 0 && len(r.quotable) > 0 {
		got, err := s.quotes.Comments(c.UserContext(), sv, r.query)
		switch p := problem.WithFields(err); {
		case p != nil:
			fields = p.Fields
		case err != nil:
			return err
		default:
			page.Ready, page.Threshold, page.Suppressed, page.Total, page.Comments = true, got.Threshold, got.Suppressed, got.Total, got.Texts
			if got.Suppressed {
				page.Why = got.Reason.Text(got.Threshold)
			}
			if err := s.themesOf(c, sv, r, &page); err != nil {
				return err
			}
		}
	}
	status := fiber.StatusOK
	if len(fields) > 0 {
		page.Fields = fields
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			page.Errors = append(page.Errors, fieldLabel(k)+": "+fields[k])
		}
		status = fiber.StatusBadRequest
	}
	return s.render(c, status, "comments", "Comments: "+page.Title, page)
}

// themesOf lists the group's themes on the page, each linking to its
// comments under the same question and filter.
func (s *Reports) themesOf(c *fiber.Ctx, sv survey.Survey, r commentsRequest, page *commentsPage) error {
	all := r.query
	all.Theme = ""
	th, err := s.quotes.Themes(c.UserContext(), sv, all)
	if err != nil {
		return err
	}
	page.ThemesComputed = th.Computed
	q := url.Values{"question": {r.query.Question}}
	if r.Filter != "" {
		q.Set("filter", r.Filter)
	}
	page.AllHref = page.Href + "/comments?" + q.Encode()
	for _, t := range th.Items {
		q.Set("theme", t.ID)
		row := themeRow{ID: t.ID, Label: t.Label(), Language: i18n.EnglishName(t.Locale), People: t.People, Sentiment: t.Tone,
			Href: page.Href + "/comments?" + q.Encode(), Selected: t.ID == r.query.Theme}
		page.Themes = append(page.Themes, row)
	}
	for i := range page.Themes {
		if page.Themes[i].Selected {
			page.Theme = &page.Themes[i]
		}
	}
	if r.query.Theme != "" && page.Theme == nil {
		// Chosen, but not shown for this group: its comments say why.
		page.Theme = &themeRow{ID: r.query.Theme, Label: "this theme"}
	}
	return nil
}

func fieldLabel(k string) string {
	if k == "" {
		return ""
	}
	return strings.ToUpper(k[:1]) + k[1:]
}
