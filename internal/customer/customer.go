// Package customer keeps the accounts (customer companies) and contacts
// (people at them) that account managers survey. Contact names and emails
// are personal data: they are sealed with a per-contact data key and found
// by a blind index of the email, never stored in plain text.
package customer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

// Errors callers branch on.
var (
	ErrNotFound  = fault.New(fault.NotFound, "customer", "not found")
	ErrForbidden = fault.New(fault.Forbidden, "customer", "your role has no access to customer data")
	// ErrConflict comes with its reason (ErrConflict.Becausef), which is
	// what clients are told.
	ErrConflict = fault.New(fault.Conflict, "customer", "conflict")
	// ErrBusy means the imports this process runs at once are all taken;
	// like ErrConflict it comes with its reason.
	ErrBusy = fault.New(fault.TooMany, "customer", "busy")
)

// invalid returns the field-level messages as one error, nil for none.
func invalid(fields map[string]string) error {
	return fault.Fields(fault.Invalid, "customer", fields)
}

// conflict is a well-formed value that clashes with what is stored (a
// taken account name or email): kind Conflict rather than Invalid.
func conflict(field, msg string) error {
	return fault.Fields(fault.Conflict, "customer", map[string]string{field: msg})
}

// Messages for values another record holds.
const (
	nameTaken = "an account with this name already exists"
	// EmailUnavailable answers every attempt to give a contact an email
	// another contact has, in words that do not say whose it is or
	// whether the actor could see that contact: managers may not learn of
	// other managers' contacts.
	EmailUnavailable = "this email address cannot be used here; if it is right, ask an admin"
)

// Accounts is what the service needs of the accounts collection.
type Accounts interface {
	Insert(ctx context.Context, a store.Account) error
	ByID(ctx context.Context, id string) (store.Account, error)
	List(ctx context.Context, f store.AccountFilter, p store.Page) ([]store.Account, int64, error)
	All(ctx context.Context, f store.AccountFilter) ([]store.Account, error)
	Replace(ctx context.Context, a store.Account) error
	Delete(ctx context.Context, id string) error
}

// Contacts is what the service needs of the contacts collection.
type Contacts interface {
	Insert(ctx context.Context, c contacts.Contact) error
	InsertMany(ctx context.Context, cs []contacts.Contact) ([]error, error)
	ByID(ctx context.Context, id string) (contacts.Contact, error)
	ByEmailIndex(ctx context.Context, indexes ...string) (contacts.Contact, error)
	List(ctx context.Context, f contacts.Filter, p store.Page) ([]contacts.Contact, int64, error)
	Each(ctx context.Context, f contacts.Filter, fn func(contacts.Contact) error) error
	Count(ctx context.Context, f contacts.Filter) (int64, error)
	CountByRole(ctx context.Context, accountID string) (map[contacts.Role]int, error)
	Replace(ctx context.Context, c contacts.Contact, previousEmailIndex string) error

	// For a key rotation (Rewrap).
	ClaimEmail(ctx context.Context, index, contactID string) (taken bool, err error)
	ReleaseEmail(ctx context.Context, index, contactID string) (bool, error)
	Rekey(ctx context.Context, id string, from, to contacts.Keys) error
}

// Users resolves the managers named on an account.
type Users interface {
	ByID(ctx context.Context, id string) (store.User, error)
}

// Service is accounts and contacts, scoped by the acting user's role:
// admins see everything, managers their own accounts, analysts nothing.
type Service struct {
	accounts Accounts
	contacts Contacts
	users    Users
	sealer   *seal.Sealer
	now      func() time.Time

	uploads Uploads    // nil without WithImportJobs
	jobs    ImportJobs // nil without WithImportJobs
	logger  *slog.Logger

	// importSlots bounds the imports and dry runs this process reads at
	// once, so that large files cannot occupy it; importing holds, per
	// user, whether one of theirs is being read.
	importSlots   chan struct{}
	maxImportRows int
	mu            sync.Mutex
	importing     map[string]bool
}

