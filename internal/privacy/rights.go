package privacy

import (
	"context"
	"errors"
	"fmt"
	"html"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/survey"
)

// InvitationInfo is one survey a person was invited to.
type InvitationInfo struct {
	ID          string                `json:"id"`
	SurveyID    string                `json:"surveyId"`
	SurveyTitle string                `json:"survey"`
	State       store.InvitationState `json:"state"`
	SentAt      time.Time             `json:"sentAt"`
	ExpiresAt   time.Time             `json:"expiresAt"`
}

// NamedResponse is a response that carries the person's name.
type NamedResponse struct {
	ID          string       `json:"id"`
	SurveyID    string       `json:"surveyId"`
	SurveyTitle string       `json:"survey"`
	Date        string       `json:"date"`
	ConsentID   string       `json:"consentId"`
	Answers     []AnswerInfo `json:"answers,omitempty"` // nil in a staff overview: opening them is audited apart
}

// Overview is what Candor holds about a person.
type Overview struct {
	Contact     customer.Contact
	Company     string
	ErasedAt    *time.Time // when erased, from the consent log
	Invitations []InvitationInfo
	Responses   []NamedResponse
	Consents    []ConsentInfo
}

// Erased reports whether the person's data was erased.
func (o Overview) Erased() bool { return o.Contact.Status == contacts.Erased }

// HasActiveConsent reports whether any consent of theirs stands.
func (o Overview) HasActiveConsent() bool {
	for _, c := range o.Consents {
		if c.Active() {
			return true
		}
	}
	return false
}

// surveyCache loads each survey once per request.
type surveyCache struct {
	surveys Surveys
	byID    map[string]*survey.Survey // nil entry: not found
}

func newSurveyCache(s Surveys) *surveyCache {
	return &surveyCache{surveys: s, byID: map[string]*survey.Survey{}}
}

func (c *surveyCache) get(ctx context.Context, id string) (survey.Survey, bool, error) {
	if sv, ok := c.byID[id]; ok {
		if sv == nil {
			return survey.Survey{}, false, nil
		}
		return *sv, true, nil
	}
	sv, err := c.surveys.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		c.byID[id] = nil
		return survey.Survey{}, false, nil
	}
	if err != nil {
		return survey.Survey{}, false, fmt.Errorf("privacy: %w", err)
	}
	c.byID[id] = &sv
	return sv, true, nil
}

func (c *surveyCache) title(ctx context.Context, id, locale string) (string, error) {
	sv, ok, err := c.get(ctx, id)
	if err != nil || !ok {
		return "", err
	}
	return sv.Title.Get(locale, sv.DefaultLocale), nil
}

// Overview returns what Candor holds about a person, in locale. The person
// themselves sees the answers they gave with their name; a staff member
// sees that such answers exist, and opens each with NamedResponse, which
// is audited.
func (s *Service) Overview(ctx context.Context, contactID, locale string, by Requester) (Overview, error) {
	if err := s.record(ctx, by, audit.PrivacyView, contactID, ""); err != nil {
		return Overview{}, err
	}
	return s.overview(ctx, contactID, locale, by.Staff == nil)
}

func (s *Service) overview(ctx context.Context, contactID, locale string, withAnswers bool) (Overview, error) {
	contact, err := s.subject(ctx, contactID)
	if err != nil {
		return Overview{}, err
	}
	o := Overview{Contact: contact}
	if a, err := s.accounts.ByID(ctx, contact.AccountID); err == nil {
		o.Company = a.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return Overview{}, fmt.Errorf("privacy: %w", err)
	}
	surveys := newSurveyCache(s.surveys)

	invitations, err := s.invitations.ByContact(ctx, contactID)
	if err != nil {
		return Overview{}, fmt.Errorf("privacy: %w", err)
	}
	o.Invitations = make([]InvitationInfo, 0, len(invitations))
	for _, inv := range invitations {
		title, err := surveys.title(ctx, inv.SurveyID, locale)
		if err != nil {
			return Overview{}, err
		}
		o.Invitations = append(o.Invitations, InvitationInfo{
			ID: inv.ID, SurveyID: inv.SurveyID, SurveyTitle: title, State: inv.State, SentAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		})
	}

	named, err := s.responses.NamedBy(ctx, contactID)
	if err != nil {
		return Overview{}, fmt.Errorf("privacy: %w", err)
	}
	o.Responses = make([]NamedResponse, 0, len(named))
	for _, resp := range named {
		nr, err := s.describeResponse(ctx, resp, locale, surveys, withAnswers)
		if err != nil {
			return Overview{}, err
		}
		o.Responses = append(o.Responses, nr)
	}

	history, err := s.consents.ByContact(ctx, contactID)
	if err != nil {
		return Overview{}, fmt.Errorf("privacy: %w", err)
	}
	if o.Consents, err = s.consentHistory(ctx, history, locale, surveys); err != nil {
		return Overview{}, err
	}
	o.ErasedAt = erasedAt(history)
	return o, nil
}

