package respond

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Errors of Submit.
var (
	// ErrNotOpen means the link may not be answered (any state but open).
	ErrNotOpen = errors.New("respond: this link can no longer be answered")
	// ErrConsentChanged means the respondent ticked the consent box under
	// a text that has since been replaced: they must see the new one.
	ErrConsentChanged = errors.New("respond: the consent text has changed")
)

// NotOpenError is ErrNotOpen with what the link turned out to be, for a
// link that changed (was revoked) while its form was open.
type NotOpenError struct{ State State }

func (e *NotOpenError) Error() string { return ErrNotOpen.Error() + ": " + string(e.State) }

// Unwrap makes errors.Is(err, ErrNotOpen) hold.
func (e *NotOpenError) Unwrap() error { return ErrNotOpen }

// InvalidAnswers is why answers were not accepted, by question key.
type InvalidAnswers struct {
	Fields map[string]survey.FieldError
}

func (e *InvalidAnswers) Error() string {
	return fmt.Sprintf("respond: %d answers not accepted", len(e.Fields))
}

// Submission is a posted answer form.
type Submission struct {
	Values map[string][]string // the form; answers under survey.FormField names
	Locale string              // the language the form was shown in
	// Named is the consent box: ticked, the respondent's name goes with
	// their answers.
	Named bool
	// ConsentVersion is the version of the consent text the form showed.
	ConsentVersion int
}

// Result is a stored submission.
type Result struct {
	Named bool
	// Again reports that the invitation had been answered already, by an
	// earlier submission (a double click, a retry): nothing new was stored.
	Again bool
	// TallyErr is set when the response was stored but the report counters
	// could not be updated yet; the caller logs it, and the sweeper catches
	// up.
	TallyErr error
	// QuoteErr is set when the response was stored but its quotable
	// comments could not be kept for reports; the caller logs it.
	QuoteErr error
	// CountErr is set when the answer was stored but its campaign's
	// answered count could not be raised; the caller logs it, and the
	// campaign's next census makes the count up.
	CountErr error
}