// New returns a Service.
func New(accounts Accounts, contacts Contacts, users Users, sealer *seal.Sealer, opts ...Option) *Service {
	s := &Service{accounts: accounts, contacts: contacts, users: users, sealer: sealer, now: time.Now,
		logger:      slog.New(slog.DiscardHandler),
		importSlots: make(chan struct{}, MaxConcurrentImports), maxImportRows: MaxImportRows, importing: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// scope returns the account filter an actor is limited to.
func scope(actor store.User) (store.AccountFilter, error) {
	a := policy.Of(actor)
	switch {
	case !policy.CanManageCustomers(a):
		return store.AccountFilter{}, ErrForbidden
	case policy.SeesAllAccounts(a):
		return store.AccountFilter{}, nil
	default:
		return store.AccountFilter{ManagerID: actor.ID}, nil
	}
}

func canManage(actor store.User, a store.Account) bool {
	return policy.SeesAccount(policy.Of(actor), a.ManagerIDs)
}

// AccountInput is a new account, or a full replacement of one.
type AccountInput struct {
	Name       string   `json:"name"`
	Country    string   `json:"country"`
	Region     string   `json:"region"`
	Industry   string   `json:"industry"`
	Tier       string   `json:"tier"`
	ManagerIDs []string `json:"managerIds"`
}

// AccountPatch changes some fields of an account; nil leaves a field.
type AccountPatch struct {
	Name       *string   `json:"name"`
	Country    *string   `json:"country"`
	Region     *string   `json:"region"`
	Industry   *string   `json:"industry"`
	Tier       *string   `json:"tier"`
	ManagerIDs *[]string `json:"managerIds"`
}

func (in *AccountInput) normalize() {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.Region = strings.TrimSpace(in.Region)
	in.Industry = strings.TrimSpace(in.Industry)
	in.Tier = strings.TrimSpace(in.Tier)
	seen := map[string]bool{}
	ids := in.ManagerIDs[:0:0]
	for _, id := range in.ManagerIDs {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	in.ManagerIDs = ids
}

func (s *Service) validateAccount(ctx context.Context, in AccountInput) error {
	fields := map[string]string{}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fields["name"] = "is required"
	case n > 200:
		fields["name"] = "must be at most 200 characters"
	}
	if in.Country != "" {
		if r, err := language.ParseRegion(in.Country); err != nil || !r.IsCountry() || len(in.Country) != 2 {
			fields["country"] = "must be a two-letter ISO 3166 country code such as FI or DE"
		}
	}
	for name, v := range map[string]string{"region": in.Region, "industry": in.Industry, "tier": in.Tier} {
		if utf8.RuneCountInString(v) > 100 {
			fields[name] = "must be at most 100 characters"
		}
	}
	if len(in.ManagerIDs) == 0 {
		fields["managerIds"] = "name at least one responsible manager"
	}
	for _, id := range in.ManagerIDs {
		u, err := s.users.ByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !policy.CanBeAccountManager(u)) {
			fields["managerIds"] = fmt.Sprintf("%q is not an active manager or admin", id)
			break
		}
		if err != nil {
			return fmt.Errorf("customer: %w", err)
		}
	}
	return invalid(fields)
}

// CreateAccount adds an account. A manager who names no managers becomes
// the responsible one.
func (s *Service) CreateAccount(ctx context.Context, actor store.User, in AccountInput) (store.Account, error) {
	if _, err := scope(actor); err != nil {
		return store.Account{}, err
	}
	// An account must stay visible to the one who creates it.
	if len(in.ManagerIDs) == 0 && !policy.SeesAllAccounts(policy.Of(actor)) {
		in.ManagerIDs = []string{actor.ID}
	}
	in.normalize()
	if err := s.validateAccount(ctx, in); err != nil {
		return store.Account{}, err
	}
	if !policy.SeesAccount(policy.Of(actor), in.ManagerIDs) {
		return store.Account{}, invalid(map[string]string{"managerIds": "must include yourself"})
	}
	now := s.now().UTC()
	a := store.Account{
		ID: store.NewID(), Name: in.Name, NameKey: store.FoldName(in.Name), Country: in.Country,
		Region: in.Region, Industry: in.Industry, Tier: in.Tier, ManagerIDs: in.ManagerIDs,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.accounts.Insert(ctx, a); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return store.Account{}, conflict("name", nameTaken)
		}
		return store.Account{}, fmt.Errorf("customer: %w", err)
	}
	return a, nil
}

