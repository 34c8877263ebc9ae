package staff

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/pager"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/candorhq/candor/internal/webhook"
)

// WebhookService is what the admin pages use of webhooks (*webhook.Service).
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

const (
	webhooksPerPage   = 50
	deliveriesPerPage = 25
)

// choice is one option of a form: its value, label and whether it is chosen.
type choice struct {
	Value, Label, Help string
	Chosen             bool
}

// webhookEventText names a webhook event for people and says what it is.
func webhookEventText(eventType string) (label, help string) {
	switch eventType {
	case webhook.CampaignFinished:
		return "Campaign finished", "Delivery counts of a campaign once it is sent."
	case webhook.FollowupCreated:
		return "Follow-up created", "A named answer became a follow-up; Slack and Teams hear of detractors only."
	case webhook.FollowupOverdue:
		return "Follow-up overdue", "A follow-up passed its due time without being resolved."
	case webhook.ThresholdCrossed:
		return "NPS threshold crossed", "A survey's all-time NPS, as reports show it, crossed this endpoint's threshold."
	}
	return eventType, ""
}

// kindLabel names an endpoint kind for people.
func kindLabel(kind string) string {
	switch kind {
	case webhook.Generic:
		return "Generic (signed JSON)"
	case webhook.Slack:
		return "Slack incoming webhook"
	case webhook.Teams:
		return "Microsoft Teams incoming webhook"
	}
	return kind
}

// webhookForm backs the new-endpoint form and the edit form on an
// endpoint's page.
type webhookForm struct {
	Name      string
	URL       string
	Kind      string
	Events    []string
	Enabled   bool
	Threshold string
	Errors    map[string]string
	Error     string
	Editing   bool // an existing endpoint: an empty URL keeps its URL
}

func (f webhookForm) Kinds() []choice {
	out := make([]choice, 0, len(webhook.Kinds))
	for _, k := range webhook.Kinds {
		out = append(out, choice{Value: k, Label: kindLabel(k), Chosen: k == f.Kind})
	}
	return out
}

func (f webhookForm) EventChoices() []choice {
	out := make([]choice, 0, len(webhook.EventTypes))
	for _, ev := range webhook.EventTypes {
		label, help := webhookEventText(ev)
		out = append(out, choice{Value: ev, Label: label, Help: help, Chosen: slices.Contains(f.Events, ev)})
	}
	return out
}

// readWebhookForm reads the form; a threshold that is not a number is a
// field error of its own.
func readWebhookForm(c *fiber.Ctx) (webhookForm, *int) {
	f := webhookForm{
		Name: strings.TrimSpace(input.Form(c, "name")), URL: strings.TrimSpace(input.Form(c, "url")),
		Kind: input.Form(c, "kind"), Events: input.Values(c, "events"), Enabled: input.Form(c, "enabled") == "on",
		Threshold: strings.TrimSpace(input.Form(c, "npsThreshold")), Errors: map[string]string{},
	}
	if f.Threshold == "" {
		return f, nil
	}
	n, err := strconv.Atoi(f.Threshold)
	if err != nil {
		f.Errors["npsThreshold"] = "must be a whole number between -100 and 100"
		return f, nil
	}
	return f, &n
}

func formOf(in webhook.Info) webhookForm {
	f := webhookForm{Name: in.Name, Kind: in.Kind, Events: in.Events, Enabled: in.Enabled, Editing: true}
	if in.NPSThreshold != nil {
		f.Threshold = strconv.Itoa(*in.NPSThreshold)
	}
	return f
}

// endpointRow is an endpoint with its kind and events in words.
type endpointRow struct {
	webhook.Info
	KindLabel   string
	EventLabels []string
}

func endpointRowOf(in webhook.Info) endpointRow {
	r := endpointRow{Info: in, KindLabel: kindLabel(in.Kind)}
	for _, ev := range in.Events {
		r.EventLabels = append(r.EventLabels, eventLabel(ev))
	}
	return r
}