func (s *Service) describeResponse(ctx context.Context, resp store.Response, locale string, surveys *surveyCache, withAnswers bool) (NamedResponse, error) {
	nr := NamedResponse{ID: resp.ID, SurveyID: resp.SurveyID, Date: resp.Date}
	if resp.Named != nil {
		nr.ConsentID = resp.Named.ConsentID
	}
	sv, ok, err := surveys.get(ctx, resp.SurveyID)
	if err != nil {
		return NamedResponse{}, err
	}
	if ok {
		nr.SurveyTitle = sv.Title.Get(locale, sv.DefaultLocale)
	}
	if !withAnswers {
		return nr, nil
	}
	answers, err := OpenAnswers(s.sealer, resp)
	if err != nil {
		return NamedResponse{}, err
	}
	nr.Answers = describeAnswers(sv, locale, answers, s.accountName(ctx, resp))
	return nr, nil
}

// accountName is the name of the company a named response came from, for
// prompts that show it; "" when unknown.
func (s *Service) accountName(ctx context.Context, resp store.Response) string {
	id, err := OpenAccount(s.sealer, resp)
	if err != nil || id == "" || s.accounts == nil {
		return ""
	}
	a, err := s.accounts.ByID(ctx, id)
	if err != nil {
		return ""
	}
	return a.Name
}

// NamedResponse returns one response that carries a person's name, with
// its answers. A staff member's reading it is audit-logged first.
func (s *Service) NamedResponse(ctx context.Context, contactID, responseID, locale string, by Requester) (NamedResponse, error) {
	resp, err := s.responses.ByID(ctx, responseID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (resp.Named == nil || resp.Named.ContactID != contactID)) {
		return NamedResponse{}, ErrNotFound
	}
	if err != nil {
		return NamedResponse{}, fmt.Errorf("privacy: %w", err)
	}
	if err := s.record(ctx, by, audit.ViewNamed, contactID, responseID); err != nil {
		return NamedResponse{}, err
	}
	return s.describeResponse(ctx, resp, locale, newSurveyCache(s.surveys), true)
}

// Export is everything Candor holds about a person, for them to download.
type Export struct {
	GeneratedAt    time.Time        `json:"generatedAt"`
	Contact        ContactExport    `json:"contact"`
	Invitations    []InvitationInfo `json:"invitations"`
	NamedResponses []NamedResponse  `json:"namedResponses"`
	Consents       []ConsentInfo    `json:"consents"`
	Notes          []string         `json:"notes"`
}

// ContactExport is the contact record as exported.
type ContactExport struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Email     string          `json:"email"`
	Company   string          `json:"company"`
	Locale    string          `json:"locale"`
	Role      contacts.Role   `json:"role,omitempty"` // their part in their company's decisions, when staff set one
	Status    contacts.Status `json:"status"`
	CreatedAt time.Time       `json:"createdAt"`
	UpdatedAt time.Time       `json:"updatedAt"`
}