// Submit validates a submission to an open link and stores it exactly
// once: the response first, under an id derived from the invitation, then
// the invitation moves to answered. A second submission finds the
// response and only makes sure of the second step.
func (s *Service) Submit(ctx context.Context, l Link, sub Submission) (Result, error) {
	if l.State != StateOpen {
		return Result{}, ErrNotOpen
	}
	sv := l.Survey
	answers, problems := sv.ParseAnswers(sub.Values)
	if len(problems) > 0 {
		return Result{}, &InvalidAnswers{Fields: problems}
	}
	locale := sv.Locale(sub.Locale)

	ids, err := ResponseIDs(s.ring, l.InvitationID)
	if err != nil {
		return Result{}, err
	}
	if stored, err := s.responses.FirstOf(ctx, ids...); err == nil {
		if err := s.recordFollowup(ctx, stored, l.accountID); err != nil {
			return Result{}, err
		}
		countErr, err := s.markAnswered(ctx, l.InvitationID)
		return Result{Again: true, CountErr: countErr}, err
	} else if !errors.Is(err, store.ErrNotFound) {
		return Result{}, fmt.Errorf("respond: %w", err)
	}

	// Take the link before storing anything: one write by _id, after which
	// nothing revokes it. A link revoked before this is not answered and
	// nothing is stored. A link taken already was taken by a simultaneous
	// submission or by one that stopped before finishing: the response's
	// id decides which is stored.
	s.pause("claim")
	inv, err := s.invitations.Take(ctx, l.InvitationID)
	if err != nil {
		return Result{}, notFoundAsInvalid(err)
	}
	switch inv.State {
	case store.InvitationPending:
	case store.InvitationAnswered:
		return Result{Again: true}, nil
	case store.InvitationRevoked:
		return Result{}, &NotOpenError{State: StateRevoked}
	default:
		return Result{}, ErrNotOpen
	}
	s.pause("claimed")

	resp := store.Response{
		ID:             ids[0],
		SurveyID:       sv.ID,
		Date:           s.now().UTC().Format(time.DateOnly),
		Locale:         locale,
		Classification: store.ClassificationConfidential,
		// What the respondent was shown, so that reports count a
		// conditional question of those who saw it.
		Shown: sv.ShownKeys(answers),
	}
	if resp.Segment, err = s.segment(ctx, l.accountID); err != nil {
		return Result{}, err
	}
	if resp.Answers, err = privacy.SealAnswers(s.sealer, resp.ID, sv, answers); err != nil {
		return Result{}, err
	}
	// The account only sealed: reports count by it, the stored response
	// names no company.
	if resp.Account, err = privacy.SealAccount(s.sealer, resp.ID, l.accountID); err != nil {
		return Result{}, err
	}
	opened := report.Opened{Answers: answers, AccountID: l.accountID}
	if sub.Named {
		consent, err := consentShown(sv, locale, sub.ConsentVersion)
		if err != nil {
			return Result{}, err
		}
		consent.ContactID, consent.ResponseID = l.ContactID, resp.ID
		// Recorded before the response is stored, so a name is never
		// stored without its consent record.
		consentID, err := s.consents.Consent(ctx, consent)
		if err != nil {
			return Result{}, err
		}
		resp.Named = &store.Named{ContactID: l.ContactID, ConsentID: consentID}
	}

	// The count is intended before the response is stored, so that a
	// stored response is always counted: after a lost reply the retry
	// finds the response stored, and the sweeper counts it. The response
	// carries the intent's key, which tells the attempt that stored it.
	var tally report.Intent
	if s.tally != nil {
		if tally, err = s.tally.Intend(ctx, report.EntryOf(sv, resp, opened)); err != nil {
			return Result{}, fmt.Errorf("respond: %w", err)
		}
		resp.TallyKey = tally.Key()
	}
	err = s.responses.Insert(ctx, resp)
	if err != nil && s.tally != nil {
		// Stored or not, the sweeper settles it.
		_ = s.tally.Release(context.WithoutCancel(ctx), tally)
	}
	if errors.Is(err, store.ErrDuplicate) {
		// A simultaneous submission stored its response first. A consent
		// recorded here names nothing; withdrawing it keeps the log true.
		if resp.Named != nil {
			if err := s.consents.Withdraw(ctx, l.ContactID, resp.Named.ConsentID, privacy.Requester{Via: privacy.ViaDuplicate}); err != nil {
				return Result{}, err
			}
		}
		countErr, err := s.markAnswered(ctx, l.InvitationID)
		return Result{Again: true, CountErr: countErr}, err
	}
	if err != nil {
		return Result{}, fmt.Errorf("respond: %w", err)
	}
	// Counted straight after the response is stored; a count not done now
	// is done by the sweeper from the intent.
	entry := report.EntryOf(sv, resp, opened)
	quoteErr := s.keepQuotes(ctx, l, entry, resp.Locale)
	var tallyErr error
	if s.tally != nil {
		if err := s.tally.Count(ctx, tally); err != nil {
			// The answer is stored and its intent kept; the respondent has
			// done their part.
			tallyErr = err
		}
	}
	s.pause("stored")
	// The link was taken above, so it cannot be revoked now: the update by
	// _id alone is safe and cheap.
	before, answered, err := s.invitations.FinishAnswer(ctx, l.InvitationID)
	if err != nil {
		return Result{}, fmt.Errorf("respond: %w", err)
	}
	countErr := s.countAnswer(ctx, before, answered)
	// Last, after everything a resubmission would not redo: a failure here
	// fails the submission, and submitting again finds the response stored
	// and records the follow-up then.
	if err := s.recordFollowup(ctx, resp, l.accountID); err != nil {
		return Result{}, err
	}
	return Result{Named: resp.Named != nil, TallyErr: tallyErr, QuoteErr: quoteErr, CountErr: countErr}, nil
}

