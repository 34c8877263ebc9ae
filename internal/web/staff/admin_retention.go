package staff

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/retention"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
)

// RetentionService is what the staff pages use of the retention policy
// (*retention.Service).
type RetentionService interface {
	Policy(ctx context.Context, actor store.User) (retention.Policy, store.RetentionPolicy, error)
	SavePolicy(ctx context.Context, actor store.User, p retention.Policy) (retention.Policy, error)
	Defaults() retention.Policy
	Preview(ctx context.Context, actor store.User) (retention.Preview, error)
	Runs(ctx context.Context, actor store.User, p store.Page) ([]retention.RunRecord, int64, error)
	NextRun(ctx context.Context) (next, last time.Time, err error)
}

var _ RetentionService = (*retention.Service)(nil)

const runsPerPage = 10

// retentionPage is admin_retention.html.
type retentionPage struct {
	Fields   []retentionField
	Errors   map[string]string
	Error    string
	Saved    bool
	Updated  string // who saved the policy last, and when; empty: never saved
	Preview  retention.Preview
	Contacts []retentionContact
	Runs     []retentionRun
	NextRun  string
	LastRun  string
	pager.Pager
}

// retentionField is one period of the form.
type retentionField struct {
	Name, Label, Unit, Help, Value string
	Max                            int
	Error                          string
}

type retentionContact struct {
	ID, Account, Created, LastSurveyed string
}

type retentionRun struct {
	At, ISO string
	Counts  retention.Counts
}

// retentionFields lays out the form over values (as typed, or the policy's).
func retentionFields(defaults retention.Policy, values map[string]string, errs map[string]string) []retentionField {
	def := func(n int, unit string) string {
		if n == 0 {
			return "Default: off."
		}
		return "Default: " + strconv.Itoa(n) + " " + unit + "."
	}
	fields := []retentionField{
		{Name: retention.FieldContactMonths, Label: "Erase contacts not surveyed for (months)", Unit: "months", Max: retention.MaxMonths,
			Help: "Contacts neither surveyed nor added within this many months are erased, as an erasure request would. 0 turns it off. " + def(defaults.ContactMonths, "months")},
		{Name: retention.FieldNamedMonths, Label: "Keep names on answers for (months)", Unit: "months", Max: retention.MaxMonths,
			Help: "Named answers older than this become anonymous; the answers and the reports stay. A survey may keep names for fewer months. 0 turns it off. " + def(defaults.NamedMonths, "months")},
		{Name: retention.FieldDevOutboxDays, Label: "Keep dev-outbox mail for (days)", Unit: "days", Max: retention.MaxDays,
			Help: "Mail kept in the dev outbox instead of being sent is deleted after this many days. 0 keeps it. " + def(defaults.DevOutboxDays, "days")},
		{Name: retention.FieldDeadLetterDays, Label: "Keep failed and bounced messages for (days)", Unit: "days", Max: retention.MaxDays,
			Help: "Messages that could not be delivered are listed on their campaign for this many days. 0 keeps them. " + def(defaults.DeadLetterDays, "days")},
	}
	for i := range fields {
		fields[i].Value, fields[i].Error = values[fields[i].Name], errs[fields[i].Name]
	}
	return fields
}

// policyValues is p as the form shows it.
func policyValues(p retention.Policy) map[string]string {
	return map[string]string{
		retention.FieldContactMonths: strconv.Itoa(p.ContactMonths), retention.FieldNamedMonths: strconv.Itoa(p.NamedMonths),
		retention.FieldDevOutboxDays: strconv.Itoa(p.DevOutboxDays), retention.FieldDeadLetterDays: strconv.Itoa(p.DeadLetterDays),
	}
}