// Export returns everything held about a person (the right of access),
// named answers included. A staff member's export is audit-logged first.
func (s *Service) Export(ctx context.Context, contactID, locale string, by Requester) (Export, error) {
	if err := s.record(ctx, by, audit.PrivacyAccess, contactID, ""); err != nil {
		return Export{}, err
	}
	o, err := s.overview(ctx, contactID, locale, true)
	if err != nil {
		return Export{}, err
	}
	c := o.Contact
	return Export{
		GeneratedAt: s.now().UTC().Truncate(time.Second),
		Contact: ContactExport{
			ID: c.ID, Name: c.Name, Email: c.Email, Company: o.Company, Locale: c.Locale, Role: c.Role,
			Status: c.Status, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		},
		Invitations:    o.Invitations,
		NamedResponses: o.Responses,
		Consents:       o.Consents,
		Notes: []string{
			"Answers given without attaching a name are stored without any link to the person who gave them, so they cannot be found or included here.",
			"Name and email are stored encrypted with a key of this person's own; erasure destroys that key.",
		},
	}, nil
}

// Rectify corrects a person's name and email. Invalid values come back as
// customer field errors, an address another contact has as
// customer.ErrEmailTaken.
func (s *Service) Rectify(ctx context.Context, contactID, name, email string, by Requester) (customer.Contact, error) {
	if err := s.record(ctx, by, audit.PrivacyRectify, contactID, ""); err != nil {
		return customer.Contact{}, err
	}
	c, err := s.subjects.Rectify(ctx, contactID, name, email)
	switch {
	case errors.Is(err, customer.ErrNotFound):
		return customer.Contact{}, ErrNotFound
	case errors.Is(err, customer.ErrErased):
		return customer.Contact{}, ErrErased
	}
	return c, err
}

// Erase erases a person: their address is suppressed from every future
// email, pending invitations are revoked, messages still queued for them
// are withdrawn and their dead letters deleted, the dev outbox's mail that
// names them or was addressed to them is deleted, pending email changes go,
// their name comes off every response, every consent reference is
// destroyed, their data key is destroyed (crypto-shredding: the sealed name
// and email become unreadable everywhere, backups included), the consent
// log records that an erasure happened — and nothing else about them — and
// the database is asked to scrub what was deleted from its files. Each step
// is idempotent, so erasing again finishes an erasure that was interrupted.
func (s *Service) Erase(ctx context.Context, contactID string, by Requester) error {
	if err := s.record(ctx, by, audit.PrivacyErase, contactID, ""); err != nil {
		return err
	}
	contact, err := s.subject(ctx, contactID)
	if err != nil {
		return err
	}
	if err := s.stopMail(ctx, contact); err != nil {
		return err
	}
	if err := s.forgetDevMails(ctx, contact); err != nil {
		return err
	}
	if err := s.shred(ctx, contact, by); err != nil {
		return err
	}
	return s.scrub(ctx)
}

// Retire erases contacts for the retention policy, as Erase does each,
// but reads the dev outbox once for all of them and leaves scrubbing the
// database to the sweep, which does it once per run.
func (s *Service) Retire(ctx context.Context, contactIDs []string) error {
	people := make([]customer.Contact, 0, len(contactIDs))
	for _, id := range contactIDs {
		contact, err := s.subject(ctx, id)
		if err != nil {
			return err
		}
		if err := s.stopMail(ctx, contact); err != nil {
			return err
		}
		people = append(people, contact)
	}
	if err := s.forgetDevMails(ctx, people...); err != nil {
		return err
	}
	for _, contact := range people {
		if err := s.shred(ctx, contact, Requester{Via: ViaRetention}); err != nil {
			return err
		}
	}
	return nil
}