// deliveryRow is a delivery with its event in words.
type deliveryRow struct {
	webhook.DeliveryInfo
	Event string
}

type webhooksPage struct {
	Endpoints []endpointRow
	Pager     pager.Pager
	Deleted   bool
}

// AdminWebhooks lists the webhook endpoints.
func (s *Pages) AdminWebhooks(c *fiber.Ctx) error {
	n := pager.Number(c)
	actor, _ := identity.User(c)
	list, total, err := s.webhooks.List(c.UserContext(), actor, store.Page{Offset: int64(n-1) * webhooksPerPage, Limit: webhooksPerPage})
	if err != nil {
		return err
	}
	rows := make([]endpointRow, len(list))
	for i, in := range list {
		rows[i] = endpointRowOf(in)
	}
	return s.views.Render(c, fiber.StatusOK, "admin_webhooks", "Webhooks", webhooksPage{
		Endpoints: rows, Pager: pager.New("/admin/webhooks", nil, n, webhooksPerPage, len(list), total), Deleted: c.Query("deleted") == "1",
	})
}

// AdminWebhookNew shows the empty form: a generic endpoint, enabled.
func (s *Pages) AdminWebhookNew(c *fiber.Ctx) error {
	return s.views.Render(c, fiber.StatusOK, "admin_webhook_new", "Add a webhook", webhookForm{Kind: webhook.Generic, Enabled: true})
}

// webhookSecretPage shows a secret once, after creation or rotation.
type webhookSecretPage struct {
	Endpoint endpointRow
	Secret   string
	Rotated  bool
}