// keepQuotes hands a stored response's answers to the quotes, if kept,
// with who gave them so that their names can be redacted; the quotes keep
// neither; and with the language the answer was given in, for themes.
func (s *Service) keepQuotes(ctx context.Context, l Link, e report.Entry, locale string) error {
	if s.quotes == nil {
		return nil
	}
	err := s.quotes.Add(ctx, quotes.Submission{Survey: l.Survey, ContactID: l.ContactID, AccountID: l.accountID, Segment: e.Segment, Answers: e.Answers, Locale: locale})
	if err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	return nil
}

// recordFollowup hands a named response to the follow-ups, if kept.
func (s *Service) recordFollowup(ctx context.Context, resp store.Response, accountID string) error {
	if s.followups == nil || resp.Named == nil {
		return nil
	}
	if err := s.followups.Record(ctx, resp, accountID); err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	return nil
}

// markAnswered finishes an answer whose response is stored; already
// answered is fine. The link is taken first, whether or not this
// submission took it: a response stored by an earlier version, which did
// not take links, still finishes, and a revoked link stays revoked. The
// first error is the campaign count's, which does not fail the answer.
func (s *Service) markAnswered(ctx context.Context, invitationID string) (countErr, err error) {
	inv, err := s.invitations.Take(ctx, invitationID)
	if err != nil {
		return nil, fmt.Errorf("respond: %w", err)
	}
	if inv.State != store.InvitationPending {
		return nil, nil
	}
	before, answered, err := s.invitations.FinishAnswer(ctx, invitationID)
	if err != nil {
		return nil, fmt.Errorf("respond: %w", err)
	}
	return s.countAnswer(ctx, before, answered), nil
}

// countAnswer raises the campaign's answered count when this submission
// is the one that answered the invitation: exactly one does, however many
// race or retry.
func (s *Service) countAnswer(ctx context.Context, before store.Invitation, answered bool) error {
	if s.campaigns == nil || !answered || before.CampaignID == "" {
		return nil
	}
	if err := s.campaigns.CountAnswered(ctx, before.CampaignID); err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	return nil
}

// pause calls the test hook between the steps of a submission.
func (s *Service) pause(step string) {
	if s.stepHook != nil {
		s.stepHook(step)
	}
}

// segment copies the attributes reports break responses down by from the
// invited company, never the company itself. Its manager is a staff
// attribute: the first listed, so that each response counts for one
// manager, and reports never show it for a group under the threshold.
func (s *Service) segment(ctx context.Context, accountID string) (store.Segment, error) {
	a, err := s.accounts.ByID(ctx, accountID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Segment{}, nil
	}
	if err != nil {
		return store.Segment{}, fmt.Errorf("respond: %w", err)
	}
	seg := store.Segment{Region: a.Region, Country: a.Country, Industry: a.Industry, Tier: a.Tier}
	if len(a.ManagerIDs) > 0 {
		seg.ManagerID = a.ManagerIDs[0]
	}
	return seg, nil
}

// consentShown is the consent as the respondent saw it: the version the
// form showed, in the form's language, with that exact text's hash. A
// version that is no longer current means the text changed while the form
// was open, and the respondent has not agreed to the new one.
func consentShown(sv survey.Survey, locale string, version int) (privacy.Consent, error) {
	text, current, hash := sv.ConsentFor(locale)
	if text == "" {
		return privacy.Consent{}, errors.New("respond: the survey has no consent text")
	}
	if version != current {
		return privacy.Consent{}, ErrConsentChanged
	}
	shown := locale
	if sv.ConsentText[locale] == "" {
		shown = sv.DefaultLocale // ConsentFor fell back to it
	}
	return privacy.Consent{
		SurveyID: sv.ID, TextVersion: current, TextHash: hash, Locale: shown, Method: privacy.MethodSurveyForm,
	}, nil
}

// Locale picks the language to show a page in, from the languages
// available: the one asked for in the URL, else the contact's own, else
// the best match for the browser's Accept-Language, else fallback.
func Locale(available []string, requested, contactLocale, acceptLanguage, fallback string) string {
	if c, ok := i18n.Normalize(requested); ok && slices.Contains(available, c) {
		return c
	}
	if slices.Contains(available, contactLocale) {
		return contactLocale
	}
	return i18n.Negotiate(acceptLanguage, available, fallback)
}
