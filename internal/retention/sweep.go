package retention

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// sweeper is the actor the runs' audit entries name: no staff member acts.
var sweeper = store.User{ID: "retention", Email: "retention policy"}

// Run is one run of the sweep.
type Run struct {
	StartedAt  time.Time
	FinishedAt time.Time
	Counts     Counts
}

// RunDue runs the sweep when the daily run is due and no other process is
// running it; ran is false when it was not this process's turn.
func (s *Service) RunDue(ctx context.Context) (r Run, ran bool, err error) {
	return s.run(ctx, false)
}

// RunNow runs the sweep at once, unless another process is running it
// (ran false), and makes the next daily run due a day later.
func (s *Service) RunNow(ctx context.Context) (r Run, ran bool, err error) {
	return s.run(ctx, true)
}

// Loop runs the sweep whenever it is due, checking every interval, until
// ctx ends. Every process that delivers mail runs it; the lease lets one
// of them at a time do the work.
func (s *Service) Loop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if r, ran, err := s.RunDue(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.d.Logger.ErrorContext(ctx, "retention: sweep", "err", err)
		} else if ran {
			s.d.Logger.InfoContext(ctx, "retention: sweep done", "contacts", r.Counts.Contacts, "named", r.Counts.Named,
				"dev_mails", r.Counts.DevMails, "dead_letters", r.Counts.DeadLetters, "bounce_records", r.Counts.BounceRecords)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) run(ctx context.Context, force bool) (Run, bool, error) {
	now := s.now().UTC()
	claimed, err := s.d.Store.ClaimSweep(ctx, s.token, now, now.Add(s.lease), force)
	if err != nil || !claimed {
		return Run{}, false, wrap(err)
	}
	r := Run{StartedAt: now}
	p, _, err := s.Effective(ctx)
	if err == nil {
		err = s.sweep(ctx, p, now, &r.Counts)
	}
	if err != nil {
		// The lease runs out on its own, and the next run finishes the
		// work: every step is repeatable. What was done is logged.
		s.d.Logger.WarnContext(ctx, "retention: run stopped", "err", err, "done", r.Counts.String())
		return r, true, err
	}
	if err := s.d.People.Scrub(ctx); err != nil {
		return r, true, wrap(err)
	}
	if err := s.d.Audit.Record(ctx, audit.Event{Actor: sweeper, Action: audit.RetentionRun, Detail: r.Counts.String()}); err != nil {
		return r, true, wrap(err)
	}
	r.FinishedAt = s.now().UTC()
	if err := s.d.Store.FinishSweep(ctx, s.token, r.FinishedAt, now.Add(runEvery)); err != nil {
		return r, true, wrap(err)
	}
	return r, true, nil
}

// sweep applies policy p at now, counting into c as it goes.
func (s *Service) sweep(ctx context.Context, p Policy, now time.Time, c *Counts) error {
	// Names first: an erasure takes the names off too, and would leave
	// the named answers past their limit uncounted.
	if err := s.eachSurvey(ctx, func(sv survey.Survey) error {
		day, ok := p.NamedCutoff(now, sv.NamedRetentionMonths)
		if !ok {
			return nil
		}
		return s.deIdentify(ctx, sv.ID, day, c)
	}); err != nil {
		return err
	}
	if cut, ok := p.ContactCutoff(now); ok {
		if err := s.eraseUnsurveyed(ctx, cut, c); err != nil {
			return err
		}
	}
	if cut, ok := p.DevOutboxCutoff(now); ok {
		n, err := s.d.DevMails.DeleteBefore(ctx, cut)
		if err != nil {
			return wrap(err)
		}
		c.DevMails += n
	}
	if cut, ok := p.DeadLetterCutoff(now); ok {
		n, err := s.d.DeadLetters.TrimDead(ctx, cut)
		if err != nil {
			return wrap(err)
		}
		c.DeadLetters += n
	}
	events, streaks := BounceCutoffs(now, s.d.SoftBounceWindow)
	n, err := s.d.Bounces.TrimBefore(ctx, events, streaks)
	if err != nil {
		return wrap(err)
	}
	c.BounceRecords += n
	return nil
}

// eraseUnsurveyed erases the contacts due, a batch at a time: each erased
// one leaves the list the next batch is read from.
func (s *Service) eraseUnsurveyed(ctx context.Context, before time.Time, c *Counts) error {
	done := map[string]bool{}
	for {
		batch, err := s.d.Contacts.Unsurveyed(ctx, before, s.batch)
		if err != nil {
			return wrap(err)
		}
		ids := make([]string, len(batch))
		for i, ct := range batch {
			if done[ct.ID] {
				return fmt.Errorf("retention: contact %s is still listed after its erasure", ct.ID)
			}
			done[ct.ID] = true
			ids[i] = ct.ID
		}
		if err := s.d.People.Retire(ctx, ids); err != nil {
			return fmt.Errorf("retention: erase contacts: %w", err)
		}
		c.Contacts += int64(len(ids))
		if int64(len(batch)) < s.batch {
			return nil
		}
		if err := s.renew(ctx); err != nil {
			return err
		}
	}
}

