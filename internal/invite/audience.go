package invite

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/survey"
)

// Request is a campaign as a manager asks for it: exactly one of
// ContactIDs, AccountIDs and Segment chooses the audience.
type Request struct {
	ContactIDs []string
	AccountIDs []string
	Segment    *store.Segment
	// Reminders nil means the default: one reminder after seven days.
	Reminders *store.ReminderPlan
	// SendAt nil or in the past means now.
	SendAt *time.Time

	// wave and scheduleID are set by a schedule's run (see Campaign.Wave).
	wave, scheduleID string
}

// Skipped is a contact left out of a campaign, with their name when the
// viewer may see it.
type Skipped struct {
	ContactID string `json:"contactId"`
	Name      string `json:"-"`
	Reason    string `json:"reason"`
}

// recipient is a contact who will be invited.
type recipient struct {
	contactID, accountID, locale string
}

// plan is a resolved audience.
type plan struct {
	audience   store.CampaignAudience
	recipients []recipient
	skipped    []Skipped
}

// maxChosenContacts bounds a hand-picked audience; larger ones are chosen
// by account or segment.
const maxChosenContacts = 10_000

// resolve turns a request into the contacts to invite and the ones to skip,
// through the customer service so that the actor's scope applies.
func (b *base) resolve(ctx context.Context, actor store.User, sv survey.Survey, req Request, now time.Time) (plan, error) {
	kinds := 0
	for _, set := range []bool{len(req.ContactIDs) > 0, len(req.AccountIDs) > 0, req.Segment != nil} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return plan{}, invalid(map[string]string{"audience": "choose contacts, accounts or a segment (exactly one)"})
	}

	// One pass over the suppressions and the survey's invitation keys
	// instead of two look-ups per contact.
	suppressed, err := b.stores.Suppressions.All(ctx)
	if err != nil {
		return plan{}, fmt.Errorf("invite: %w", err)
	}
	invited, err := b.invitedContacts(ctx, sv.ID, req.wave)
	if err != nil {
		return plan{}, err
	}
	var p plan
	seen := map[string]bool{}
	consider := func(r customer.Recipient) error {
		if seen[r.ContactID] {
			return nil
		}
		seen[r.ContactID] = true
		p.audience.Contacts++
		if reason := b.skipReason(r, suppressed, invited, now); reason != "" {
			p.skipped = append(p.skipped, Skipped{ContactID: r.ContactID, Name: r.Name, Reason: reason})
			return nil
		}
		p.recipients = append(p.recipients, recipient{contactID: r.ContactID, accountID: r.AccountID, locale: sv.Locale(r.Locale)})
		return nil
	}

	switch {
	case len(req.ContactIDs) > 0:
		p.audience.Kind = store.AudienceContacts
		err = b.resolveContacts(ctx, actor, req.ContactIDs, consider)
	case len(req.AccountIDs) > 0:
		p.audience.Kind = store.AudienceAccounts
		p.audience.AccountIDs, err = b.resolveAccounts(ctx, actor, req.AccountIDs)
		if err == nil {
			err = b.customers.EachRecipient(ctx, actor, p.audience.AccountIDs, consider)
		}
	default:
		p.audience.Kind = store.AudienceSegment
		p.audience.Segment = normalizeSegment(*req.Segment)
		if p.audience.Segment.IsZero() {
			return plan{}, invalid(map[string]string{"segment": "choose at least one of region, country, industry and tier"})
		}
		var ids []string
		ids, err = b.segmentAccounts(ctx, actor, p.audience.Segment)
		if err == nil {
			err = b.customers.EachRecipient(ctx, actor, ids, consider)
		}
	}
	if err != nil {
		return plan{}, customerError(err)
	}
	return p, nil
}

// invitedContacts returns the contacts invited to a survey, and those
// about to be: invitations are made only when their batch is fed, so the
// backlog of the survey's other campaigns counts too.
func (b *base) invitedContacts(ctx context.Context, surveyID, wave string) (map[string]bool, error) {
	invited, err := b.stores.Invitations.InvitedContacts(ctx, store.InvitationScope(surveyID, wave))
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	camps, err := b.stores.Campaigns.ListBySurvey(ctx, surveyID, "")
	if err != nil {
		return nil, fmt.Errorf("invite: %w", err)
	}
	for _, c := range camps {
		if c.State == store.CampaignCancelled || c.Wave != wave {
			continue
		}
		for seq := c.NextBatch; seq < c.Batches; seq++ {
			batch, err := b.stores.Campaigns.Batch(ctx, c.ID, seq)
			if err != nil {
				return nil, fmt.Errorf("invite: %w", err)
			}
			for _, e := range batch.Entries {
				invited[e.ContactID] = true
			}
		}
	}
	return invited, nil
}

