// Package bounce learns what became of campaign mail after the mail server
// accepted it: delivery status notifications (RFC 3464) and abuse feedback
// reports (RFC 5965) that arrive later, in a mailbox read over IMAP or
// posted by a relay to a signed endpoint. Each message goes out with a
// return path of its own (VERP) carrying a MAC, so that a report names the
// message it is about and a forged one is ignored. A hard bounce or a
// complaint suppresses the address, marks the contact and counts on the
// campaign, once per message however often the report is read.
package bounce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/store/outbox"
)

// Outcome is what handling a report came to.
type Outcome string

// Outcomes.
const (
	Handled   Outcome = "handled"   // acted on
	Duplicate Outcome = "duplicate" // acted on before: nothing changed
	Ignored   Outcome = "ignored"   // not ours, forged, unknown, or nothing to act on
)

// Outcomes lists every outcome, for metrics.
func Outcomes() []Outcome { return []Outcome{Handled, Duplicate, Ignored} }

// Result says what became of one report.
type Result struct {
	Kind    Kind
	Outcome Outcome
	Ref     Ref
	Why     string // for an ignored report
}

// DefaultSoftLimit is how many soft bounces make an address bounced.
const DefaultSoftLimit = 3

// SoftWindow is how close soft bounces must follow each other to add up:
// an address that stops soft-bouncing for longer starts afresh, so that a
// full mailbox last year does not count against it today.
const SoftWindow = 30 * 24 * time.Hour

// Invitations finds the message a return path names.
type Invitations interface {
	ByID(ctx context.Context, id string) (store.Invitation, error)
	AddSoftBounce(ctx context.Context, id string) error
}

// Recipients opens a contact's address, for its blind index.
type Recipients interface {
	Recipient(ctx context.Context, contactID string) (customer.Recipient, error)
}

// Suppressions keeps addresses that get no more email.
type Suppressions interface {
	Add(ctx context.Context, s store.Suppression) error
}

// Contacts records what a bounce says about a contact.
type Contacts interface {
	SetStatus(ctx context.Context, id string, status contacts.Status, now time.Time) error
}

// Campaigns counts bounces and complaints.
type Campaigns interface {
	AddCounts(ctx context.Context, id string, d store.CountsDelta) error
}

// Events remembers what was acted on.
type Events interface {
	Record(ctx context.Context, e store.BounceEvent) (first bool, err error)
	CountSoft(ctx context.Context, index string, now, since time.Time) (int, error)
}

// Observer hears every report handled, for monitoring.
type Observer interface {
	Report(kind Kind, outcome Outcome)
}

// Deps is what a Handler works with.
type Deps struct {
	ReturnPaths  *ReturnPaths
	Invitations  Invitations
	Recipients   Recipients
	Suppressions Suppressions
	Contacts     Contacts
	Campaigns    Campaigns
	Events       Events
	SoftLimit    int              // soft bounces that make an address bounced; 0: DefaultSoftLimit
	Observer     Observer         // nil: nobody
	Logger       *slog.Logger     // nil: discard
	Now          func() time.Time // nil: time.Now
}

// Handler acts on reports.
type Handler struct{ d Deps }

