package staff

import (
	"context"

	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/store"
)

// FollowupService is what the web layer uses of the closed loop
// (*followup.Service).
type FollowupService interface {
	List(ctx context.Context, actor store.User, q followup.Query) ([]followup.Item, int64, error)
	Surveys(ctx context.Context, actor store.User) ([]followup.SurveyChoice, error)
	Open(ctx context.Context, actor store.User, responseID, requestID string) (followup.Detail, error)
	MarkContacted(ctx context.Context, actor store.User, responseID, requestID string) error
	Resolve(ctx context.Context, actor store.User, responseID, note, requestID string) error
	Reopen(ctx context.Context, actor store.User, responseID, requestID string) error
	Assign(ctx context.Context, actor store.User, responseID, ownerID, requestID string) error
}

var _ FollowupService = (*followup.Service)(nil)