// stopMail is the first steps of an erasure: the address is suppressed,
// pending invitations revoked, queued messages withdrawn and dead letters
// deleted, so that no mail follows and none waits.
func (s *Service) stopMail(ctx context.Context, contact customer.Contact) error {
	contactID := contact.ID
	now := s.now().UTC()
	if contact.Status != contacts.Erased {
		// First, while the address can still be read: no email may follow.
		indexes, err := s.subjects.EmailIndexes(ctx, contactID)
		if err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
		for _, idx := range indexes {
			if err := s.suppressions.Add(ctx, store.Suppression{ID: idx, Reason: store.SuppressedErased, CreatedAt: now}); err != nil {
				return fmt.Errorf("privacy: %w", err)
			}
		}
	}
	invitations, err := s.invitations.ByContact(ctx, contactID)
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	for _, inv := range invitations {
		if inv.State != store.InvitationPending {
			continue
		}
		if _, err := s.invitations.Transition(ctx, inv.ID, store.InvitationPending, store.InvitationRevoked); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	if s.outbox != nil {
		if _, _, err := s.outbox.ForgetContact(ctx, contactID); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	return nil
}

// shred is the rest of an erasure, after the dev outbox: names off the
// responses, consent references, pending email changes and the data key
// destroyed, and the erasure recorded.
func (s *Service) shred(ctx context.Context, contact customer.Contact, by Requester) error {
	contactID := contact.ID
	now := s.now().UTC()
	named, err := s.responses.NamedBy(ctx, contactID)
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	for _, resp := range named {
		if _, err := s.responses.Unname(ctx, resp.ID, contactID, ""); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
		if err := s.forget(ctx, resp.ID); err != nil {
			return err
		}
	}
	history, err := s.consents.ByContact(ctx, contactID)
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	for _, id := range refIDs(history) {
		if err := s.consents.DeleteRef(ctx, id); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	if s.changes != nil {
		// A confirmation link must not bring an address back.
		if err := s.changes.DeleteByContact(ctx, contactID); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	if contact.Status != contacts.Erased {
		if err := s.eraser.Erase(ctx, contactID, now); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
	}
	if erasedAt(history) == nil {
		if _, err := s.chain.Append(ctx, consents.Record{
			Kind: consents.Erasure, ContactID: contactID, Method: by.via(), At: now,
		}); err != nil {
			return err
		}
	}
	return nil
}

// forgetDevMails deletes every dev-outbox mail that names one of people
// or one of their addresses, current or pending confirmation. It runs
// before their erasure, while the names and addresses can still be read;
// once they cannot (an erasure finished before), the dev outbox was
// cleared then.
func (s *Service) forgetDevMails(ctx context.Context, people ...customer.Contact) error {
	if s.devMails == nil {
		return nil
	}
	var needles []string
	for _, contact := range people {
		needles = append(needles, contact.Name, contact.Email, html.EscapeString(contact.Name))
		if s.changes == nil {
			continue
		}
		pending, err := s.changes.ByContact(ctx, contact.ID)
		if err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
		for _, ch := range pending {
			if email, err := s.sealer.Open(ch.Email, emailChangeContext(ch.ID)); err == nil {
				needles = append(needles, string(email))
			}
		}
	}
	if _, err := s.devMails.DeleteMentioning(ctx, needles); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// Scrub asks the database to overwrite what was deleted, for the retention
// sweep after a run.
func (s *Service) Scrub(ctx context.Context) error { return s.scrub(ctx) }

// scrub asks the database to overwrite what was deleted.
func (s *Service) scrub(ctx context.Context) error {
	if s.scrubber == nil {
		return nil
	}
	if err := s.scrubber.Scrub(ctx); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// DeIdentify takes the person off a named response for the retention
// policy: as a withdrawal of its consent (recorded on the chain as done by
// the retention policy), which unnames the response, deletes its follow-up
// and destroys the consent's response reference. The answers stay, as an
// anonymous response; the reports' counters do not change. Repeatable.
func (s *Service) DeIdentify(ctx context.Context, resp store.Response) error {
	if resp.Named == nil {
		return nil
	}
	err := s.Withdraw(ctx, resp.Named.ContactID, resp.Named.ConsentID, Requester{Via: ViaRetention})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	// Also when the consent record or its reference is gone already: the
	// name comes off all the same.
	if _, err := s.responses.Unname(ctx, resp.ID, resp.Named.ContactID, resp.Named.ConsentID); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return s.forget(ctx, resp.ID)
}

// FindByEmail finds a person by their exact email address, for an admin
// handling a request from someone who wrote in.
func (s *Service) FindByEmail(ctx context.Context, email string) (customer.Contact, error) {
	return found(s.subjects.SubjectByEmail(ctx, email))
}
