// Package webhook posts Candor's events to the endpoints admins configure:
// signed JSON to generic receivers, and messages to Slack and Teams
// incoming webhooks.
//
// Publishing is durable and idempotent: an event becomes one delivery per
// subscribed endpoint in the webhook_deliveries queue, under an _id
// derived from the event and the endpoint, before anything is posted. A
// leased dispatcher in every serve and worker process claims due
// deliveries one by one and posts them, retrying with backoff.
//
// Only aggregates and follow-ups leave: a follow-up exists only for an
// answer whose respondent consented to be named, so an anonymous answer
// is never an event of its own.
package webhook

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/webhooks"
)

// Event types.
const (
	CampaignFinished = "campaign.finished"
	FollowupCreated  = "followup.created"
	FollowupOverdue  = "followup.overdue"
	ThresholdCrossed = "report.threshold_crossed"
)

// EventTypes are every event an endpoint may subscribe to.
var EventTypes = []string{CampaignFinished, FollowupCreated, FollowupOverdue, ThresholdCrossed}

// Endpoint kinds.
const (
	Generic = "generic"
	Slack   = "slack"
	Teams   = "teams"
)

// Kinds are the kinds of endpoint.
var Kinds = []string{Generic, Slack, Teams}

// chatEvents are what Slack and Teams endpoints may subscribe to: the
// alerts a person acts on.
var chatEvents = []string{FollowupCreated, FollowupOverdue}

// Event is one thing that happened, as it is posted to generic endpoints.
// Exactly one of its parts is set, by Type.
type Event struct {
	ID        string            `json:"id"`
	Type      string            `json:"type"`
	CreatedAt time.Time         `json:"createdAt"`
	Campaign  *CampaignSummary  `json:"campaign,omitempty"`
	Followup  *FollowupSummary  `json:"followup,omitempty"`
	Threshold *ThresholdSummary `json:"threshold,omitempty"`
}

// CampaignSummary is a finished campaign's delivery counts: aggregates only.
type CampaignSummary struct {
	ID          string `json:"id"`
	SurveyID    string `json:"surveyId"`
	SurveyTitle string `json:"surveyTitle"`
	Invited     int    `json:"invited"`
	Sent        int    `json:"sent"`
	Failed      int    `json:"failed"`
	Bounced     int    `json:"bounced"`
	Suppressed  int    `json:"suppressed"`
}

// FollowupSummary is a follow-up of a named answer. Comment is the
// answer's free text, which its respondent consented to attach their name
// to; it goes to generic endpoints only, never to Slack or Teams.
type FollowupSummary struct {
	ID          string     `json:"id"`
	SurveyID    string     `json:"surveyId"`
	SurveyTitle string     `json:"surveyTitle"`
	Account     string     `json:"account"`
	Score       *int       `json:"score,omitempty"`
	Detractor   bool       `json:"detractor"`
	DueAt       *time.Time `json:"dueAt,omitempty"`
	URL         string     `json:"url"`
	Comment     string     `json:"comment,omitempty"`
}

// ThresholdSummary is a survey's released NPS crossing an endpoint's
// threshold.
type ThresholdSummary struct {
	SurveyID    string  `json:"surveyId"`
	SurveyTitle string  `json:"surveyTitle"`
	Threshold   int     `json:"threshold"`
	NPS         float64 `json:"nps"`
	Direction   string  `json:"direction"` // "up" or "down"
	Period      string  `json:"period"`    // "all-time"
}

// EventID derives an event's id from what it is about, so that a producer
// publishing the same event again (a retry, another process) repeats it.
func EventID(eventType, key string) string {
	sum := sha256.Sum256([]byte(eventType + "|" + key))
	return "evt_" + hex.EncodeToString(sum[:16])
}

// DeliveryID derives a delivery's id from its event and endpoint.
func DeliveryID(eventID, endpointID string) string {
	sum := sha256.Sum256([]byte(eventID + "|" + endpointID))
	return "dlv_" + hex.EncodeToString(sum[:16])
}

