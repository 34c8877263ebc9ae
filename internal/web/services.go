package web

import (
	"github.com/candorhq/candor/internal/web/api"
	"github.com/candorhq/candor/internal/web/home"
	"github.com/candorhq/candor/internal/web/respondent"
	"github.com/candorhq/candor/internal/web/staff"
)

// The services the server is built from: each is what the areas that use
// it ask of it, so that an area's needs are written down once, in the
// area.
type (
	// CustomerService is accounts and contacts (*customer.Service).
	CustomerService interface {
		staff.CustomerService
		api.CustomerService
	}
	// CampaignService is campaigns, the dev outbox and unsubscribing
	// (*invite.Service).
	CampaignService interface {
		staff.CampaignService
		api.CampaignService
		home.Campaigns
		respondent.SubscriptionService
	}
	// PrivacyService is consent, data-subject rights and the audit log
	// (*privacy.Service).
	PrivacyService interface {
		staff.PrivacyService
		respondent.PrivacyService
	}
	// RelationshipService is accounts' relationship numbers
	// (*relationship.Service).
	RelationshipService interface {
		staff.RelationshipService
		home.Relationships
	}
	// RetentionService is the retention policy and its sweep
	// (*retention.Service).
	RetentionService interface {
		staff.RetentionService
		api.RetentionService
	}
	// WebhookService is the admins' webhook endpoints and their delivery
	// logs (*webhook.Service).
	WebhookService interface {
		staff.WebhookService
		api.WebhookService
	}
	// FollowupService is the closed loop on named answers (*followup.Service).
	FollowupService interface {
		staff.FollowupService
		api.FollowupService
		home.Followups
	}
)
