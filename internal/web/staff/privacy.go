package staff

import (
	"context"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
)

// PrivacyService is what the web layer uses of consent, data-subject
// rights and the audit log (*privacy.Service).
type PrivacyService interface {
	Overview(ctx context.Context, contactID, locale string, by privacy.Requester) (privacy.Overview, error)
	NamedResponse(ctx context.Context, contactID, responseID, locale string, by privacy.Requester) (privacy.NamedResponse, error)
	Export(ctx context.Context, contactID, locale string, by privacy.Requester) (privacy.Export, error)
	Rectify(ctx context.Context, contactID, name, email string, by privacy.Requester) (customer.Contact, error)
	Withdraw(ctx context.Context, contactID, consentID string, by privacy.Requester) error
	Erase(ctx context.Context, contactID string, by privacy.Requester) error
	FindByEmail(ctx context.Context, email string) (customer.Contact, error)
	AuditLog(ctx context.Context, f store.AuditFilter, p store.Page) ([]store.AuditEntry, int64, error)
}

var _ PrivacyService = (*privacy.Service)(nil)
