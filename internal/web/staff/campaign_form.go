package staff

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/input"
)

// sendAtLayout is how a datetime-local input writes a time; campaigns are
// scheduled in UTC, and the form says so.
const sendAtLayout = "2006-01-02T15:04"

// Audience choices on the form.
const (
	audienceAccounts = "accounts"
	audienceSegment  = "segment"
	audienceContacts = "contacts"
)

// campaignForm is the new-campaign form as entered: the same fields go to
// the preview, to the confirmation and back to the form.
type campaignForm struct {
	Audience   string
	AccountIDs []string
	Segment    store.Segment
	ContactIDs []string
	Search     string
	Reminders  int
	AfterDays  int
	When       string // "now" or "later"
	SendAt     string // sendAtLayout, UTC
}

func newCampaignForm() campaignForm {
	return campaignForm{Audience: audienceAccounts, Reminders: invite.DefaultReminders, AfterDays: invite.DefaultReminderDays, When: "now"}
}

// values returns the form as query parameters, for links back to it.
func (f campaignForm) values() url.Values {
	v := url.Values{
		"audience": {f.Audience}, "reminders": {strconv.Itoa(f.Reminders)}, "afterDays": {strconv.Itoa(f.AfterDays)},
		"when": {f.When}, "sendAt": {f.SendAt},
		"region": {f.Segment.Region}, "country": {f.Segment.Country}, "industry": {f.Segment.Industry}, "tier": {f.Segment.Tier},
	}
	v["accountIds"] = f.AccountIDs
	v["contactIds"] = f.ContactIDs
	if f.Search != "" {
		v.Set("q", f.Search)
	}
	return v
}

// Query is the form as a query string.
func (f campaignForm) Query() string { return f.values().Encode() }

// Fields lists the form as name/value pairs, for hidden inputs.
func (f campaignForm) Fields() [][2]string {
	var out [][2]string
	v := f.values()
	v.Del("q")
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, val := range v[k] {
			if val != "" {
				out = append(out, [2]string{k, val})
			}
		}
	}
	return out
}

// HasAccount reports whether an account is chosen.
func (f campaignForm) HasAccount(id string) bool { return slices.Contains(f.AccountIDs, id) }

// HasContact reports whether a contact is chosen.
func (f campaignForm) HasContact(id string) bool { return slices.Contains(f.ContactIDs, id) }

// multiValues reads every value of a repeated field, from the body of a
// POST or the query of a GET, copied out of Fiber's reused buffers.
func multiValues(c *fiber.Ctx, key string) []string {
	var raw [][]byte
	if c.Method() == fiber.MethodPost {
		raw = c.Request().PostArgs().PeekMulti(key)
	} else {
		raw = c.Context().QueryArgs().PeekMulti(key)
	}
	var out []string
	for _, b := range raw {
		if v := strings.TrimSpace(string(b)); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// formValue reads a field of a form from a POST body or, for links back
// to the form, from the query: trimmed, and copied out of Fiber's buffers.
func formValue(c *fiber.Ctx, key string) string {
	if c.Method() == fiber.MethodPost {
		return strings.TrimSpace(input.Form(c, key))
	}
	return strings.TrimSpace(utils.CopyString(c.Query(key)))
}

// readReminderPlan reads the reminders and afterDays fields of a campaign
// or schedule form into count and afterDays, leaving a field's default
// when it is empty and a field error when it is not a whole number.
func readReminderPlan(c *fiber.Ctx, count, afterDays *int, fields map[string]string) {
	for _, n := range []struct {
		key string
		dst *int
	}{{"reminders", count}, {"afterDays", afterDays}} {
		if v := formValue(c, n.key); v != "" {
			parsed, err := strconv.Atoi(v)
			if err != nil {
				fields[n.key] = "must be a whole number"
				continue
			}
			*n.dst = parsed
		}
	}
}

// readCampaignForm reads the form from a POST body or, for links back to
// the form, from the query.
func readCampaignForm(c *fiber.Ctx) (campaignForm, map[string]string) {
	get := func(key string) string { return formValue(c, key) }
	f := newCampaignForm()
	fields := map[string]string{}
	if a := get("audience"); a != "" {
		f.Audience = a
	}
	f.AccountIDs = multiValues(c, "accountIds")
	f.ContactIDs = multiValues(c, "contactIds")
	f.Segment = store.Segment{Region: get("region"), Country: get("country"), Industry: get("industry"), Tier: get("tier")}
	f.Search = get("q")
	readReminderPlan(c, &f.Reminders, &f.AfterDays, fields)
	if w := get("when"); w == "later" {
		f.When = w
	}
	f.SendAt = get("sendAt")
	return f, fields
}

// request turns the form into a campaign request, or says what is missing.
func (f campaignForm) request() (invite.Request, map[string]string) {
	fields := map[string]string{}
	req := invite.Request{Reminders: &store.ReminderPlan{Count: f.Reminders, AfterDays: f.AfterDays}}
	switch f.Audience {
	case audienceAccounts:
		if len(f.AccountIDs) == 0 {
			fields["accountIds"] = "choose at least one account"
		}
		req.AccountIDs = f.AccountIDs
	case audienceSegment:
		seg := f.Segment
		req.Segment = &seg
	case audienceContacts:
		if len(f.ContactIDs) == 0 {
			fields["contactIds"] = "search for contacts and tick at least one"
		}
		req.ContactIDs = f.ContactIDs
	default:
		fields["audience"] = "choose accounts, a segment or contacts"
	}
	if f.When == "later" {
		at, err := time.ParseInLocation(sendAtLayout, f.SendAt, time.UTC)
		if err != nil {
			fields["sendAt"] = "enter a date and time in UTC, such as 2026-05-04T09:00"
		} else {
			req.SendAt = &at
		}
	}
	return req, fields
}

// campaignFormPage is what campaign_new.html shows.
type campaignFormPage struct {
	Form        campaignForm
	Options     invite.FormOptions
	SurveyTitle string
	Found       []customer.Contact // contacts matching Form.Search
	FoundTotal  int64
	Chosen      []string // contacts chosen in earlier searches, not among Found
	Errors      map[string]string
	Error       string
	Skipped     []skipRow // when nobody could be invited
	MinSendAt   string    // now, as the datetime-local input writes it
	Now         string    // now, for people
}

// skipRow is a skipped contact as pages list them.
type skipRow struct {
	ContactID, Name, Reason string
}

func skipRows(skipped []invite.Skipped) []skipRow {
	out := make([]skipRow, len(skipped))
	for i, sk := range skipped {
		out[i] = skipRow{ContactID: sk.ContactID, Name: sk.Name, Reason: invite.SkipLabel(sk.Reason)}
	}
	return out
}
