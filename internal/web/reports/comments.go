package reports

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// QuoteService shows respondents' quotable comments; *quotes.Service is one.
type QuoteService interface {
	Comments(ctx context.Context, sv survey.Survey, q quotes.Query) (quotes.Comments, error)
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

// commentsRequestOf reads ?question=&filter= for u. The question defaults
// to the survey's first quotable one. A manager sees comments from their
// own accounts only: their filter is always manager:<their id>.
func commentsRequestOf(c *fiber.Ctx, u store.User, sv survey.Survey) (commentsRequest, map[string]string) {
	r := commentsRequest{Question: strings.TrimSpace(c.Query("question")), Filter: strings.TrimSpace(c.Query("filter"))}
	fields := map[string]string{}
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
	Total      int            `json:"total"` // commenters in the group; 0 when suppressed
	Comments   []CommentJSON  `json:"comments"`
}

type CommentJSON struct {
	Text string `json:"text"`
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
	out := CommentsJSON{Question: got.Question, Threshold: got.Threshold, Suppressed: got.Suppressed, Reason: got.Reason,
		Total: got.Total, Comments: make([]CommentJSON, 0, len(got.Texts))}
	if r.query.Filter != (report.Filter{}) {
		out.Filter = &r.query.Filter
	}
	for _, t := range got.Texts {
		out.Comments = append(out.Comments, CommentJSON{Text: t})
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

func fieldLabel(k string) string {
	if k == "" {
		return ""
	}
	return strings.ToUpper(k[:1]) + k[1:]
}