// deIdentify takes the names off a survey's named answers given before
// day, a batch at a time.
func (s *Service) deIdentify(ctx context.Context, surveyID, day string, c *Counts) error {
	done := map[string]bool{}
	for {
		batch, err := s.d.Responses.NamedBefore(ctx, surveyID, day, s.batch)
		if err != nil {
			return wrap(err)
		}
		for _, resp := range batch {
			// A step that did not take would come back in every batch.
			if done[resp.ID] {
				return fmt.Errorf("retention: response %s still carries a name after it was taken off", resp.ID)
			}
			done[resp.ID] = true
			if err := s.d.People.DeIdentify(ctx, resp); err != nil {
				return fmt.Errorf("retention: de-identify response %s: %w", resp.ID, err)
			}
			c.Named++
		}
		if int64(len(batch)) < s.batch {
			return nil
		}
		if err := s.renew(ctx); err != nil {
			return err
		}
	}
}

// renew extends the lease between batches; a run that lost it stops.
func (s *Service) renew(ctx context.Context) error {
	ok, err := s.d.Store.RenewSweep(ctx, s.token, s.now().UTC().Add(s.lease))
	if err != nil {
		return wrap(err)
	}
	if !ok {
		return errLostLease
	}
	return nil
}

// eachSurvey calls fn for every survey, a page at a time.
func (s *Service) eachSurvey(ctx context.Context, fn func(survey.Survey) error) error {
	const page = 200
	for offset := int64(0); ; offset += page {
		svs, total, err := s.d.Surveys.List(ctx, store.SurveyFilter{}, store.Page{Offset: offset, Limit: page})
		if err != nil {
			return wrap(err)
		}
		for _, sv := range svs {
			if err := fn(sv); err != nil {
				return err
			}
		}
		if len(svs) < page || offset+page >= total {
			return nil
		}
	}
}

// Preview is what the next run would remove, were it run now.
type Preview struct {
	At       time.Time        `json:"at"`
	Policy   Policy           `json:"policy"`
	Counts   Counts           `json:"counts"`
	Contacts []PreviewContact `json:"contacts"` // the first few contacts it would erase
	Surveys  []PreviewSurvey  `json:"surveys"`  // every survey whose named answers it would de-identify
}

// PreviewContact is a contact the next run would erase, shown by what
// admins see of it anyway: its id, company and dates.
type PreviewContact struct {
	ID             string     `json:"id"`
	Account        string     `json:"account"`
	CreatedAt      time.Time  `json:"createdAt"`
	LastSurveyedAt *time.Time `json:"lastSurveyedAt,omitempty"`
}

// PreviewSurvey is a survey whose named answers the next run would
// de-identify.
type PreviewSurvey struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Months int    `json:"months"` // how long its names are kept
	Before string `json:"before"` // named answers given before this day lose the name
	Named  int64  `json:"named"`
}

// previewContacts is how many contacts a preview names.
const previewContacts = 10

// Preview tells an admin what the next run would remove.
func (s *Service) Preview(ctx context.Context, actor store.User) (Preview, error) {
	if !policy.CanAdminister(policy.Of(actor)) {
		return Preview{}, ErrForbidden
	}
	return s.preview(ctx)
}

func (s *Service) preview(ctx context.Context) (Preview, error) {
	now := s.now().UTC()
	p, _, err := s.Effective(ctx)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{At: now, Policy: p, Contacts: []PreviewContact{}, Surveys: []PreviewSurvey{}}
	if cut, ok := p.ContactCutoff(now); ok {
		if out.Counts.Contacts, err = s.d.Contacts.CountUnsurveyed(ctx, cut); err != nil {
			return Preview{}, wrap(err)
		}
		first, err := s.d.Contacts.Unsurveyed(ctx, cut, previewContacts)
		if err != nil {
			return Preview{}, wrap(err)
		}
		names := map[string]string{}
		for _, ct := range first {
			if _, ok := names[ct.AccountID]; !ok {
				a, err := s.d.Accounts.ByID(ctx, ct.AccountID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return Preview{}, wrap(err)
				}
				names[ct.AccountID] = a.Name
			}
			out.Contacts = append(out.Contacts, PreviewContact{ID: ct.ID, Account: names[ct.AccountID], CreatedAt: ct.CreatedAt, LastSurveyedAt: ct.LastSurveyedAt})
		}
	}
	err = s.eachSurvey(ctx, func(sv survey.Survey) error {
		day, ok := p.NamedCutoff(now, sv.NamedRetentionMonths)
		if !ok {
			return nil
		}
		n, err := s.d.Responses.CountNamedBefore(ctx, sv.ID, day)
		if err != nil || n == 0 {
			return wrap(err)
		}
		out.Counts.Named += n
		out.Surveys = append(out.Surveys, PreviewSurvey{ID: sv.ID, Title: sv.Title.Get("en", sv.DefaultLocale),
			Months: NamedMonthsFor(p.NamedMonths, sv.NamedRetentionMonths), Before: day, Named: n})
		return nil
	})
	if err != nil {
		return Preview{}, err
	}
	if cut, ok := p.DevOutboxCutoff(now); ok {
		if out.Counts.DevMails, err = s.d.DevMails.CountBefore(ctx, cut); err != nil {
			return Preview{}, wrap(err)
		}
	}
	if cut, ok := p.DeadLetterCutoff(now); ok {
		if out.Counts.DeadLetters, err = s.d.DeadLetters.CountDeadBefore(ctx, cut); err != nil {
			return Preview{}, wrap(err)
		}
	}
	events, streaks := BounceCutoffs(now, s.d.SoftBounceWindow)
	if out.Counts.BounceRecords, err = s.d.Bounces.CountBefore(ctx, events, streaks); err != nil {
		return Preview{}, wrap(err)
	}
	return out, nil
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("retention: %w", err)
}

// Forecast is Preview for the command line, whose operator holds the
// database itself.
func (s *Service) Forecast(ctx context.Context) (Preview, error) {
	return s.preview(ctx)
}
