package invite

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// Service creates, shows and cancels campaigns, and answers unsubscribe
// links and the dev outbox. Sending is the Dispatcher's.
type Service struct {
	base
}

// NewService returns a Service.
func NewService(d Deps) (*Service, error) {
	b, err := newBase(d)
	if err != nil {
		return nil, err
	}
	return &Service{base: b}, nil
}

// farFuture keeps a campaign active while it still sends.
func farFuture() time.Time { return time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }

func mayCampaign(actor store.User) error {
	if !policy.CanRunCampaigns(policy.Of(actor)) {
		return ErrForbidden
	}
	return nil
}

// openSurvey returns a survey campaigns may be sent for.
func (s *Service) openSurvey(ctx context.Context, id string) (survey.Survey, error) {
	sv, err := s.stores.Surveys.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return survey.Survey{}, ErrNotFound
	}
	if err != nil {
		return survey.Survey{}, fmt.Errorf("invite: %w", err)
	}
	if sv.Status != survey.StatusOpen {
		return survey.Survey{}, ErrSurveyNotOpen
	}
	return sv, nil
}

// checkRequest validates and completes the reminder plan and send time.
func (s *Service) checkRequest(req *Request, now time.Time) error {
	fields := map[string]string{}
	if req.Reminders == nil {
		req.Reminders = &store.ReminderPlan{Count: DefaultReminders, AfterDays: DefaultReminderDays}
	}
	r := req.Reminders
	if r.Count < 0 || r.Count > MaxReminders {
		fields["reminders.count"] = fmt.Sprintf("must be from 0 to %d", MaxReminders)
	}
	if r.Count > 0 && (r.AfterDays < 1 || r.AfterDays > MaxReminderDays) {
		fields["reminders.afterDays"] = fmt.Sprintf("must be from 1 to %d days", MaxReminderDays)
	}
	if r.Count == 0 {
		r.AfterDays = 0
	}
	if req.SendAt != nil {
		at := req.SendAt.UTC().Truncate(time.Millisecond)
		switch {
		case at.After(now.Add(MaxScheduleAhead)):
			fields["sendAt"] = "must be within a year"
		case !at.After(now):
			req.SendAt = nil // the past means now
		default:
			req.SendAt = &at
		}
	}
	return invalid(fields)
}

// Created is a campaign just stored.
type Created struct {
	Campaign store.Campaign
	Queued   int
	Skipped  []Skipped
}

// Create resolves the audience, records who is skipped and why, and stores
// the campaign with its backlog for the dispatcher. An audience that
// resolves to nobody stores nothing and returns an *EmptyAudienceError.
func (s *Service) Create(ctx context.Context, actor store.User, surveyID string, req Request) (Created, error) {
	return s.create(ctx, actor, surveyID, req, store.NewID(), s.clock())
}

// create is Create with the campaign's id given: a schedule's run derives
// it from the schedule and period, so that of runs racing for a period
// only one stores a campaign (store.ErrDuplicate for the others).
func (s *Service) create(ctx context.Context, actor store.User, surveyID string, req Request, id string, now time.Time) (Created, error) {
	if err := mayCampaign(actor); err != nil {
		return Created{}, err
	}
	sv, err := s.openSurvey(ctx, surveyID)
	if err != nil {
		return Created{}, err
	}
	if err := s.checkRequest(&req, now); err != nil {
		return Created{}, err
	}
	p, err := s.resolve(ctx, actor, sv, req, now)
	if err != nil {
		return Created{}, err
	}
	if len(p.recipients) == 0 {
		return Created{}, &EmptyAudienceError{Skipped: p.skipped, Contacts: p.audience.Contacts}
	}

	c := store.Campaign{
		ID: id, SurveyID: sv.ID, CreatedBy: actor.ID, Audience: p.audience, Reminders: *req.Reminders, Wave: req.wave, ScheduleID: req.scheduleID,
		State: store.CampaignSending, SendAt: now, Counts: store.CampaignCounts{Invited: len(p.recipients)},
		Skipped: len(p.skipped), SkipReasons: map[string]int{}, CreatedAt: now, StartedAt: &now, ActiveUntil: farFuture(),
	}
	if req.SendAt != nil {
		c.State, c.SendAt, c.StartedAt = store.CampaignScheduled, *req.SendAt, nil
	}
	skips := make([]store.Skip, len(p.skipped))
	for i, sk := range p.skipped {
		skips[i] = store.Skip{ContactID: sk.ContactID, Reason: sk.Reason}
		c.SkipReasons[sk.Reason]++
	}
	batches := s.backlog(c.ID, store.InvitationScope(c.SurveyID, c.Wave), p.recipients)
	c.Batches = len(batches)
	if err := s.stores.Campaigns.Create(ctx, c, batches, skips); err != nil {
		return Created{}, fmt.Errorf("invite: %w", err)
	}
	s.logger.InfoContext(ctx, "campaign created", "campaign", c.ID, "survey", sv.ID,
		"invitations", len(p.recipients), "skipped", len(p.skipped), "state", c.State)
	return Created{Campaign: c, Queued: len(p.recipients), Skipped: p.skipped}, nil
}