// Errors callers branch on.
var (
	ErrForbidden = fault.New(fault.Forbidden, "webhook", "only admins configure webhooks")
	ErrNotFound  = fault.New(fault.NotFound, "webhook", "not found")
	ErrReplay    = fault.New(fault.Conflict, "webhook", "only a delivered or failed delivery can be replayed")
	ErrChanged   = fault.New(fault.Conflict, "webhook", "the webhook was changed meanwhile; reload it and try again")
)

// Store is what the service needs of the webhook collections.
type Store interface {
	InsertEndpoint(ctx context.Context, e webhooks.Endpoint) error
	Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error)
	Endpoints(ctx context.Context, p store.Page) ([]webhooks.Endpoint, int64, error)
	Subscribed(ctx context.Context, eventType string) ([]webhooks.Endpoint, error)
	SaveEndpoint(ctx context.Context, e webhooks.Endpoint, prev time.Time) error
	Disable(ctx context.Context, id, reason string, at time.Time) error
	DeleteEndpoint(ctx context.Context, id string) error
	Enqueue(ctx context.Context, d webhooks.Delivery) (bool, error)
	Delivery(ctx context.Context, id string) (webhooks.Delivery, error)
	Due(ctx context.Context, now time.Time, limit int64) ([]webhooks.Due, error)
	Claim(ctx context.Context, id, token string, now, until time.Time) (webhooks.Due, bool, error)
	Finish(ctx context.Context, id, token string, o webhooks.Outcome) (bool, error)
	Unqueue(ctx context.Context, id, token string) (bool, error)
	Repair(ctx context.Context, before, now time.Time) (int, error)
	Replay(ctx context.Context, id string, now, expires time.Time) (webhooks.Delivery, error)
	ForEndpoint(ctx context.Context, endpointID string, p store.Page) ([]webhooks.Delivery, int64, error)
	Sweep(ctx context.Context, now time.Time) (int64, error)
	Threshold(ctx context.Context, id string) (webhooks.Threshold, bool, error)
	SaveThreshold(ctx context.Context, t webhooks.Threshold) error
	ResealStore
}

var _ Store = (*webhooks.Repo)(nil)

// Rotation is how long a rotated-out secret keeps signing deliveries.
const Rotation = 24 * time.Hour

// Retention is how long a delivery stays in the log.
const Retention = 30 * 24 * time.Hour

// Deps is what the service is built from.
type Deps struct {
	Store  Store
	Sealer *seal.Sealer
	// Production refuses plain http and private or loopback targets.
	Production bool
	Logger     *slog.Logger
}

// Service configures endpoints and publishes events.
type Service struct {
	d   Deps
	now func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d, now: time.Now}
}

// WithClock returns a copy of s that reads the time from now, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Publish queues e for every enabled endpoint subscribed to it. Publishing
// the same event again queues nothing more.
func (s *Service) Publish(ctx context.Context, e Event) error { return s.publish(ctx, e, "") }

// publish queues e for the subscribed endpoints, only the one with id
// only when that is set (a threshold is an endpoint's own).
func (s *Service) publish(ctx context.Context, e Event, only string) error {
	if e.ID == "" || !slices.Contains(EventTypes, e.Type) {
		return fmt.Errorf("webhook: publish: event without id or of unknown type %q", e.Type)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.clock()
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Second)
	endpoints, err := s.d.Store.Subscribed(ctx, e.Type)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	body, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	now := s.clock()
	var errs []error
	for _, ep := range endpoints {
		if (only != "" && ep.ID != only) || !wants(ep, e) {
			continue
		}
		id := DeliveryID(e.ID, ep.ID)
		box, err := s.d.Sealer.Seal(body, bodyContext(id))
		if err != nil {
			errs = append(errs, fmt.Errorf("webhook: %w", err))
			continue
		}
		d := webhooks.Delivery{
			ID: id, EndpointID: ep.ID, EventID: e.ID, EventType: e.Type, Body: box,
			State: webhooks.Pending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(Retention),
		}
		if e.Followup != nil {
			d.Subject = e.Followup.ID
		}
		if _, err := s.d.Store.Enqueue(ctx, d); err != nil {
			errs = append(errs, fmt.Errorf("webhook: %w", err))
		}
	}
	return errors.Join(errs...)
}

