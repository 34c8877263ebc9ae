package api

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/webhooks"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/candorhq/candor/internal/webhook"
)

// WebhookService is what the API uses of webhooks (*webhook.Service).
type WebhookService interface {
	List(ctx context.Context, actor store.User, p store.Page) ([]webhook.Info, int64, error)
	Endpoint(ctx context.Context, actor store.User, id string) (webhook.Info, error)
	Create(ctx context.Context, actor store.User, in webhook.Input) (webhook.Info, string, error)
	Update(ctx context.Context, actor store.User, id string, p webhook.Patch) (webhook.Info, error)
	Delete(ctx context.Context, actor store.User, id string) error
	Rotate(ctx context.Context, actor store.User, id string) (webhook.Info, string, error)
	Deliveries(ctx context.Context, actor store.User, endpointID string, p store.Page) ([]webhook.DeliveryInfo, int64, error)
	Replay(ctx context.Context, actor store.User, endpointID, deliveryID string) (webhook.DeliveryInfo, error)
}

var _ WebhookService = (*webhook.Service)(nil)

// WebhookJSON is an endpoint as the API shows it: never its secret, and
// its URL without what may be a credential.
type WebhookJSON struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Kind           string     `json:"kind"`
	URL            string     `json:"url"`
	Events         []string   `json:"events"`
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabledReason,omitempty"`
	NPSThreshold   *int       `json:"npsThreshold,omitempty"`
	PreviousUntil  *time.Time `json:"previousSecretValidUntil,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

func toWebhookJSON(in webhook.Info) WebhookJSON {
	return WebhookJSON{ID: in.ID, Name: in.Name, Kind: in.Kind, URL: in.Display, Events: in.Events, Enabled: in.Enabled,
		DisabledReason: in.DisabledReason, NPSThreshold: in.NPSThreshold, PreviousUntil: in.PreviousUntil,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt}
}

// WebhookWithSecret is an endpoint just created or rotated, with the
// signing secret shown this once.
type WebhookWithSecret struct {
	WebhookJSON
	Secret string `json:"secret"`
}

// DeliveryJSON is one entry of an endpoint's delivery log.
type DeliveryJSON struct {
	ID            string         `json:"id"`
	EventID       string         `json:"eventId"`
	Event         string         `json:"event"`
	State         webhooks.State `json:"state"`
	Attempts      int            `json:"attempts"`
	Replays       int            `json:"replays"`
	LastStatus    int            `json:"lastStatus,omitempty"`
	LastError     string         `json:"lastError,omitempty"`
	NextAttemptAt *time.Time     `json:"nextAttemptAt,omitempty"`
	CreatedAt     time.Time      `json:"createdAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	DeliveredAt   *time.Time     `json:"deliveredAt,omitempty"`
}

func toDeliveryJSON(d webhook.DeliveryInfo) DeliveryJSON {
	return DeliveryJSON{ID: d.ID, EventID: d.EventID, Event: d.EventType, State: d.State, Attempts: d.Attempts, Replays: d.Replays,
		LastStatus: d.LastStatus, LastError: d.LastError, NextAttemptAt: d.NextAttemptAt,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, DeliveredAt: d.DeliveredAt}
}

// page reads ?offset=0&limit=50.
func page(c *fiber.Ctx) (store.Page, error) {
	fields := map[string]string{}
	offset := queryInt(c, "offset", 0, fields)
	limit := queryInt(c, "limit", 50, fields)
	if len(fields) > 0 {
		return store.Page{}, problem.BadRequest("invalid input", fields)
	}
	return store.Page{Offset: offset, Limit: limit}, nil
}

// Webhooks lists the endpoints by name.
func (s *API) Webhooks(c *fiber.Ctx) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	actor, _ := identity.User(c)
	list, total, err := s.webhooks.List(c.UserContext(), actor, p)
	if err != nil {
		return err
	}
	items := make([]WebhookJSON, len(list))
	for i, in := range list {
		items[i] = toWebhookJSON(in)
	}
	return c.JSON(fiber.Map{"items": items, "total": total})
}

