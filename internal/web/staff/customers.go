package staff

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
)

// CustomerService is the part of *customer.Service the web layer uses.
type CustomerService interface {
	CreateAccount(ctx context.Context, actor store.User, in customer.AccountInput) (store.Account, error)
	Account(ctx context.Context, actor store.User, id string) (store.Account, error)
	ListAccounts(ctx context.Context, actor store.User, search string, p store.Page) ([]store.Account, int64, error)
	VisibleAccounts(ctx context.Context, actor store.User) ([]store.Account, error)
	UpdateAccount(ctx context.Context, actor store.User, id string, patch customer.AccountPatch) (store.Account, error)
	DeleteAccount(ctx context.Context, actor store.User, id string) error

	CreateContact(ctx context.Context, actor store.User, in customer.ContactInput) (customer.Contact, error)
	Contact(ctx context.Context, actor store.User, id string) (customer.Contact, error)
	UpdateContact(ctx context.Context, actor store.User, id string, patch customer.ContactPatch) (customer.Contact, error)
	ListContacts(ctx context.Context, actor store.User, q customer.ContactQuery) ([]customer.Contact, int64, error)

	StageImport(ctx context.Context, actor store.User, r io.Reader, fileName string) (customer.ImportJob, error)
	StartImport(ctx context.Context, actor store.User, id string) (customer.ImportJob, error)
	ImportJob(ctx context.Context, actor store.User, id string) (customer.ImportJob, error)
}

var _ CustomerService = (*customer.Service)(nil)

// Limits of the accounts and contacts area.
const (
	AccountsPerPage = 50
	contactsPerPage = 50
	issuesShown     = 500 // rejected rows listed on a page; the CSV report lists them all

	// A contacts file is the one request body allowed past bodyLimit:
	// 32 MB holds some 400,000 rows. fasthttp holds the body in memory
	// while the request lasts (a multipart file over 16 MB goes to a
	// temporary file), so the limit is per route, not app-wide.
	MaxImportBytes     = 32 << 20
	ImportReadTimeout  = 5 * time.Minute  // to receive a large file over a slow link
	ExportWriteTimeout = 10 * time.Minute // to send every contact
)

// staffDirectory names users by id and lists who may be made responsible
// for an account.
type staffDirectory struct {
	names    map[string]string
	eligible []store.User // active admins and managers
}

// staffDirectory reads every user: staff are few.
func (s *Pages) staffDirectory(ctx context.Context) (staffDirectory, error) {
	d := staffDirectory{names: map[string]string{}}
	p := store.Page{Limit: 500}
	for {
		users, total, err := s.auth.ListUsers(ctx, p)
		if err != nil {
			return staffDirectory{}, err
		}
		for _, u := range users {
			d.names[u.ID] = u.Name
			if policy.CanBeAccountManager(u) {
				d.eligible = append(d.eligible, u)
			}
		}
		p.Offset += int64(len(users))
		if len(users) == 0 || p.Offset >= total {
			return d, nil
		}
	}
}

// managerNames lists an account's managers by name.
func (d staffDirectory) managerNames(ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if n, ok := d.names[id]; ok {
			names = append(names, n)
		} else {
			names = append(names, "(removed user)")
		}
	}
	return strings.Join(names, ", ")
}
