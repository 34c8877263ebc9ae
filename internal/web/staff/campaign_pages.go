package staff

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/problem"
)

// contactsPerSearch bounds the contacts a search on the form lists.
const contactsPerSearch = 50

// campaignsPage is what campaigns.html shows.
type campaignsPage struct {
	Survey      survey.Survey
	SurveyTitle string
	Open        bool
	Campaigns   []campaignRow
	Schedules   []scheduleRow
	Done        string // what was just done to a schedule
}

type campaignRow struct {
	Campaign    store.Campaign
	Audience    string
	StateLabel  string
	Undelivered int // failed or bounced
}

// CampaignList lists a survey's campaigns.
func (s *Pages) CampaignList(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	sv, list, err := s.campaigns.List(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	p := campaignsPage{Survey: sv, SurveyTitle: surveyTitle(sv), Open: sv.Status == survey.StatusOpen}
	schedules, err := s.campaigns.Schedules(c.UserContext(), actor, sv.ID)
	if err != nil {
		return err
	}
	for _, sch := range schedules {
		p.Schedules = append(p.Schedules, newScheduleRow(sch))
	}
	switch done := c.Query("schedule"); done {
	case "created", "paused", "resumed", "deleted":
		p.Done = done
	}
	for _, camp := range list {
		p.Campaigns = append(p.Campaigns, campaignRow{Campaign: camp, Audience: audienceLabel(camp.Audience),
			StateLabel: labels.CampaignState(camp.State), Undelivered: camp.Counts.Failed + camp.Counts.Bounced})
	}
	return s.views.Render(c, fiber.StatusOK, "campaigns", "Campaigns · "+p.SurveyTitle, p)
}

// CampaignNew shows the form, filled from the query when coming back from
// the preview or a contact search.
func (s *Pages) CampaignNew(c *fiber.Ctx) error {
	form, fields := readCampaignForm(c)
	return s.renderCampaignForm(c, fiber.StatusOK, form, fields, "", nil)
}

// renderCampaignForm shows the form with what was entered and what is wrong.
func (s *Pages) renderCampaignForm(c *fiber.Ctx, status int, form campaignForm, fields map[string]string, formError string, skipped []skipRow) error {
	actor, _ := identity.User(c)
	opts, err := s.campaigns.FormOptions(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	p := campaignFormPage{
		Form: form, Options: opts, SurveyTitle: surveyTitle(opts.Survey), Errors: fields, Error: formError, Skipped: skipped,
		MinSendAt: time.Now().UTC().Format(sendAtLayout), Now: time.Now().UTC().Format("2 Jan 2006 15:04"),
	}
	if form.Audience == audienceContacts && form.Search != "" {
		p.Found, p.FoundTotal, err = s.campaigns.SearchContacts(c.UserContext(), actor, form.Search, store.Page{Limit: contactsPerSearch})
		switch msg := fault.FieldsOf(err)["search"]; {
		case msg != "":
			// Shown by the search box, with the rest of the form as it was.
			p.Errors = maps.Clone(p.Errors)
			if p.Errors == nil {
				p.Errors = map[string]string{}
			}
			p.Errors["search"] = "The search " + msg
			status = fiber.StatusBadRequest
		case err != nil:
			return err
		}
	}
	for _, id := range form.ContactIDs {
		if !slices.ContainsFunc(p.Found, func(fc customer.Contact) bool { return fc.ID == id }) {
			p.Chosen = append(p.Chosen, id)
		}
	}
	return s.views.Render(c, status, "campaign_new", "New campaign · "+p.SurveyTitle, p)
}

// formFailure shows the form again for an error the service found in the
// request, or returns the error when it is not about the request.
func (s *Pages) formFailure(c *fiber.Ctx, form campaignForm, err error) error {
	var empty *invite.EmptyAudienceError
	switch p := problem.Classify(err); {
	case len(p.Fields) > 0:
		return s.renderCampaignForm(c, p.Status, form, p.Fields, "", nil)
	case errors.As(err, &empty):
		return s.renderCampaignForm(c, p.Status, form, nil, problem.Sentence(p.Msg), skipRows(empty.Skipped))
	}
	return err
}

// campaignPreviewPage is what campaign_preview.html shows.
type campaignPreviewPage struct {
	Form        campaignForm
	SurveyID    string
	SurveyTitle string
	Preview     invite.Preview
	Audience    string
	SkipCounts  []reasonCount
	Skipped     []skipRow
	Locales     []localeCount
	Emails      []emailPreview
	SendAt      string // empty: now
}

type reasonCount struct {
	Label string
	Count int
}

type localeCount struct {
	Name  string
	Count int
}

// emailPreview is one email a campaign sends, in one language.
type emailPreview struct {
	Locale, Name, Subject, Text, Frame string
	Kind                               outbox.Kind
	Label, KindWord                    string // "Invitation", "invitation"
}

// campaignEmails renders the emails a campaign of the survey sends: the
// invitation, and the reminder when it has reminders, in each of the
// survey's languages, exactly as the dispatcher renders them but for a
// sample name and links that lead nowhere. Any staff member who may run
// campaigns sees them, before sending and after.
func (s *Pages) campaignEmails(c *fiber.Ctx, sv survey.Survey, reminders bool) ([]emailPreview, error) {
	actor, _ := identity.User(c)
	kinds := []outbox.Kind{outbox.Invitation}
	if reminders {
		kinds = append(kinds, outbox.Reminder)
	}
	var out []emailPreview
	for _, kind := range kinds {
		for _, locale := range sv.Locales {
			e, err := s.campaigns.PreviewEmail(c.UserContext(), actor, sv.ID, locale, kind)
			if err != nil {
				return nil, err
			}
			p := emailPreview{
				Locale: locale, Name: i18n.EnglishName(locale), Subject: e.Subject, Text: e.Text, Kind: kind,
				Label: "Invitation", KindWord: "invitation",
				Frame: "/surveys/" + url.PathEscape(sv.ID) + "/campaigns/email?locale=" + url.QueryEscape(locale),
			}
			if kind == outbox.Reminder {
				p.Label, p.KindWord, p.Frame = "Reminder", "reminder", p.Frame+"&kind="+string(outbox.Reminder)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// previewSkips bounds the skipped contacts the preview lists by name.
const previewSkips = 200

// CampaignPreview resolves the audience and shows who would be invited,
// who skipped and why, and the email in each of the survey's languages.
func (s *Pages) CampaignPreview(c *fiber.Ctx) error {
	form, fields := readCampaignForm(c)
	req, more := form.request()
	maps.Copy(fields, more)
	if len(fields) > 0 {
		return s.renderCampaignForm(c, fiber.StatusBadRequest, form, fields, "", nil)
	}
	actor, _ := identity.User(c)
	pv, err := s.campaigns.Preview(c.UserContext(), actor, input.Param(c, "id"), req)
	if err != nil {
		return s.formFailure(c, form, err)
	}
	if pv.Queued == 0 {
		return s.formFailure(c, form, &invite.EmptyAudienceError{Skipped: pv.Skipped, Contacts: len(pv.Skipped)})
	}
	p := campaignPreviewPage{
		Form: form, SurveyID: pv.Survey.ID, SurveyTitle: surveyTitle(pv.Survey), Preview: pv,
		Audience: audienceLabel(requestAudience(req)), Skipped: skipRows(pv.Skipped[:min(len(pv.Skipped), previewSkips)]),
	}
	if req.SendAt != nil {
		p.SendAt = req.SendAt.UTC().Format("2 Jan 2006 15:04") + " UTC"
	}
	for _, reason := range invite.SkipReasons() {
		if n := pv.SkipCounts[reason]; n > 0 {
			p.SkipCounts = append(p.SkipCounts, reasonCount{Label: invite.SkipLabel(reason), Count: n})
		}
	}
	for _, lc := range pv.Locales {
		p.Locales = append(p.Locales, localeCount{Name: i18n.EnglishName(lc.Locale), Count: lc.Count})
	}
	if p.Emails, err = s.campaignEmails(c, pv.Survey, pv.Request.Reminders != nil && pv.Request.Reminders.Count > 0); err != nil {
		return err
	}
	return s.views.Render(c, fiber.StatusOK, "campaign_preview", "Preview campaign · "+p.SurveyTitle, p)
}

// CampaignCreate creates the campaign the preview showed.
func (s *Pages) CampaignCreate(c *fiber.Ctx) error {
	form, fields := readCampaignForm(c)
	req, more := form.request()
	maps.Copy(fields, more)
	if len(fields) > 0 {
		return s.renderCampaignForm(c, fiber.StatusBadRequest, form, fields, "", nil)
	}
	actor, _ := identity.User(c)
	created, err := s.campaigns.Create(c.UserContext(), actor, input.Param(c, "id"), req)
	if err != nil {
		return s.formFailure(c, form, err)
	}
	return c.Redirect("/campaigns/"+url.PathEscape(created.Campaign.ID)+"?created=1", fiber.StatusSeeOther)
}

// emailFramePolicy lets a sample email show in the page's sandboxed frame
// and nothing more: no scripts, no requests anywhere, its own inline styles.
const emailFramePolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

// CampaignEmail serves the sample email's HTML for the preview's frame.
func (s *Pages) CampaignEmail(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	kind := outbox.Invitation
	if c.Query("kind") == string(outbox.Reminder) {
		kind = outbox.Reminder
	}
	e, err := s.campaigns.PreviewEmail(c.UserContext(), actor, input.Param(c, "id"), utils.CopyString(c.Query("locale")), kind)
	if err != nil {
		return err
	}
	return sendFramedHTML(c, e.HTML)
}

// sendFramedHTML answers with an email's HTML, to be shown in a sandboxed
// frame of one of this site's pages and nowhere else.
func sendFramedHTML(c *fiber.Ctx, html string) error {
	c.Set("Content-Security-Policy", emailFramePolicy)
	c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(html)
}

// campaignPage is what campaign.html shows.
type campaignPage struct {
	Report      invite.Report
	SurveyTitle string
	StateLabel  string
	Audience    string
	Percent     int
	Refresh     bool
	CanCancel   bool
	Created     bool
	Cancelled   bool
	SkipCounts  []reasonCount
	Skipped     []skipRow
	Failures    []failureRow
	Reminders   string
	SendAt      string
	Emails      []emailPreview
	// Repeat is the query of a new-schedule form with this campaign's
	// accounts and reminders; empty when its audience cannot be repeated.
	Repeat string
}

type failureRow struct {
	ContactID, Name, State, Kind, Error string
	At                                  time.Time
}

// refreshSeconds is how often the campaign page reloads while sending.
const refreshSeconds = 3

// CampaignShow shows a campaign's progress, skips and failures.
func (s *Pages) CampaignShow(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	r, err := s.campaigns.Report(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	p := newCampaignPage(r)
	p.Created, p.Cancelled = c.Query("created") == "1", c.Query("cancelled") == "1"
	if r.Survey.ID != "" {
		if p.Emails, err = s.campaignEmails(c, r.Survey, r.Campaign.Reminders.Count > 0); err != nil {
			return err
		}
	}
	if p.Refresh {
		// The Refresh header reloads the page without any script.
		c.Set("Refresh", fmt.Sprint(refreshSeconds))
	}
	return s.views.Render(c, fiber.StatusOK, "campaign", "Campaign · "+p.SurveyTitle, p)
}

func newCampaignPage(r invite.Report) campaignPage {
	camp := r.Campaign
	p := campaignPage{
		Report: r, SurveyTitle: surveyTitle(r.Survey), StateLabel: labels.CampaignState(camp.State), Audience: audienceLabel(camp.Audience),
		Percent: int(r.Progress * 100), Refresh: camp.State == store.CampaignSending,
		CanCancel: camp.State != store.CampaignCancelled, Skipped: skipRows(r.Skipped),
		SendAt: camp.SendAt.UTC().Format("2 Jan 2006 15:04") + " UTC",
	}
	if camp.Audience.Kind == store.AudienceAccounts && camp.ScheduleID == "" {
		p.Repeat = url.Values{"audience": {scheduleAccounts}, "accountIds": camp.Audience.AccountIDs,
			"reminders": {strconv.Itoa(camp.Reminders.Count)}, "afterDays": {strconv.Itoa(max(camp.Reminders.AfterDays, 1))}}.Encode()
	}
	switch camp.Reminders.Count {
	case 0:
		p.Reminders = "No reminders"
	case 1:
		p.Reminders = fmt.Sprintf("1 reminder, %d days after the invitation", camp.Reminders.AfterDays)
	default:
		p.Reminders = fmt.Sprintf("%d reminders, every %d days", camp.Reminders.Count, camp.Reminders.AfterDays)
	}
	for _, reason := range invite.SkipReasons() {
		if n := camp.SkipReasons[reason]; n > 0 {
			p.SkipCounts = append(p.SkipCounts, reasonCount{Label: invite.SkipLabel(reason), Count: n})
		}
	}
	for _, f := range r.Failures {
		row := failureRow{ContactID: f.ContactID, Name: f.Name, State: string(f.State), Kind: string(f.Kind), Error: f.LastError}
		if f.FinishedAt != nil {
			row.At = *f.FinishedAt
		}
		p.Failures = append(p.Failures, row)
	}
	return p
}

// CampaignCancelConfirm asks before cancelling.
func (s *Pages) CampaignCancelConfirm(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	r, err := s.campaigns.Report(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	if r.Campaign.State == store.CampaignCancelled {
		return c.Redirect("/campaigns/"+url.PathEscape(r.Campaign.ID), fiber.StatusSeeOther)
	}
	return s.views.Render(c, fiber.StatusOK, "campaign_cancel", "Cancel campaign", newCampaignPage(r))
}

// CampaignCancel cancels the campaign.
func (s *Pages) CampaignCancel(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	r, err := s.campaigns.Cancel(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.Redirect("/campaigns/"+url.PathEscape(r.Campaign.ID)+"?cancelled=1", fiber.StatusSeeOther)
}

// surveyTitle is a survey's title in its default language.
func surveyTitle(sv survey.Survey) string {
	if t := sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale); t != "" {
		return t
	}
	return "Untitled survey"
}

// requestAudience describes a request's audience as a campaign records it.
func requestAudience(req invite.Request) store.CampaignAudience {
	switch {
	case len(req.ContactIDs) > 0:
		return store.CampaignAudience{Kind: store.AudienceContacts, Contacts: len(req.ContactIDs)}
	case len(req.AccountIDs) > 0:
		return store.CampaignAudience{Kind: store.AudienceAccounts, AccountIDs: req.AccountIDs}
	case req.Segment != nil:
		return store.CampaignAudience{Kind: store.AudienceSegment, Segment: *req.Segment}
	}
	return store.CampaignAudience{}
}

// audienceLabel describes an audience in a few words.
func audienceLabel(a store.CampaignAudience) string {
	switch a.Kind {
	case store.AudienceContacts:
		return plural(a.Contacts, "chosen contact", "chosen contacts")
	case store.AudienceAccounts:
		return "Every contact of " + plural(len(a.AccountIDs), "account", "accounts")
	case store.AudienceSegment:
		var parts []string
		for _, f := range []struct{ name, value string }{
			{"region", a.Segment.Region}, {"country", a.Segment.Country}, {"industry", a.Segment.Industry}, {"tier", a.Segment.Tier},
		} {
			if f.value != "" {
				parts = append(parts, f.name+" "+f.value)
			}
		}
		return "Accounts in " + strings.Join(parts, ", ")
	}
	return "—"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