// Webhook returns one endpoint.
func (s *API) Webhook(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	in, err := s.webhooks.Endpoint(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(toWebhookJSON(in))
}

// CreateWebhookRequest is a new endpoint; enabled unless said otherwise.
type CreateWebhookRequest struct {
	Name         string   `json:"name"`
	URL          string   `json:"url"`
	Kind         string   `json:"kind"`
	Events       []string `json:"events"`
	Enabled      *bool    `json:"enabled"`
	NPSThreshold *int     `json:"npsThreshold"`
}

// CreateWebhook adds an endpoint and answers with its secret, shown once.
func (s *API) CreateWebhook(c *fiber.Ctx) error {
	var in CreateWebhookRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	enabled := in.Enabled == nil || *in.Enabled
	actor, _ := identity.User(c)
	info, secret, err := s.webhooks.Create(c.UserContext(), actor, webhook.Input{Name: in.Name, URL: in.URL, Kind: in.Kind,
		Events: in.Events, Enabled: enabled, NPSThreshold: in.NPSThreshold})
	if err != nil {
		return err
	}
	c.Location("/api/v1/webhooks/" + info.ID)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(WebhookWithSecret{WebhookJSON: toWebhookJSON(info), Secret: secret})
}

// UpdateWebhookRequest changes some of an endpoint; npsThreshold null
// removes the threshold.
type UpdateWebhookRequest struct {
	Name         *string         `json:"name"`
	URL          *string         `json:"url"`
	Kind         *string         `json:"kind"`
	Events       *[]string       `json:"events"`
	Enabled      *bool           `json:"enabled"`
	NPSThreshold json.RawMessage `json:"npsThreshold"`
}

// UpdateWebhook changes an endpoint.
func (s *API) UpdateWebhook(c *fiber.Ctx) error {
	var in UpdateWebhookRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p := webhook.Patch{Name: in.Name, URL: in.URL, Kind: in.Kind, Events: in.Events, Enabled: in.Enabled}
	switch raw := bytes.TrimSpace(in.NPSThreshold); {
	case len(raw) == 0:
	case string(raw) == "null":
		p.ClearThreshold = true
	default:
		var n int
		if err := json.Unmarshal(raw, &n); err != nil {
			return problem.BadRequest("invalid input", map[string]string{"npsThreshold": "must be a whole number or null"})
		}
		p.NPSThreshold = &n
	}
	actor, _ := identity.User(c)
	info, err := s.webhooks.Update(c.UserContext(), actor, input.Param(c, "id"), p)
	if err != nil {
		return err
	}
	return c.JSON(toWebhookJSON(info))
}

// DeleteWebhook removes an endpoint and its delivery log.
func (s *API) DeleteWebhook(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	if err := s.webhooks.Delete(c.UserContext(), actor, input.Param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// RotateWebhookSecret gives an endpoint a new secret, shown once; the
// previous one signs beside it for 24 hours.
func (s *API) RotateWebhookSecret(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	info, secret, err := s.webhooks.Rotate(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(WebhookWithSecret{WebhookJSON: toWebhookJSON(info), Secret: secret})
}

// WebhookDeliveries lists an endpoint's delivery log, newest first.
func (s *API) WebhookDeliveries(c *fiber.Ctx) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	actor, _ := identity.User(c)
	list, total, err := s.webhooks.Deliveries(c.UserContext(), actor, input.Param(c, "id"), p)
	if err != nil {
		return err
	}
	items := make([]DeliveryJSON, len(list))
	for i, d := range list {
		items[i] = toDeliveryJSON(d)
	}
	return c.JSON(fiber.Map{"items": items, "total": total})
}

// ReplayWebhookDelivery queues a delivered or failed delivery again, with
// the same ids.
func (s *API) ReplayWebhookDelivery(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	d, err := s.webhooks.Replay(c.UserContext(), actor, input.Param(c, "id"), input.Param(c, "delivery"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(toDeliveryJSON(d))
}