// Account returns an account the actor may see; ErrNotFound otherwise, so
// that other managers' accounts are indistinguishable from missing ones.
func (s *Service) Account(ctx context.Context, actor store.User, id string) (store.Account, error) {
	if _, err := scope(actor); err != nil {
		return store.Account{}, err
	}
	a, err := s.accounts.ByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canManage(actor, a)) {
		return store.Account{}, ErrNotFound
	}
	if err != nil {
		return store.Account{}, fmt.Errorf("customer: %w", err)
	}
	return a, nil
}

// ListAccounts returns a page of the accounts the actor may see.
func (s *Service) ListAccounts(ctx context.Context, actor store.User, search string, p store.Page) ([]store.Account, int64, error) {
	f, err := scope(actor)
	if err != nil {
		return nil, 0, err
	}
	f.Search = strings.TrimSpace(search)
	if err := CheckSearch(f.Search); err != nil {
		return nil, 0, err
	}
	items, total, err := s.accounts.List(ctx, f, p)
	if err != nil {
		return nil, 0, fmt.Errorf("customer: %w", err)
	}
	return items, total, nil
}

// VisibleAccounts returns every account the actor may see.
func (s *Service) VisibleAccounts(ctx context.Context, actor store.User) ([]store.Account, error) {
	f, err := scope(actor)
	if err != nil {
		return nil, err
	}
	all, err := s.accounts.All(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("customer: %w", err)
	}
	return all, nil
}

// UpdateAccount applies patch to an account the actor manages.
func (s *Service) UpdateAccount(ctx context.Context, actor store.User, id string, patch AccountPatch) (store.Account, error) {
	a, err := s.Account(ctx, actor, id)
	if err != nil {
		return store.Account{}, err
	}
	in := AccountInput{Name: a.Name, Country: a.Country, Region: a.Region, Industry: a.Industry, Tier: a.Tier, ManagerIDs: a.ManagerIDs}
	for dst, src := range map[*string]*string{&in.Name: patch.Name, &in.Country: patch.Country, &in.Region: patch.Region, &in.Industry: patch.Industry, &in.Tier: patch.Tier} {
		if src != nil {
			*dst = *src
		}
	}
	if patch.ManagerIDs != nil {
		in.ManagerIDs = *patch.ManagerIDs
	}
	in.normalize()
	if err := s.validateAccount(ctx, in); err != nil {
		return store.Account{}, err
	}
	a.Name, a.NameKey, a.Country, a.Region, a.Industry, a.Tier, a.ManagerIDs =
		in.Name, store.FoldName(in.Name), in.Country, in.Region, in.Industry, in.Tier, in.ManagerIDs
	a.UpdatedAt = s.now().UTC()
	if err := s.accounts.Replace(ctx, a); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			return store.Account{}, conflict("name", nameTaken)
		}
		if errors.Is(err, store.ErrNotFound) {
			return store.Account{}, ErrNotFound
		}
		return store.Account{}, fmt.Errorf("customer: %w", err)
	}
	return a, nil
}

// DeleteAccount removes an account that has no contacts left; contacts are
// people whose data must be erased deliberately, never as a side effect.
func (s *Service) DeleteAccount(ctx context.Context, actor store.User, id string) error {
	if _, err := s.Account(ctx, actor, id); err != nil {
		return err
	}
	n, err := s.contacts.Count(ctx, contacts.Filter{AccountIDs: []string{id}})
	if err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	if n > 0 {
		return ErrConflict.Becausef("the account still has %d contacts; erase or move them first", n)
	}
	if err := s.accounts.Delete(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		return fmt.Errorf("customer: %w", err)
	}
	return nil
}
