package invite_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// TestAudienceSkipReasons gives each contact one reason not to be invited
// and checks the campaign records exactly that reason.
func TestAudienceSkipReasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acme := e.account(e.alice, "Acme", store.Segment{Country: "FI"})
	cs := e.contacts(acme, "pat", 8, "fi")
	sealer := seal.New(e.ring)
	now := e.clock.Now()

	// The contact invited by an earlier campaign.
	first := e.create(e.alice, invite.Request{ContactIDs: []string{cs[5].ID}})
	if first.Queued != 1 {
		t.Fatalf("first campaign queued %d", first.Queued)
	}

	setups := []struct {
		contact int
		want    string
		setup   func()
	}{
		{0, "", func() {}},
		{1, store.SkipUnsubscribed, func() {
			if err := e.st.Contacts.SetStatus(ctx, cs[1].ID, contacts.Unsubscribed, now); err != nil {
				t.Fatal(err)
			}
		}},
		{2, store.SkipBounced, func() {
			// Suppressed while the contact still looks active: the
			// suppression list alone decides.
			idx := sealer.BlindIndexes(cs[2].Email)
			if err := e.st.Suppressions.Add(ctx, store.Suppression{ID: idx[0], Reason: store.SuppressedBounced, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}},
		{3, store.SkipErased, func() {
			if err := e.st.Contacts.Erase(ctx, cs[3].ID, now); err != nil {
				t.Fatal(err)
			}
		}},
		{4, store.SkipRecentlySurveyed, func() {
			if err := e.st.Contacts.MarkSurveyed(ctx, cs[4].ID, now.Add(-10*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}},
		{5, store.SkipAlreadyInvited, func() {}},
		{6, "", func() {
			// Surveyed, but longer ago than the 90-day window.
			if err := e.st.Contacts.MarkSurveyed(ctx, cs[6].ID, now.Add(-100*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}},
		{7, store.SkipInvalidEmail, func() { corruptEmail(t, e, cs[7].ID, "no-at-sign") }},
	}
	for _, s := range setups {
		s.setup()
	}

	created := e.create(e.alice, invite.Request{AccountIDs: []string{acme.ID}})
	if created.Queued != 2 {
		t.Errorf("queued %d, want 2 (contacts 0 and 6)", created.Queued)
	}
	got := map[string]string{}
	for _, sk := range created.Skipped {
		got[sk.ContactID] = sk.Reason
	}
	for _, s := range setups {
		if got[cs[s.contact].ID] != s.want {
			t.Errorf("contact %d: skip reason %q, want %q", s.contact, got[cs[s.contact].ID], s.want)
		}
	}

	// The campaign records the skips too, for its page.
	c, err := e.st.Campaigns.ByID(ctx, created.Campaign.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Skipped != 6 || c.SkipReasons[store.SkipAlreadyInvited] != 1 || c.Counts.Invited != 2 || c.Audience.Contacts != 8 {
		t.Errorf("stored campaign: skipped %d %v, invited %d, audience %d", c.Skipped, c.SkipReasons, c.Counts.Invited, c.Audience.Contacts)
	}
	stored, err := e.st.Campaigns.Skips(ctx, c.ID, 100)
	if err != nil || len(stored) != 6 {
		t.Fatalf("stored skips = %v, %v", stored, err)
	}
}

// corruptEmail replaces a contact's sealed email with text that is not an
// address, as data from before validation existed might be.
func corruptEmail(t *testing.T, e *env, contactID, email string) {
	t.Helper()
	ctx := context.Background()
	sealer := seal.New(e.ring)
	c, err := e.st.Contacts.ByID(ctx, contactID)
	if err != nil {
		t.Fatal(err)
	}
	dk, err := sealer.UnwrapDataKey(c.DataKey, "contact:"+c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email, err = dk.Seal([]byte(email), "contact:"+c.ID+":email"); err != nil {
		t.Fatal(err)
	}
	prev := c.EmailIndex
	c.EmailIndex, _ = sealer.BlindIndex(sealer.CurrentKeyID(), email)
	if err := e.st.Contacts.Replace(ctx, c, prev); err != nil {
		t.Fatal(err)
	}
}

func TestAudienceKinds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nordic := e.account(e.alice, "Nordic Gold", store.Segment{Region: "Nordics", Country: "FI", Tier: "gold"})
	nordicSilver := e.account(e.alice, "Nordic Silver", store.Segment{Region: "Nordics", Country: "SE", Tier: "silver"})
	south := e.account(e.alice, "Southern Gold", store.Segment{Region: "South", Country: "ES", Tier: "gold"})
	a := e.contacts(nordic, "ngold", 2, "fi")
	b := e.contacts(nordicSilver, "nsilver", 3, "sv")
	c := e.contacts(south, "south", 4, "es")

	tests := []struct {
		name string
		req  invite.Request
		want []customer.Contact
	}{
		{"chosen contacts, repeats once", invite.Request{ContactIDs: []string{a[0].ID, c[1].ID, a[0].ID}}, []customer.Contact{a[0], c[1]}},
		{"whole accounts", invite.Request{AccountIDs: []string{nordicSilver.ID, south.ID}}, slices.Concat(b, c)},
		{"segment by region", invite.Request{Segment: &store.Segment{Region: "nordics"}}, slices.Concat(a, b)},
		{"segment by tier and country", invite.Request{Segment: &store.Segment{Tier: "Gold", Country: "es"}}, c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := e.svc.Preview(context.Background(), e.alice, e.survey.ID, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if p.Queued != len(tt.want) || len(p.Skipped) != 0 {
				t.Fatalf("preview queues %d, skips %d; want %d, 0", p.Queued, len(p.Skipped), len(tt.want))
			}
			if p.Request.Reminders == nil || p.Request.Reminders.Count != 1 || p.Request.Reminders.AfterDays != 7 {
				t.Errorf("default reminders = %+v", p.Request.Reminders)
			}
			// The survey speaks en and fi; Spanish and Swedish contacts get its default, English.
			total := 0
			for _, lc := range p.Locales {
				total += lc.Count
				if lc.Locale != "en" && lc.Locale != "fi" {
					t.Errorf("an email in %s, which the survey lacks", lc.Locale)
				}
			}
			if total != len(tt.want) || len(p.Emails) != 2 {
				t.Errorf("locales %v, %d email previews", p.Locales, len(p.Emails))
			}
		})
	}
}

func TestCampaignRequestsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	mine := e.account(e.alice, "Alice's", store.Segment{Region: "Nordics"})
	theirs := e.account(e.bob, "Bob's", store.Segment{Region: "Nordics"})
	myContacts := e.contacts(mine, "mine", 2, "en")
	theirContacts := e.contacts(theirs, "theirs", 2, "en")
	closed := e.openSurvey(30)
	e.closeSurvey(closed)
	later := e.clock.Now().Add(400 * 24 * time.Hour)

	tests := []struct {
		name    string
		actor   store.User
		survey  string
		req     invite.Request
		wantErr error
		field   string
	}{
		{"analyst", e.anna, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID}}, invite.ErrForbidden, ""},
		{"another manager's account", e.alice, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID, theirs.ID}}, nil, "accountIds"},
		{"another manager's contact", e.alice, e.survey.ID, invite.Request{ContactIDs: []string{theirContacts[0].ID}}, nil, "contactIds"},
		{"no audience", e.alice, e.survey.ID, invite.Request{}, nil, "audience"},
		{"two audiences", e.alice, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID}, ContactIDs: []string{myContacts[0].ID}}, nil, "audience"},
		{"empty segment", e.alice, e.survey.ID, invite.Request{Segment: &store.Segment{}}, nil, "segment"},
		{"too many reminders", e.alice, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID}, Reminders: &store.ReminderPlan{Count: 9, AfterDays: 7}}, nil, "reminders.count"},
		{"reminder after 0 days", e.alice, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID}, Reminders: &store.ReminderPlan{Count: 1}}, nil, "reminders.afterDays"},
		{"scheduled too far", e.alice, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID}, SendAt: &later}, nil, "sendAt"},
		{"closed survey", e.alice, closed.ID, invite.Request{AccountIDs: []string{mine.ID}}, invite.ErrSurveyNotOpen, ""},
		{"missing survey", e.alice, "nope", invite.Request{AccountIDs: []string{mine.ID}}, invite.ErrNotFound, ""},
		{"segment nobody is in", e.alice, e.survey.ID, invite.Request{Segment: &store.Segment{Region: "Antarctica"}}, invite.ErrEmptyAudience, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Create(ctx, tt.actor, tt.survey, tt.req)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.field != "" {
				var ve *fault.Error
				if !errors.As(err, &ve) || ve.Fields()[tt.field] == "" {
					t.Fatalf("err = %v, want a message about %s", err, tt.field)
				}
			}
		})
	}
	// Nothing was stored by any of them.
	for _, sid := range []string{e.survey.ID, closed.ID} {
		if list, _ := e.st.Campaigns.ListBySurvey(ctx, sid, ""); len(list) != 0 {
			t.Errorf("survey %s has %d campaigns after refused requests", sid, len(list))
		}
	}
	// The admin may use anyone's accounts.
	if _, err := e.svc.Create(ctx, e.admin, e.survey.ID, invite.Request{AccountIDs: []string{mine.ID, theirs.ID}}); err != nil {
		t.Fatalf("admin: %v", err)
	}
}