// backlog splits the recipients into batches, each invitation getting its
// (link-sized) id now: derived from survey and contact, so that campaigns
// whose audiences overlap can never both create one (see InsertBatch).
func (s *Service) backlog(campaignID, scope string, rs []recipient) []store.CampaignBatch {
	size := s.cfg.BatchSize
	out := make([]store.CampaignBatch, 0, (len(rs)+size-1)/size)
	for seq, start := 0, 0; start < len(rs); seq, start = seq+1, start+size {
		part := rs[start:min(start+size, len(rs))]
		entries := make([]store.BatchEntry, len(part))
		for i, r := range part {
			entries[i] = store.BatchEntry{InvitationID: store.InvitationID(scope, r.contactID), ContactID: r.contactID, AccountID: r.accountID, Locale: r.locale}
		}
		out = append(out, store.CampaignBatch{ID: store.BatchID(campaignID, seq), CampaignID: campaignID, Seq: seq, Entries: entries})
	}
	return out
}

// LocaleCount is how many emails go out in a language.
type LocaleCount struct {
	Locale string
	Count  int
}

// Preview is what a campaign would do, before it is created.
type Preview struct {
	Survey     survey.Survey
	Request    Request // completed with the defaults
	Queued     int
	Skipped    []Skipped
	SkipCounts map[string]int
	Locales    []LocaleCount // of the emails to send, most first
	Emails     []Email       // one per survey locale
}

// Preview resolves the audience like Create but stores nothing, and
// renders the email in each of the survey's languages.
func (s *Service) Preview(ctx context.Context, actor store.User, surveyID string, req Request) (Preview, error) {
	if err := mayCampaign(actor); err != nil {
		return Preview{}, err
	}
	sv, err := s.openSurvey(ctx, surveyID)
	if err != nil {
		return Preview{}, err
	}
	now := s.clock()
	if err := s.checkRequest(&req, now); err != nil {
		return Preview{}, err
	}
	p, err := s.resolve(ctx, actor, sv, req, now)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{Survey: sv, Request: req, Queued: len(p.recipients), Skipped: p.skipped, SkipCounts: map[string]int{}}
	for _, sk := range p.skipped {
		out.SkipCounts[sk.Reason]++
	}
	perLocale := map[string]int{}
	for _, r := range p.recipients {
		perLocale[r.locale]++
	}
	for _, l := range slices.Sorted(maps.Keys(perLocale)) {
		out.Locales = append(out.Locales, LocaleCount{Locale: l, Count: perLocale[l]})
	}
	slices.SortStableFunc(out.Locales, func(a, b LocaleCount) int { return cmp.Compare(b.Count, a.Count) })
	for _, l := range sv.Locales {
		e, err := s.sampleEmail(sv, l, outbox.Invitation)
		if err != nil {
			return Preview{}, err
		}
		out.Emails = append(out.Emails, e)
	}
	return out, nil
}

// SampleName is the contact sample emails are addressed to.
const SampleName = "Alex Example"

// PreviewEmail renders the email of a survey in one of its languages,
// addressed to a sample contact; kind chooses the invitation or reminder.
func (s *Service) PreviewEmail(ctx context.Context, actor store.User, surveyID, locale string, kind outbox.Kind) (Email, error) {
	if err := mayCampaign(actor); err != nil {
		return Email{}, err
	}
	sv, err := s.stores.Surveys.ByID(ctx, surveyID)
	if errors.Is(err, store.ErrNotFound) {
		return Email{}, ErrNotFound
	}
	if err != nil {
		return Email{}, fmt.Errorf("invite: %w", err)
	}
	if !slices.Contains(sv.Locales, locale) {
		return Email{}, ErrNotFound
	}
	if kind != outbox.Reminder {
		kind = outbox.Invitation
	}
	return s.sampleEmail(sv, locale, kind)
}

// sampleEmail renders an email with links of real length that lead
// nowhere: their ids name no invitation or contact.
func (s *Service) sampleEmail(sv survey.Survey, locale string, kind outbox.Kind) (Email, error) {
	now := s.clock()
	expires := now.AddDate(0, 0, sv.TokenValidityDays)
	surveyURL, err := s.links.SurveyURL(link.NewID(), expires)
	if err != nil {
		return Email{}, fmt.Errorf("invite: %w", err)
	}
	unsubscribeURL, err := s.links.UnsubscribeURL(store.NewID(), now.Add(unsubscribeValidity))
	if err != nil {
		return Email{}, fmt.Errorf("invite: %w", err)
	}
	return s.email.render(emailInput{
		Locale: locale, Kind: kind, Name: SampleName, Survey: sv, SenderName: s.senderName(sv.Branding),
		SurveyURL: surveyURL, PrivacyURL: surveyURL + "/privacy", UnsubscribeURL: unsubscribeURL, ExpiresAt: expires,
		LogoURL: s.logoURL(sv.Branding),
	})
}

// FormOptions is what the new-campaign form offers the actor.
type FormOptions struct {
	Survey                                survey.Survey
	Accounts                              []store.Account
	Regions, Countries, Industries, Tiers []string
}