func (b *base) resolveContacts(ctx context.Context, actor store.User, ids []string, consider func(customer.Recipient) error) error {
	if len(ids) > maxChosenContacts {
		return invalid(map[string]string{"contactIds": fmt.Sprintf("choose at most %d contacts; choose accounts or a segment for more", maxChosenContacts)})
	}
	var unknown []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		r, err := b.customers.ChosenRecipient(ctx, actor, id)
		if errors.Is(err, customer.ErrNotFound) {
			unknown = append(unknown, id)
			continue
		}
		if err != nil {
			return err
		}
		if err := consider(r); err != nil {
			return err
		}
	}
	if len(unknown) > 0 {
		return invalid(map[string]string{"contactIds": "no such contacts among yours: " + listSome(unknown)})
	}
	return nil
}

// resolveAccounts checks the accounts up front, so that one unknown or
// foreign account is reported by id rather than as a failure half-way.
func (b *base) resolveAccounts(ctx context.Context, actor store.User, ids []string) ([]string, error) {
	visible, err := b.customers.VisibleAccounts(ctx, actor)
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(visible))
	for _, a := range visible {
		known[a.ID] = true
	}
	var out, unknown []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		switch {
		case id == "" || slices.Contains(out, id):
		case known[id]:
			out = append(out, id)
		default:
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		return nil, invalid(map[string]string{"accountIds": "no such accounts among yours: " + listSome(unknown)})
	}
	return out, nil
}

func (b *base) segmentAccounts(ctx context.Context, actor store.User, seg store.Segment) ([]string, error) {
	visible, err := b.customers.VisibleAccounts(ctx, actor)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, a := range visible {
		if inSegment(a, seg) {
			ids = append(ids, a.ID)
		}
	}
	return ids, nil
}

func normalizeSegment(s store.Segment) store.Segment {
	return store.Segment{
		Region:   strings.TrimSpace(s.Region),
		Country:  strings.ToUpper(strings.TrimSpace(s.Country)),
		Industry: strings.TrimSpace(s.Industry),
		Tier:     strings.TrimSpace(s.Tier),
	}
}

func inSegment(a store.Account, s store.Segment) bool {
	match := func(want, got string) bool { return want == "" || strings.EqualFold(want, strings.TrimSpace(got)) }
	return match(s.Region, a.Region) && match(s.Country, a.Country) && match(s.Industry, a.Industry) && match(s.Tier, a.Tier)
}

// skipReason says why r may not be invited, or "" when they may. Erasure
// and suppressions come first: they are the person's own wishes (or the
// mail system's verdict) and outrank everything else.
func (b *base) skipReason(r customer.Recipient, suppressed map[string]store.SuppressionReason, invited map[string]bool, now time.Time) string {
	if r.Status == contacts.Erased {
		return store.SkipErased
	}
	for _, idx := range r.EmailIndexes {
		if reason, ok := suppressed[idx]; ok {
			return string(reason)
		}
	}
	switch r.Status {
	case contacts.Unsubscribed:
		return store.SkipUnsubscribed
	case contacts.Bounced:
		return store.SkipBounced
	}
	if !validEmail(r.Email) {
		return store.SkipInvalidEmail
	}
	if invited[r.ContactID] {
		return store.SkipAlreadyInvited
	}
	if w := b.cfg.ContactFrequency; w > 0 && r.LastSurveyedAt != nil && now.Sub(*r.LastSurveyedAt) < w {
		return store.SkipRecentlySurveyed
	}
	return ""
}

// validEmail accepts what a mail server can deliver to: a bare address
// with a dotted domain.
func validEmail(email string) bool {
	if email == "" || len(email) > 254 {
		return false
	}
	a, err := netmail.ParseAddress(email)
	if err != nil || a.Address != email {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	return at > 0 && strings.Contains(email[at+1:], ".")
}

// customerError maps the customer service's errors to this package's.
func customerError(err error) error {
	switch {
	case fault.FieldsOf(err) != nil:
		return invalid(fault.FieldsOf(err))
	case errors.Is(err, customer.ErrForbidden):
		return ErrForbidden
	case errors.Is(err, customer.ErrNotFound):
		return invalid(map[string]string{"audience": "an account or contact in the audience is not yours or no longer exists"})
	}
	return err
}

// listSome names up to five items.
func listSome(items []string) string {
	if len(items) <= 5 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:5], ", "), len(items)-5)
}

// SkipReasons lists every skip reason in the order pages show them.
func SkipReasons() []string {
	return []string{store.SkipUnsubscribed, store.SkipBounced, store.SkipErased, store.SkipInvalidEmail,
		store.SkipAlreadyInvited, store.SkipRecentlySurveyed}
}

// SkipLabel describes a skip reason to staff.
func SkipLabel(reason string) string {
	switch reason {
	case store.SkipUnsubscribed:
		return "Unsubscribed"
	case store.SkipBounced:
		return "Email bounced"
	case store.SkipErased:
		return "Data erased"
	case store.SkipInvalidEmail:
		return "No valid email"
	case store.SkipAlreadyInvited:
		return "Already invited to this survey"
	case store.SkipRecentlySurveyed:
		return "Surveyed within the contact-frequency window"
	}
	return reason
}