// wants reports whether ep takes e: Slack and Teams only detractors'
// new follow-ups and overdue ones.
func wants(ep webhooks.Endpoint, e Event) bool {
	if ep.Kind == Generic {
		return true
	}
	switch e.Type {
	case FollowupCreated:
		return e.Followup != nil && e.Followup.Detractor
	case FollowupOverdue:
		return e.Followup != nil
	}
	return false
}

func bodyContext(deliveryID string) string   { return "webhook-delivery:" + deliveryID }
func secretContext(endpointID string) string { return "webhook-secret:" + endpointID }
func urlContext(endpointID string) string    { return "webhook-url:" + endpointID }

// newSecret returns a fresh signing secret.
func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// Info is an endpoint as admins see it: never its secret, and its URL
// only as Display.
type Info struct {
	ID             string
	Name           string
	Kind           string
	Display        string
	Events         []string
	Enabled        bool
	DisabledReason string
	NPSThreshold   *int
	// PreviousUntil is when the secret rotated out stops signing; nil when
	// no rotation is under way.
	PreviousUntil *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (s *Service) info(e webhooks.Endpoint) Info {
	in := Info{ID: e.ID, Name: e.Name, Kind: e.Kind, Display: e.Display, Events: e.Events, Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, NPSThreshold: e.NPSThreshold, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if e.PreviousUntil != nil && e.PreviousUntil.After(s.now()) {
		in.PreviousUntil = e.PreviousUntil
	}
	return in
}

func allowed(actor store.User) error {
	if !policy.CanAdminister(policy.Of(actor)) {
		return ErrForbidden
	}
	return nil
}

// Input is an endpoint as an admin writes it.
type Input struct {
	Name         string
	URL          string
	Kind         string
	Events       []string
	Enabled      bool
	NPSThreshold *int
}

// Patch changes some of an endpoint: nil fields stay. An empty URL keeps
// the URL; ClearThreshold removes the threshold.
type Patch struct {
	Name           *string
	URL            *string
	Kind           *string
	Events         *[]string
	Enabled        *bool
	NPSThreshold   *int
	ClearThreshold bool
}

// List returns a page of endpoints by name.
func (s *Service) List(ctx context.Context, actor store.User, p store.Page) ([]Info, int64, error) {
	if err := allowed(actor); err != nil {
		return nil, 0, err
	}
	list, total, err := s.d.Store.Endpoints(ctx, p)
	if err != nil {
		return nil, 0, fmt.Errorf("webhook: %w", err)
	}
	out := make([]Info, len(list))
	for i, e := range list {
		out[i] = s.info(e)
	}
	return out, total, nil
}

// Endpoint returns one endpoint.
func (s *Service) Endpoint(ctx context.Context, actor store.User, id string) (Info, error) {
	if err := allowed(actor); err != nil {
		return Info{}, err
	}
	e, err := s.endpoint(ctx, id)
	if err != nil {
		return Info{}, err
	}
	return s.info(e), nil
}

func (s *Service) endpoint(ctx context.Context, id string) (webhooks.Endpoint, error) {
	e, err := s.d.Store.Endpoint(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return webhooks.Endpoint{}, ErrNotFound
	}
	if err != nil {
		return webhooks.Endpoint{}, fmt.Errorf("webhook: %w", err)
	}
	return e, nil
}

// Create adds an endpoint and returns it with its signing secret, which
// is shown this once.
func (s *Service) Create(ctx context.Context, actor store.User, in Input) (Info, string, error) {
	if err := allowed(actor); err != nil {
		return Info{}, "", err
	}
	in.Name, in.URL, in.Kind = strings.TrimSpace(in.Name), strings.TrimSpace(in.URL), strings.TrimSpace(in.Kind)
	if in.Kind == "" {
		in.Kind = Generic
	}
	if fields := ValidateInput(in, s.d.Production); len(fields) > 0 {
		return Info{}, "", fault.Fields(fault.Invalid, "webhook", fields)
	}
	now := s.clock()
	e := webhooks.Endpoint{ID: store.NewID(), Name: in.Name, Kind: in.Kind, Events: normalEvents(in.Events), Enabled: in.Enabled,
		NPSThreshold: in.NPSThreshold, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	if err := s.sealURL(&e, in.URL); err != nil {
		return Info{}, "", err
	}
	secret := newSecret()
	box, err := s.d.Sealer.Seal([]byte(secret), secretContext(e.ID))
	if err != nil {
		return Info{}, "", fmt.Errorf("webhook: %w", err)
	}
	e.Secret = box
	if err := s.d.Store.InsertEndpoint(ctx, e); err != nil {
		return Info{}, "", fmt.Errorf("webhook: %w", err)
	}
	return s.info(e), secret, nil
}

func (s *Service) sealURL(e *webhooks.Endpoint, raw string) error {
	box, err := s.d.Sealer.Seal([]byte(raw), urlContext(e.ID))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	e.URL, e.Display = box, displayURL(raw, e.Kind)
	return nil
}

// Update changes an endpoint. Enabling one that a receiver disabled
// clears the reason.
func (s *Service) Update(ctx context.Context, actor store.User, id string, p Patch) (Info, error) {
	if err := allowed(actor); err != nil {
		return Info{}, err
	}
	e, err := s.endpoint(ctx, id)
	if err != nil {
		return Info{}, err
	}
	in := Input{Name: e.Name, Kind: e.Kind, Events: e.Events, Enabled: e.Enabled, NPSThreshold: e.NPSThreshold}
	if p.Name != nil {
		in.Name = strings.TrimSpace(*p.Name)
	}
	if p.Kind != nil {
		in.Kind = strings.TrimSpace(*p.Kind)
	}
	if p.Events != nil {
		in.Events = *p.Events
	}
	if p.Enabled != nil {
		in.Enabled = *p.Enabled
	}
	if p.NPSThreshold != nil {
		in.NPSThreshold = p.NPSThreshold
	}
	if p.ClearThreshold {
		in.NPSThreshold = nil
	}
	newURL := ""
	if p.URL != nil {
		newURL = strings.TrimSpace(*p.URL)
	}
	kindChanged := in.Kind != e.Kind
	if newURL == "" && kindChanged {
		return Info{}, fault.Fields(fault.Invalid, "webhook", map[string]string{"url": "is required when the kind changes"})
	}
	check := in
	check.URL = newURL
	fields := ValidateInput(check, s.d.Production)
	if newURL == "" {
		delete(fields, "url") // kept as it is
	}
	if len(fields) > 0 {
		return Info{}, fault.Fields(fault.Invalid, "webhook", fields)
	}
	if in.Enabled && !e.Enabled {
		e.DisabledReason = ""
	}
	prev := e.UpdatedAt
	e.Name, e.Kind, e.Events, e.Enabled, e.NPSThreshold, e.UpdatedAt = in.Name, in.Kind, normalEvents(in.Events), in.Enabled, in.NPSThreshold, s.clock()
	if newURL != "" {
		if err := s.sealURL(&e, newURL); err != nil {
			return Info{}, err
		}
	}
	if err := s.save(ctx, e, prev); err != nil {
		return Info{}, err
	}
	return s.info(e), nil
}

// Delete removes an endpoint with its delivery log.
func (s *Service) Delete(ctx context.Context, actor store.User, id string) error {
	if err := allowed(actor); err != nil {
		return err
	}
	err := s.d.Store.DeleteEndpoint(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

// Rotate gives an endpoint a new secret, returned this once. The current
// one keeps signing beside it for Rotation, so that receivers can switch.
func (s *Service) Rotate(ctx context.Context, actor store.User, id string) (Info, string, error) {
	if err := allowed(actor); err != nil {
		return Info{}, "", err
	}
	e, err := s.endpoint(ctx, id)
	if err != nil {
		return Info{}, "", err
	}
	secret := newSecret()
	box, err := s.d.Sealer.Seal([]byte(secret), secretContext(e.ID))
	if err != nil {
		return Info{}, "", fmt.Errorf("webhook: %w", err)
	}
	now := s.clock()
	until := now.Add(Rotation)
	prevSecret, prev := e.Secret, e.UpdatedAt
	e.Previous, e.PreviousUntil, e.Secret, e.UpdatedAt = &prevSecret, &until, box, now
	if err := s.save(ctx, e, prev); err != nil {
		return Info{}, "", err
	}
	return s.info(e), secret, nil
}

// save writes e if it is still as it was at prev.
func (s *Service) save(ctx context.Context, e webhooks.Endpoint, prev time.Time) error {
	if !e.UpdatedAt.After(prev) {
		e.UpdatedAt = prev.Add(time.Millisecond) // a new version, even within one clock tick
	}
	err := s.d.Store.SaveEndpoint(ctx, e, prev)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, store.ErrConflict):
		return ErrChanged
	case err != nil:
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

// DeliveryInfo is one entry of an endpoint's delivery log.
type DeliveryInfo struct {
	ID            string
	EndpointID    string
	EventID       string
	EventType     string
	State         webhooks.State
	Attempts      int
	Replays       int
	LastStatus    int
	LastError     string
	NextAttemptAt *time.Time // pending only
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeliveredAt   *time.Time
}

func deliveryInfo(d webhooks.Delivery) DeliveryInfo {
	out := DeliveryInfo{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType, State: d.State,
		Attempts: d.Attempts, Replays: d.Replays, LastStatus: d.LastStatus, LastError: d.LastError,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, DeliveredAt: d.DeliveredAt}
	if d.State == webhooks.Pending {
		next := d.NextAttemptAt
		out.NextAttemptAt = &next
	}
	return out
}

// Deliveries returns a page of an endpoint's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, actor store.User, endpointID string, p store.Page) ([]DeliveryInfo, int64, error) {
	if err := allowed(actor); err != nil {
		return nil, 0, err
	}
	if _, err := s.endpoint(ctx, endpointID); err != nil {
		return nil, 0, err
	}
	list, total, err := s.d.Store.ForEndpoint(ctx, endpointID, p)
	if err != nil {
		return nil, 0, fmt.Errorf("webhook: %w", err)
	}
	out := make([]DeliveryInfo, len(list))
	for i, d := range list {
		out[i] = deliveryInfo(d)
	}
	return out, total, nil
}

// Replay queues a delivered or failed delivery of endpointID again, due
// now, with the same event id and delivery id so that receivers can
// recognise it.
func (s *Service) Replay(ctx context.Context, actor store.User, endpointID, deliveryID string) (DeliveryInfo, error) {
	if err := allowed(actor); err != nil {
		return DeliveryInfo{}, err
	}
	d, err := s.d.Store.Delivery(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.EndpointID != endpointID) {
		return DeliveryInfo{}, ErrNotFound
	}
	if err != nil {
		return DeliveryInfo{}, fmt.Errorf("webhook: %w", err)
	}
	now := s.clock()
	d, err = s.d.Store.Replay(ctx, deliveryID, now, now.Add(Retention))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return DeliveryInfo{}, ErrNotFound
	case errors.Is(err, store.ErrConflict):
		return DeliveryInfo{}, ErrReplay
	case err != nil:
		return DeliveryInfo{}, fmt.Errorf("webhook: %w", err)
	}
	return deliveryInfo(d), nil
}