// parseRetentionForm reads the policy form: each period a whole number
// (an empty one is 0, off). Bounds are the service's to check.
func parseRetentionForm(form url.Values) (retention.Policy, map[string]string, map[string]string) {
	values, problems := map[string]string{}, map[string]string{}
	read := func(name string) int {
		v := strings.TrimSpace(form.Get(name))
		tooLong := len(v) > 12
		if tooLong {
			v = v[:12] // shown again, shortened
		}
		values[name] = v
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || tooLong {
			problems[name] = "must be a whole number"
			return 0
		}
		return n
	}
	p := retention.Policy{
		ContactMonths: read(retention.FieldContactMonths), NamedMonths: read(retention.FieldNamedMonths),
		DevOutboxDays: read(retention.FieldDevOutboxDays), DeadLetterDays: read(retention.FieldDeadLetterDays),
	}
	return p, values, problems
}

// AdminRetention shows the retention policy, what its next run would
// remove, and the past runs.
func (s *Pages) AdminRetention(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	p, stored, err := s.retention.Policy(c.UserContext(), actor)
	if err != nil {
		return err
	}
	page := retentionPage{Saved: c.Query("saved") == "1"}
	page.Fields = retentionFields(s.retention.Defaults(), policyValues(p), nil)
	if !stored.UpdatedAt.IsZero() {
		page.Updated = "Saved by " + stored.UpdatedByEmail + " on " + stored.UpdatedAt.UTC().Format("2 Jan 2006 15:04") + " UTC."
	}
	return s.renderRetention(c, fiber.StatusOK, page)
}

// AdminRetentionSave saves the policy, or shows the form again with what
// was typed and a message by each invalid period.
func (s *Pages) AdminRetentionSave(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	form := url.Values{}
	for _, name := range []string{retention.FieldContactMonths, retention.FieldNamedMonths, retention.FieldDevOutboxDays, retention.FieldDeadLetterDays} {
		form.Set(name, input.Form(c, name))
	}
	p, values, problems := parseRetentionForm(form)
	if len(problems) == 0 {
		_, err := s.retention.SavePolicy(c.UserContext(), actor, p)
		if pr := problem.WithFields(err); pr != nil {
			problems = pr.Fields
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		page := retentionPage{Errors: problems, Fields: retentionFields(s.retention.Defaults(), values, problems)}
		return s.renderRetention(c, fiber.StatusBadRequest, page)
	}
	return c.Redirect("/admin/retention?saved=1", fiber.StatusSeeOther)
}

// renderRetention fills in the preview and the runs, and draws the page.
func (s *Pages) renderRetention(c *fiber.Ctx, status int, page retentionPage) error {
	ctx := c.UserContext()
	actor, _ := identity.User(c)
	var err error
	if page.Preview, err = s.retention.Preview(ctx, actor); err != nil {
		return err
	}
	for _, ct := range page.Preview.Contacts {
		row := retentionContact{ID: ct.ID, Account: ct.Account, Created: ct.CreatedAt.UTC().Format("2 Jan 2006"), LastSurveyed: "never"}
		if ct.LastSurveyedAt != nil {
			row.LastSurveyed = ct.LastSurveyedAt.UTC().Format("2 Jan 2006")
		}
		page.Contacts = append(page.Contacts, row)
	}
	n := max(c.QueryInt("page", 1), 1)
	runs, total, err := s.retention.Runs(ctx, actor, store.Page{Offset: int64(n-1) * runsPerPage, Limit: runsPerPage})
	if err != nil {
		return err
	}
	page.Pager = pager.New("/admin/retention", url.Values{}, n, runsPerPage, len(runs), total)
	page.NewestFirst = true
	for _, r := range runs {
		page.Runs = append(page.Runs, retentionRun{At: r.At.UTC().Format("2 Jan 2006 15:04") + " UTC", ISO: r.At.UTC().Format(time.RFC3339), Counts: r.Counts})
	}
	next, last, err := s.retention.NextRun(ctx)
	if err != nil {
		return err
	}
	page.NextRun = "within the next few minutes"
	if !next.IsZero() && next.After(page.Preview.At) {
		page.NextRun = next.UTC().Format("2 Jan 2006 15:04") + " UTC"
	}
	if !last.IsZero() {
		page.LastRun = last.UTC().Format("2 Jan 2006 15:04") + " UTC"
	}
	return s.views.Render(c, status, "admin_retention", "Retention", page)
}