// TestEmptyAudienceStoresNothing: an audience whose every contact is
// skipped is refused with the reasons, and no campaign is made.
func TestEmptyAudienceStoresNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(a, "gone", 2, "en")
	for _, c := range cs {
		if err := e.st.Contacts.SetStatus(ctx, c.ID, contacts.Unsubscribed, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.Create(ctx, e.alice, e.survey.ID, invite.Request{AccountIDs: []string{a.ID}})
	var empty *invite.EmptyAudienceError
	if !errors.As(err, &empty) || !errors.Is(err, invite.ErrEmptyAudience) || empty.Contacts != 2 || len(empty.Skipped) != 2 {
		t.Fatalf("err = %v; want an EmptyAudienceError naming both contacts", err)
	}
	if empty.Skipped[0].Reason != store.SkipUnsubscribed {
		t.Errorf("reason %q", empty.Skipped[0].Reason)
	}
	if list, _ := e.st.Campaigns.ListBySurvey(ctx, e.survey.ID, ""); len(list) != 0 {
		t.Fatalf("an empty campaign was stored")
	}
}

func TestCampaignsAreTheirCreatorsOrAdmins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 1, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})

	if _, err := e.svc.Report(ctx, e.bob, created.Campaign.ID); !errors.Is(err, invite.ErrNotFound) {
		t.Errorf("another manager read the campaign: %v", err)
	}
	if _, err := e.svc.Cancel(ctx, e.bob, created.Campaign.ID); !errors.Is(err, invite.ErrNotFound) {
		t.Errorf("another manager cancelled the campaign: %v", err)
	}
	if _, err := e.svc.Report(ctx, e.anna, created.Campaign.ID); !errors.Is(err, invite.ErrForbidden) {
		t.Errorf("analyst read the campaign: %v", err)
	}
	for _, u := range []store.User{e.alice, e.admin} {
		if r, err := e.svc.Report(ctx, u, created.Campaign.ID); err != nil || r.Counts.Queued != 1 {
			t.Errorf("%s: report %+v, %v", u.Name, r.Counts, err)
		}
	}
	if _, list, _ := e.svc.List(ctx, e.bob, e.survey.ID); len(list) != 0 {
		t.Errorf("another manager lists %d campaigns", len(list))
	}
	if _, list, _ := e.svc.List(ctx, e.admin, e.survey.ID); len(list) != 1 {
		t.Errorf("admin lists %d campaigns", len(list))
	}
}

func TestInFlightListsTheCampaignsOneSees(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(a, "pat", 2, "en")
	b := e.account(e.bob, "Bolt", store.Segment{})
	e.contacts(b, "sam", 1, "en")
	first := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}})
	theirs := e.create(e.bob, invite.Request{AccountIDs: []string{b.ID}})

	tests := []struct {
		name string
		user store.User
		want []string
	}{
		{"a manager sees their own", e.alice, []string{first.Campaign.ID}},
		{"another manager sees theirs", e.bob, []string{theirs.Campaign.ID}},
		{"an admin sees every one", e.admin, []string{first.Campaign.ID, theirs.Campaign.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := e.svc.InFlight(ctx, tt.user, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range list {
				got = append(got, r.Campaign.ID)
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("in flight %v, want %v", got, tt.want)
			}
		})
	}
	if list, err := e.svc.InFlight(ctx, e.admin, 1); err != nil || len(list) != 1 {
		t.Errorf("with a limit of 1: %d campaigns, %v", len(list), err)
	}
	if _, err := e.svc.InFlight(ctx, e.anna, 10); !errors.Is(err, invite.ErrForbidden) {
		t.Errorf("an analyst asked for campaigns in flight: %v", err)
	}
}
