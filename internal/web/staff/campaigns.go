package staff

import (
	"context"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

// CampaignService is what the web layer uses of campaigns, the dev
// outbox and unsubscribing (*invite.Service).
type CampaignService interface {
	FormOptions(ctx context.Context, actor store.User, surveyID string) (invite.FormOptions, error)
	SearchContacts(ctx context.Context, actor store.User, search string, p store.Page) ([]customer.Contact, int64, error)
	Preview(ctx context.Context, actor store.User, surveyID string, req invite.Request) (invite.Preview, error)
	PreviewEmail(ctx context.Context, actor store.User, surveyID, locale string, kind outbox.Kind) (invite.Email, error)
	Create(ctx context.Context, actor store.User, surveyID string, req invite.Request) (invite.Created, error)
	List(ctx context.Context, actor store.User, surveyID string) (survey.Survey, []store.Campaign, error)
	Report(ctx context.Context, actor store.User, id string) (invite.Report, error)
	Cancel(ctx context.Context, actor store.User, id string) (invite.Report, error)

	CreateSchedule(ctx context.Context, actor store.User, surveyID string, req invite.ScheduleRequest) (store.CampaignSchedule, error)
	Schedules(ctx context.Context, actor store.User, surveyID string) ([]invite.ScheduleInfo, error)
	Schedule(ctx context.Context, actor store.User, id string) (store.CampaignSchedule, error)
	PauseSchedule(ctx context.Context, actor store.User, id string, paused bool) (store.CampaignSchedule, error)
	DeleteSchedule(ctx context.Context, actor store.User, id string) error

	OutboxMessages(ctx context.Context, actor store.User, p store.Page) ([]outbox.DevMail, int64, error)
	OutboxMessage(ctx context.Context, actor store.User, id string) (outbox.DevMail, error)
}

var _ CampaignService = (*invite.Service)(nil)