// NewHandler returns a Handler over d.
func NewHandler(d Deps) (*Handler, error) {
	if d.ReturnPaths == nil || d.Invitations == nil || d.Recipients == nil || d.Suppressions == nil ||
		d.Contacts == nil || d.Campaigns == nil || d.Events == nil {
		return nil, errors.New("bounce: Deps needs ReturnPaths and every store")
	}
	if d.SoftLimit <= 0 {
		d.SoftLimit = DefaultSoftLimit
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Handler{d: d}, nil
}

// ReturnPaths are the handler's return paths.
func (h *Handler) ReturnPaths() *ReturnPaths { return h.d.ReturnPaths }

// HandleMessage parses a message from the bounce mailbox and acts on it.
// A message that is no report, or names no message of ours, is ignored
// (and logged); an error means the database failed and the message
// should be read again later.
func (h *Handler) HandleMessage(ctx context.Context, raw []byte) (Result, error) {
	rep, err := Parse(bytes.NewReader(raw))
	switch {
	case errors.Is(err, ErrTooLarge):
		return h.ignore(ctx, KindNone, Ref{}, "larger than 1 MB"), nil
	case err != nil:
		// Not the parser's words: they may quote a header line, and an
		// address with it, which the log must not keep.
		return h.ignore(ctx, KindNone, Ref{}, "not a delivery status notification or feedback report"), nil
	}
	kind := rep.Kind()
	if kind == KindNone {
		return h.ignore(ctx, kind, Ref{}, "a report of delivery, nothing to act on"), nil
	}
	candidates := append([]string{}, rep.ReturnPaths...)
	if rep.EnvelopeID != "" {
		candidates = append(candidates, rep.EnvelopeID)
	}
	forged := false
	for _, c := range candidates {
		ref, err := h.d.ReturnPaths.Parse(c)
		if err == nil {
			return h.Act(ctx, ref, kind, rep.Status())
		}
		forged = forged || isVERPShaped(c)
	}
	why := "no return path of ours in the report"
	if forged {
		why = "a return path that does not verify"
	}
	return h.ignore(ctx, kind, Ref{}, why), nil
}

// HandleReturnPath acts on a report of kind about the message whose
// return path is returnPath, as a relay's event gives them.
func (h *Handler) HandleReturnPath(ctx context.Context, returnPath string, kind Kind, status string) (Result, error) {
	ref, err := h.d.ReturnPaths.Parse(returnPath)
	if err != nil {
		return h.ignore(ctx, kind, Ref{}, "a return path that does not verify"), nil
	}
	return h.Act(ctx, ref, kind, status)
}

// Act applies a report of kind about the message ref names. Hard bounces
// and complaints suppress and mark first, which repeating does not
// change, and count only when their event is recorded for the first time,
// so a report read twice counts once.
func (h *Handler) Act(ctx context.Context, ref Ref, kind Kind, status string) (Result, error) {
	inv, err := h.d.Invitations.ByID(ctx, ref.InvitationID)
	if errors.Is(err, store.ErrNotFound) {
		return h.ignore(ctx, kind, ref, "the invitation is gone"), nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("bounce: %w", err)
	}
	r, err := h.d.Recipients.Recipient(ctx, inv.ContactID)
	switch {
	case errors.Is(err, customer.ErrNotFound):
		r = customer.Recipient{ContactID: inv.ContactID, Status: contacts.Erased}
	case err != nil:
		return Result{}, fmt.Errorf("bounce: %w", err)
	}
	now := h.d.Now().UTC().Truncate(time.Millisecond)
	msgID := outbox.MessageID(inv.ID, ref.Round)
	if kind == KindSoftBounce {
		first, err := h.d.Events.Record(ctx, store.BounceEvent{ID: msgID + "|" + string(kind), Kind: string(kind), CampaignID: inv.CampaignID, Status: status, At: now})
		if err != nil {
			return Result{}, fmt.Errorf("bounce: %w", err)
		}
		if !first {
			return h.done(Result{Kind: kind, Outcome: Duplicate, Ref: ref}), nil
		}
		if err := h.d.Invitations.AddSoftBounce(ctx, inv.ID); err != nil {
			return Result{}, fmt.Errorf("bounce: %w", err)
		}
		if len(r.EmailIndexes) == 0 {
			return h.done(Result{Kind: kind, Outcome: Handled, Ref: ref}), nil
		}
		n, err := h.d.Events.CountSoft(ctx, r.EmailIndexes[0], now, now.Add(-SoftWindow))
		if err != nil {
			return Result{}, fmt.Errorf("bounce: %w", err)
		}
		if n < h.d.SoftLimit {
			return h.done(Result{Kind: kind, Outcome: Handled, Ref: ref}), nil
		}
		h.d.Logger.InfoContext(ctx, "bounce: soft bounces reached the limit; the address counts as bounced",
			"invitation", inv.ID, "campaign", inv.CampaignID, "soft_bounces", n)
		kind = KindBounce
	}

	reason, contactStatus := store.SuppressedBounced, contacts.Bounced
	delta := store.CountsDelta{SentBatch: -1, Bounced: 1}
	if kind == KindComplaint {
		// A complaint is the strongest "stop": the address is suppressed
		// like an unsubscription, and the contact marked unsubscribed,
		// since the address itself works.
		reason, contactStatus = store.SuppressedComplained, contacts.Unsubscribed
		delta = store.CountsDelta{SentBatch: -1, Complained: 1}
	}
	if len(r.EmailIndexes) > 0 {
		if err := h.d.Suppressions.Add(ctx, store.Suppression{ID: r.EmailIndexes[0], Reason: reason, CreatedAt: now}); err != nil {
			return Result{}, fmt.Errorf("bounce: %w", err)
		}
	}
	if r.Status != contacts.Erased && r.Status != contactStatus {
		if err := h.d.Contacts.SetStatus(ctx, r.ContactID, contactStatus, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Result{}, fmt.Errorf("bounce: %w", err)
		}
	}
	first, err := h.d.Events.Record(ctx, store.BounceEvent{ID: msgID + "|" + string(kind), Kind: string(kind), CampaignID: inv.CampaignID, Status: status, At: now})
	if err != nil {
		return Result{}, fmt.Errorf("bounce: %w", err)
	}
	if !first {
		return h.done(Result{Kind: kind, Outcome: Duplicate, Ref: ref}), nil
	}
	// A crash between recording and counting loses this one count rather
	// than ever counting twice.
	if err := h.d.Campaigns.AddCounts(ctx, inv.CampaignID, delta); err != nil && !errors.Is(err, store.ErrNotFound) {
		return Result{}, fmt.Errorf("bounce: %w", err)
	}
	h.d.Logger.InfoContext(ctx, "bounce: acted on a report", "kind", kind, "invitation", inv.ID, "round", ref.Round,
		"campaign", inv.CampaignID, "status", status)
	return h.done(Result{Kind: kind, Outcome: Handled, Ref: ref}), nil
}

func (h *Handler) ignore(ctx context.Context, kind Kind, ref Ref, why string) Result {
	h.d.Logger.WarnContext(ctx, "bounce: report ignored", "kind", kind, "why", why, "invitation", ref.InvitationID)
	return h.done(Result{Kind: kind, Outcome: Ignored, Ref: ref, Why: why})
}

func (h *Handler) done(r Result) Result {
	if h.d.Observer != nil {
		h.d.Observer.Report(r.Kind, r.Outcome)
	}
	return r
}

// isVERPShaped reports an address that looks like one of our return paths,
// so that one failing its MAC is logged as forged.
func isVERPShaped(s string) bool {
	local, _, _ := cutAt(s)
	return len(local) > len(verpPrefix) && strings.EqualFold(local[:len(verpPrefix)], verpPrefix)
}