// FormOptions lists the actor's accounts and the segment values among them.
func (s *Service) FormOptions(ctx context.Context, actor store.User, surveyID string) (FormOptions, error) {
	if err := mayCampaign(actor); err != nil {
		return FormOptions{}, err
	}
	sv, err := s.openSurvey(ctx, surveyID)
	if err != nil {
		return FormOptions{}, err
	}
	accounts, err := s.customers.VisibleAccounts(ctx, actor)
	if err != nil {
		return FormOptions{}, customerError(err)
	}
	out := FormOptions{Survey: sv, Accounts: accounts}
	out.Regions = distinct(accounts, func(a store.Account) string { return a.Region })
	out.Countries = distinct(accounts, func(a store.Account) string { return a.Country })
	out.Industries = distinct(accounts, func(a store.Account) string { return a.Industry })
	out.Tiers = distinct(accounts, func(a store.Account) string { return a.Tier })
	return out, nil
}

func distinct(accounts []store.Account, field func(store.Account) string) []string {
	set := map[string]bool{}
	for _, a := range accounts {
		if v := strings.TrimSpace(field(a)); v != "" {
			set[v] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// SearchContacts finds the actor's contacts to pick for a campaign.
func (s *Service) SearchContacts(ctx context.Context, actor store.User, search string, p store.Page) ([]customer.Contact, int64, error) {
	if err := mayCampaign(actor); err != nil {
		return nil, 0, err
	}
	items, total, err := s.customers.ListContacts(ctx, actor, customer.ContactQuery{Search: search, Page: p})
	if err != nil {
		return nil, 0, customerError(err)
	}
	return items, total, nil
}

// viewable returns a campaign the actor may see: admins every one,
// managers their own; ErrNotFound otherwise.
func (s *Service) viewable(ctx context.Context, actor store.User, id string) (store.Campaign, error) {
	if err := mayCampaign(actor); err != nil {
		return store.Campaign{}, err
	}
	c, err := s.stores.Campaigns.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !policy.SeesCampaign(policy.Of(actor), c.CreatedBy)) {
		return store.Campaign{}, ErrNotFound
	}
	if err != nil {
		return store.Campaign{}, fmt.Errorf("invite: %w", err)
	}
	return c, nil
}

// List returns a survey's campaigns the actor may see, newest first.
func (s *Service) List(ctx context.Context, actor store.User, surveyID string) (survey.Survey, []store.Campaign, error) {
	if err := mayCampaign(actor); err != nil {
		return survey.Survey{}, nil, err
	}
	sv, err := s.stores.Surveys.ByID(ctx, surveyID)
	if errors.Is(err, store.ErrNotFound) {
		return survey.Survey{}, nil, ErrNotFound
	}
	if err != nil {
		return survey.Survey{}, nil, fmt.Errorf("invite: %w", err)
	}
	createdBy := actor.ID
	if policy.SeesAllCampaigns(policy.Of(actor)) {
		createdBy = ""
	}
	list, err := s.stores.Campaigns.ListBySurvey(ctx, surveyID, createdBy)
	if err != nil {
		return survey.Survey{}, nil, fmt.Errorf("invite: %w", err)
	}
	return sv, list, nil
}

// Cancel stops a campaign: nothing more is fed or sent (a worker may finish
// the group of messages it is sending), queued messages are withdrawn and
// the campaign's pending invitations revoked, so their links stop working.
// Cancelling again changes nothing.
func (s *Service) Cancel(ctx context.Context, actor store.User, id string) (Report, error) {
	c, err := s.viewable(ctx, actor, id)
	if err != nil {
		return Report{}, err
	}
	now := s.clock()
	changed, err := s.stores.Campaigns.Cancel(ctx, c.ID, now)
	if err != nil {
		return Report{}, fmt.Errorf("invite: %w", err)
	}
	if changed {
		withdrawn, err := s.stores.Outbox.Withdraw(ctx, c.ID)
		if err != nil {
			return Report{}, fmt.Errorf("invite: %w", err)
		}
		if c, err = s.stores.Campaigns.ByID(ctx, c.ID); err != nil {
			return Report{}, fmt.Errorf("invite: %w", err)
		}
		unfed := unfedInvitations(c)
		if err := s.stores.Campaigns.AddCounts(ctx, c.ID, store.CountsDelta{Withdrawn: int(withdrawn) + unfed, SentBatch: -1}); err != nil {
			return Report{}, fmt.Errorf("invite: %w", err)
		}
		revoked, err := s.stores.Invitations.RevokeCampaign(ctx, c.ID)
		if err != nil {
			return Report{}, fmt.Errorf("invite: %w", err)
		}
		s.logger.InfoContext(ctx, "campaign cancelled", "campaign", c.ID, "by", actor.ID,
			"withdrawn", int(withdrawn)+unfed, "revoked", revoked)
	}
	return s.Report(ctx, actor, id)
}

// unfedInvitations counts the invitations of batches not fed yet, which
// were never made.
func unfedInvitations(c store.Campaign) int { return max(0, c.Counts.Invited-c.Counts.Fed) }
