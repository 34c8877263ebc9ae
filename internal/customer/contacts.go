package customer

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// Contact is a contact as staff see it, with name and email opened.
type Contact struct {
	ID             string          `json:"id"`
	AccountID      string          `json:"accountId"`
	Name           string          `json:"name"`
	Email          string          `json:"email"`
	Locale         string          `json:"locale"`
	Role           contacts.Role   `json:"role"` // empty when not set
	Status         contacts.Status `json:"status"`
	LastSurveyedAt *time.Time      `json:"lastSurveyedAt,omitempty"`
	CreatedAt      time.Time       `json:"createdAt"`
	UpdatedAt      time.Time       `json:"updatedAt"`
}

// ContactInput is a new contact.
type ContactInput struct {
	AccountID string `json:"accountId"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Locale    string `json:"locale"`
	Role      string `json:"role"` // decision_maker, influencer, user, or empty; ParseRole's spellings
}

// ContactPatch changes some fields of a contact; nil leaves a field.
type ContactPatch struct {
	AccountID *string `json:"accountId"`
	Name      *string `json:"name"`
	Email     *string `json:"email"`
	Locale    *string `json:"locale"`
	Role      *string `json:"role"` // "" removes it
}

// DefaultLocale is a contact's locale when none is given.
const DefaultLocale = "en"

// NormalizeEmail is the form an email is compared and indexed in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// checkContact normalises and validates the person fields; it returns the
// messages keyed by field.
func checkContact(in *ContactInput) map[string]string {
	fields := map[string]string{}
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Email = NormalizeEmail(in.Email)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fields["name"] = "is required"
	case n > 200:
		fields["name"] = "must be at most 200 characters"
	}
	if msg := emailProblem(in.Email); msg != "" {
		fields["email"] = msg
	}
	if strings.TrimSpace(in.Locale) == "" {
		in.Locale = DefaultLocale
	} else if code, ok := i18n.Normalize(in.Locale); ok {
		in.Locale = code
	} else {
		fields["locale"] = fmt.Sprintf("%q is not a supported locale (%s)", in.Locale, strings.Join(i18n.Supported(), ", "))
	}
	if role, ok := ParseRole(in.Role); ok {
		in.Role = string(role)
	} else {
		fields["role"] = fmt.Sprintf("must be %s, or empty, not %q", roleChoices(), displayRole(in.Role))
	}
	if strings.TrimSpace(in.AccountID) == "" {
		fields["accountId"] = "is required"
	}
	return fields
}

func emailProblem(email string) string {
	if email == "" {
		return "is required"
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "is not a valid email address"
	}
	return ""
}

// seal encrypts a contact's person fields with its data key.
func (s *Service) sealPerson(c *contacts.Contact, dk seal.DataKey, name, email string) error {
	var err error
	if c.Name, err = dk.Seal([]byte(name), "contact:"+c.ID+":name"); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	if c.Email, err = dk.Seal([]byte(email), "contact:"+c.ID+":email"); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	c.EmailIndex, err = s.sealer.BlindIndex(s.sealer.CurrentKeyID(), email)
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	return nil
}

// open decrypts a stored contact. An erased contact opens with empty name
// and email: its data key is gone.
func (s *Service) open(c contacts.Contact) (Contact, error) {
	out := Contact{ID: c.ID, AccountID: c.AccountID, Locale: c.Locale, Role: c.Role, Status: c.Status,
		LastSurveyedAt: c.LastSurveyedAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	dk, err := s.sealer.UnwrapDataKey(c.DataKey, "contact:"+c.ID)
	if errors.Is(err, seal.ErrShredded) {
		return out, nil
	}
	if err != nil {
		return Contact{}, fmt.Errorf("customer: contact %s: %w", c.ID, err)
	}
	name, err := dk.Open(c.Name, "contact:"+c.ID+":name")
	if err != nil {
		return Contact{}, fmt.Errorf("customer: contact %s: %w", c.ID, err)
	}
	email, err := dk.Open(c.Email, "contact:"+c.ID+":email")
	if err != nil {
		return Contact{}, fmt.Errorf("customer: contact %s: %w", c.ID, err)
	}
	out.Name, out.Email = string(name), string(email)
	return out, nil
}

// newContact builds the stored form of a validated input.
func (s *Service) newContact(in ContactInput) (contacts.Contact, error) {
	now := s.now().UTC()
	c := contacts.Contact{ID: store.NewID(), AccountID: in.AccountID, Locale: in.Locale, Role: contacts.Role(in.Role),
		Status: contacts.Active, CreatedAt: now, UpdatedAt: now}
	dk, wrapped, err := s.sealer.NewDataKey("contact:" + c.ID)
	if err != nil {
		return contacts.Contact{}, fmt.Errorf("customer: %w", err)
	}
	c.DataKey = wrapped
	if err := s.sealPerson(&c, dk, in.Name, in.Email); err != nil {
		return contacts.Contact{}, err
	}
	return c, nil
}

// CreateContact adds a contact to an account the actor manages.
func (s *Service) CreateContact(ctx context.Context, actor store.User, in ContactInput) (Contact, error) {
	if _, err := scope(actor); err != nil {
		return Contact{}, err
	}
	fields := checkContact(&in)
	if _, ok := fields["accountId"]; !ok {
		if _, err := s.Account(ctx, actor, in.AccountID); errors.Is(err, ErrNotFound) {
			fields["accountId"] = "no such account"
		} else if err != nil {
			return Contact{}, err
		}
	}
	if err := invalid(fields); err != nil {
		return Contact{}, err
	}
	c, err := s.newContact(in)
	if err != nil {
		return Contact{}, err
	}
	if err := s.notUnderOlderKey(ctx, in.Email, c.ID); err != nil {
		return Contact{}, err
	}
	if err := s.contacts.Insert(ctx, c); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return Contact{}, conflict("email", EmailUnavailable)
		}
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	return s.open(c)
}

// notUnderOlderKey refuses an email a contact holds under an older key's
// index, which the unique claim of the current index cannot see: until
// `candor keys rewrap` has moved every contact, after a rotation. The
// contact self may hold it.
func (s *Service) notUnderOlderKey(ctx context.Context, email, self string) error {
	older := s.sealer.BlindIndexes(NormalizeEmail(email))[1:]
	if len(older) == 0 {
		return nil
	}
	other, err := s.contacts.ByEmailIndex(ctx, older...)
	switch {
	case err == nil && other.ID == self:
		return nil
	case err == nil:
		return conflict("email", EmailUnavailable)
	case errors.Is(err, store.ErrNotFound):
		return nil
	}
	return fmt.Errorf("customer: %w", err)
}

// stored returns a stored contact whose account the actor manages.
func (s *Service) stored(ctx context.Context, actor store.User, id string) (contacts.Contact, error) {
	if _, err := scope(actor); err != nil {
		return contacts.Contact{}, err
	}
	c, err := s.contacts.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return contacts.Contact{}, ErrNotFound
	}
	if err != nil {
		return contacts.Contact{}, fmt.Errorf("customer: %w", err)
	}
	if _, err := s.Account(ctx, actor, c.AccountID); err != nil {
		return contacts.Contact{}, err
	}
	return c, nil
}

// Contact returns one contact the actor may see.
func (s *Service) Contact(ctx context.Context, actor store.User, id string) (Contact, error) {
	c, err := s.stored(ctx, actor, id)
	if err != nil {
		return Contact{}, err
	}
	return s.open(c)
}

// UpdateContact applies patch to a contact the actor manages. Moving it to
// another account needs the actor to manage that one too.
func (s *Service) UpdateContact(ctx context.Context, actor store.User, id string, patch ContactPatch) (Contact, error) {
	return retryChanged(func() (Contact, error) { return s.updateContact(ctx, actor, id, patch) })
}

// errChanged means a contact changed between reading and writing it (a key
// rotation moved its keys): the change is worked out again from a fresh read.
var errChanged = errors.New("customer: contact changed meanwhile")

// retryChanged runs fn again while it reports errChanged, a few times.
func retryChanged(fn func() (Contact, error)) (Contact, error) {
	for range 4 {
		c, err := fn()
		if !errors.Is(err, errChanged) {
			return c, err
		}
	}
	return Contact{}, ErrConflict.Becausef("the contact keeps changing; try again")
}

func (s *Service) updateContact(ctx context.Context, actor store.User, id string, patch ContactPatch) (Contact, error) {
	c, err := s.stored(ctx, actor, id)
	if err != nil {
		return Contact{}, err
	}
	if c.Status == contacts.Erased {
		return Contact{}, ErrConflict.Becausef("this person's data was erased at their request")
	}
	cur, err := s.open(c)
	if err != nil {
		return Contact{}, err
	}
	in := ContactInput{AccountID: cur.AccountID, Name: cur.Name, Email: cur.Email, Locale: cur.Locale, Role: string(cur.Role)}
	for dst, src := range map[*string]*string{&in.AccountID: patch.AccountID, &in.Name: patch.Name, &in.Email: patch.Email, &in.Locale: patch.Locale, &in.Role: patch.Role} {
		if src != nil {
			*dst = *src
		}
	}
	fields := checkContact(&in)
	if in.AccountID != c.AccountID && fields["accountId"] == "" {
		if _, err := s.Account(ctx, actor, in.AccountID); errors.Is(err, ErrNotFound) {
			fields["accountId"] = "no such account"
		} else if err != nil {
			return Contact{}, err
		}
	}
	if err := invalid(fields); err != nil {
		return Contact{}, err
	}
	return s.replace(ctx, c, in)
}

// replace re-seals a contact with new person fields and stores it.
func (s *Service) replace(ctx context.Context, c contacts.Contact, in ContactInput) (Contact, error) {
	dk, err := s.sealer.UnwrapDataKey(c.DataKey, "contact:"+c.ID)
	if err != nil {
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	previous := c.EmailIndex
	c.AccountID, c.Locale, c.Role, c.UpdatedAt = in.AccountID, in.Locale, contacts.Role(in.Role), s.now().UTC()
	if err := s.sealPerson(&c, dk, in.Name, in.Email); err != nil {
		return Contact{}, err
	}
	if c.EmailIndex != previous {
		if err := s.notUnderOlderKey(ctx, in.Email, c.ID); err != nil {
			return Contact{}, err
		}
	}
	if err := s.contacts.Replace(ctx, c, previous); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return Contact{}, conflict("email", EmailUnavailable)
		}
		if errors.Is(err, store.ErrConflict) {
			return Contact{}, errChanged
		}
		if errors.Is(err, store.ErrNotFound) {
			return Contact{}, ErrNotFound
		}
		return Contact{}, fmt.Errorf("customer: %w", err)
	}
	return s.open(c)
}

// ContactQuery selects contacts to list.
type ContactQuery struct {
	AccountID string // one account; empty: every account the actor manages
	Search    string // an email (exact, through the blind index) or part of a name
	// Role keeps the contacts of one role: a role ParseRole reads, or
	// RoleNotSet for those without one; empty keeps every contact.
	Role string
	Page store.Page
}

// maxNameScan bounds a name search, which has to open each contact.
const maxNameScan = 100_000

// ListContacts returns a page of the contacts the actor may see.
func (s *Service) ListContacts(ctx context.Context, actor store.User, q ContactQuery) ([]Contact, int64, error) {
	f, err := s.contactFilter(ctx, actor, q.AccountID)
	if err != nil {
		return nil, 0, err
	}
	if f.Role, err = roleFilter(q.Role); err != nil {
		return nil, 0, err
	}
	search := strings.TrimSpace(q.Search)
	if err := CheckSearch(search); err != nil {
		return nil, 0, err
	}
	switch {
	case search == "":
		stored, total, err := s.contacts.List(ctx, f, q.Page)
		if err != nil {
			return nil, 0, fmt.Errorf("customer: %w", err)
		}
		out := make([]Contact, 0, len(stored))
		for _, c := range stored {
			oc, err := s.open(c)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, oc)
		}
		return out, total, nil
	case strings.Contains(search, "@"):
		c, err := s.contacts.ByEmailIndex(ctx, s.sealer.BlindIndexes(NormalizeEmail(search))...)
		if errors.Is(err, store.ErrNotFound) || (err == nil && f.AccountIDs != nil && !slices.Contains(f.AccountIDs, c.AccountID)) ||
			(err == nil && f.Role != nil && c.Role != *f.Role) {
			return []Contact{}, 0, nil
		}
		if err != nil {
			return nil, 0, fmt.Errorf("customer: %w", err)
		}
		oc, err := s.open(c)
		if err != nil {
			return nil, 0, err
		}
		return []Contact{oc}, 1, nil
	default:
		return s.searchNames(ctx, f, search, q.Page)
	}
}

// searchNames opens each contact in scope and matches the name, since names
// are sealed and the database cannot search them.
func (s *Service) searchNames(ctx context.Context, f contacts.Filter, search string, p store.Page) ([]Contact, int64, error) {
	p = p.Normalize()
	needle := store.FoldName(search)
	out := []Contact{}
	var total, scanned int64
	errStop := errors.New("stop")
	err := s.contacts.Each(ctx, f, func(c contacts.Contact) error {
		if scanned++; scanned > maxNameScan {
			return errStop
		}
		oc, err := s.open(c)
		if err != nil {
			return err
		}
		if !strings.Contains(store.FoldName(oc.Name), needle) {
			return nil
		}
		if total >= p.Offset && int64(len(out)) < p.Limit {
			out = append(out, oc)
		}
		total++
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, 0, fmt.Errorf("customer: %w", err)
	}
	return out, total, nil
}

// contactFilter limits a contact query to the accounts the actor manages.
func (s *Service) contactFilter(ctx context.Context, actor store.User, accountID string) (contacts.Filter, error) {
	if accountID != "" {
		if _, err := s.Account(ctx, actor, accountID); err != nil {
			return contacts.Filter{}, err
		}
		return contacts.Filter{AccountIDs: []string{accountID}}, nil
	}
	if policy.SeesAllAccounts(policy.Of(actor)) {
		return contacts.Filter{}, nil
	}
	accounts, err := s.VisibleAccounts(ctx, actor)
	if err != nil {
		return contacts.Filter{}, err
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return contacts.Filter{AccountIDs: ids}, nil
}