// AdminWebhookCreate adds an endpoint and shows its secret once, or the
// form again with what was typed and a message by each invalid field.
func (s *Pages) AdminWebhookCreate(c *fiber.Ctx) error {
	form, threshold := readWebhookForm(c)
	actor, _ := identity.User(c)
	if len(form.Errors) > 0 {
		return s.views.Render(c, fiber.StatusBadRequest, "admin_webhook_new", "Add a webhook", form)
	}
	info, secret, err := s.webhooks.Create(c.UserContext(), actor, webhook.Input{Name: form.Name, URL: form.URL, Kind: form.Kind,
		Events: form.Events, Enabled: form.Enabled, NPSThreshold: threshold})
	if p := problem.WithFields(err); p != nil {
		form.Errors = p.Fields
		return s.views.Render(c, p.Status, "admin_webhook_new", "Add a webhook", form)
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.views.Render(c, fiber.StatusCreated, "admin_webhook_secret", info.Name, webhookSecretPage{Endpoint: endpointRowOf(info), Secret: secret})
}

// webhookPage is an endpoint's page: its settings to edit and its
// delivery log.
type webhookPage struct {
	Endpoint   endpointRow
	Form       webhookForm
	Deliveries []deliveryRow
	Pager      pager.Pager
	Saved      bool
	Replayed   bool
	Error      string
}

func (s *Pages) webhookPage(c *fiber.Ctx, id string) (webhookPage, error) {
	actor, _ := identity.User(c)
	info, err := s.webhooks.Endpoint(c.UserContext(), actor, id)
	if err != nil {
		return webhookPage{}, err
	}
	n := pager.Number(c)
	list, total, err := s.webhooks.Deliveries(c.UserContext(), actor, id, store.Page{Offset: int64(n-1) * deliveriesPerPage, Limit: deliveriesPerPage})
	if err != nil {
		return webhookPage{}, err
	}
	rows := make([]deliveryRow, len(list))
	for i, d := range list {
		rows[i] = deliveryRow{DeliveryInfo: d, Event: eventLabel(d.EventType)}
	}
	p := webhookPage{Endpoint: endpointRowOf(info), Form: formOf(info), Deliveries: rows,
		Pager: pager.New("/admin/webhooks/"+url.PathEscape(id), nil, n, deliveriesPerPage, len(list), total)}
	p.Pager.NewestFirst, p.Pager.Label = true, "Delivery log pages"
	return p, nil
}

// AdminWebhook shows an endpoint with its delivery log.
func (s *Pages) AdminWebhook(c *fiber.Ctx) error {
	p, err := s.webhookPage(c, input.Param(c, "id"))
	if err != nil {
		return err
	}
	p.Saved, p.Replayed = c.Query("saved") == "1", c.Query("replayed") == "1"
	return s.views.Render(c, fiber.StatusOK, "admin_webhook", p.Endpoint.Name, p)
}

// AdminWebhookSave applies an admin's changes; an empty URL keeps the URL.
func (s *Pages) AdminWebhookSave(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	form, threshold := readWebhookForm(c)
	var err error
	if len(form.Errors) == 0 {
		actor, _ := identity.User(c)
		patch := webhook.Patch{Name: &form.Name, URL: &form.URL, Kind: &form.Kind, Events: &form.Events, Enabled: &form.Enabled,
			NPSThreshold: threshold, ClearThreshold: threshold == nil}
		if _, err = s.webhooks.Update(c.UserContext(), actor, id, patch); err == nil {
			return c.Redirect("/admin/webhooks/"+url.PathEscape(id)+"?saved=1", fiber.StatusSeeOther)
		}
	}
	status := fiber.StatusBadRequest
	switch pr := problem.WithFields(err); {
	case errors.Is(err, webhook.ErrChanged):
		form.Error, status = "Someone changed this webhook meanwhile (or a receiver disabled it). Check the settings below and save again.", fiber.StatusConflict
	case err != nil && pr == nil:
		return err
	case pr != nil:
		form.Errors, status = pr.Fields, pr.Status
	}
	p, perr := s.webhookPage(c, id)
	if perr != nil {
		return perr
	}
	form.Editing = true
	p.Form = form
	return s.views.Render(c, status, "admin_webhook", p.Endpoint.Name, p)
}

// AdminWebhookRotate gives an endpoint a new secret and shows it once.
func (s *Pages) AdminWebhookRotate(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	info, secret, err := s.webhooks.Rotate(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.views.Render(c, fiber.StatusOK, "admin_webhook_secret", info.Name, webhookSecretPage{Endpoint: endpointRowOf(info), Secret: secret, Rotated: true})
}

// AdminWebhookDeleteConfirm asks before an endpoint and its log go.
func (s *Pages) AdminWebhookDeleteConfirm(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	info, err := s.webhooks.Endpoint(c.UserContext(), actor, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return s.views.Render(c, fiber.StatusOK, "admin_webhook_delete", "Delete "+info.Name, info)
}

// AdminWebhookDelete removes an endpoint and its delivery log.
func (s *Pages) AdminWebhookDelete(c *fiber.Ctx) error {
	actor, _ := identity.User(c)
	if err := s.webhooks.Delete(c.UserContext(), actor, input.Param(c, "id")); err != nil {
		return err
	}
	return c.Redirect("/admin/webhooks?deleted=1", fiber.StatusSeeOther)
}

// AdminWebhookReplay queues a delivery again; one still pending or
// dropped is said so on the page.
func (s *Pages) AdminWebhookReplay(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	actor, _ := identity.User(c)
	_, err := s.webhooks.Replay(c.UserContext(), actor, id, input.Param(c, "delivery"))
	if err == nil {
		return c.Redirect("/admin/webhooks/"+url.PathEscape(id)+"?replayed=1", fiber.StatusSeeOther)
	}
	if !errors.Is(err, webhook.ErrReplay) {
		return err
	}
	p, perr := s.webhookPage(c, id)
	if perr != nil {
		return perr
	}
	p.Error = "Only a delivered or failed delivery can be replayed: this one is still pending or was dropped."
	return s.views.Render(c, problem.Classify(err).Status, "admin_webhook", p.Endpoint.Name, p)
}

// eventLabel names an event for people.
func eventLabel(eventType string) string {
	label, _ := webhookEventText(eventType)
	return label
}
