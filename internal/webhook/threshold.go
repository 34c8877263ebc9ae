package webhook

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/webhooks"
	"github.com/candorhq/candor/internal/survey"
)

// The threshold watch. Thresholds are set per endpoint (npsThreshold);
// every few minutes one process, holding a lease, reads each open or
// closed survey's all-time NPS as the anonymity release shows it (the
// report's overall cell, as the home page's headlines) and compares it
// with the side of the threshold it was on last time. A crossing, up or
// down, is an event; the first look only records the side. A suppressed
// NPS is never compared: the watch sees what a report shows, no more.
const (
	watchLease   = 4 * time.Minute
	watchSurveys = 200
)

// Reports computes reports with their anonymity protection (*report.Service).
type Reports interface {
	Report(ctx context.Context, q report.Query, surveys ...survey.Survey) (report.Report, error)
}

// Surveys lists surveys.
type Surveys interface {
	List(ctx context.Context, f store.SurveyFilter, p store.Page) ([]survey.Survey, int64, error)
}

// WatchStore is what the watch needs besides the service's store.
type WatchStore interface {
	Endpoints(ctx context.Context, p store.Page) ([]webhooks.Endpoint, int64, error)
	Threshold(ctx context.Context, id string) (webhooks.Threshold, bool, error)
	SaveThreshold(ctx context.Context, t webhooks.Threshold) error
	ClaimWatch(ctx context.Context, holder string, now, until time.Time) (bool, error)
}

var _ WatchStore = (*webhooks.Repo)(nil)

// Watch publishes report.threshold_crossed.
type Watch struct {
	store   WatchStore
	reports Reports
	surveys Surveys
	events  *Service
	holder  string
}

// NewWatch returns the threshold watch publishing through events.
func NewWatch(st WatchStore, reports Reports, surveys Surveys, events *Service) *Watch {
	return &Watch{store: st, reports: reports, surveys: surveys, events: events, holder: store.NewID()}
}

// Run looks every interval until ctx ends.
func (w *Watch) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := w.Once(ctx); err != nil && ctx.Err() == nil {
			w.events.d.Logger.Warn("webhook threshold watch", "err", err)
		}
	}
}

// Once looks at every survey for every endpoint with a threshold, if it
// gets the lease, and reports how many crossings it published.
func (w *Watch) Once(ctx context.Context) (int, error) {
	now := w.events.clock()
	ok, err := w.store.ClaimWatch(ctx, w.holder, now, now.Add(watchLease))
	if err != nil || !ok {
		return 0, err
	}
	eps, _, err := w.store.Endpoints(ctx, store.Page{Limit: 500})
	if err != nil {
		return 0, fmt.Errorf("webhook: %w", err)
	}
	var watching []webhooks.Endpoint
	for _, ep := range eps {
		if ep.Enabled && ep.NPSThreshold != nil && ep.Kind == Generic && subscribes(ep, ThresholdCrossed) {
			watching = append(watching, ep)
		}
	}
	if len(watching) == 0 {
		return 0, nil
	}
	var surveys []survey.Survey
	for _, st := range []survey.Status{survey.StatusOpen, survey.StatusClosed} {
		list, _, err := w.surveys.List(ctx, store.SurveyFilter{Status: st}, store.Page{Limit: watchSurveys})
		if err != nil {
			return 0, fmt.Errorf("webhook: %w", err)
		}
		surveys = append(surveys, list...)
	}
	crossed := 0
	var errs []error
	for _, sv := range surveys {
		rep, err := w.reports.Report(ctx, report.Query{Period: report.Quarterly}, sv)
		if err != nil {
			errs = append(errs, fmt.Errorf("webhook: survey %s: %w", sv.ID, err))
			continue
		}
		o := rep.Overall
		if o.Suppressed || o.NPS == nil {
			continue // nothing a report shows
		}
		nps := math.Round(o.NPS.Score*10) / 10
		for _, ep := range watching {
			did, err := w.look(ctx, ep, sv, nps, now)
			if err != nil {
				errs = append(errs, err)
			}
			if did {
				crossed++
			}
		}
	}
	return crossed, errors.Join(errs...)
}

func subscribes(ep webhooks.Endpoint, eventType string) bool {
	for _, e := range ep.Events {
		if e == eventType {
			return true
		}
	}
	return false
}

// look compares one survey's NPS with one endpoint's threshold, and
// publishes a crossing. The event's id counts the crossings, so that a
// watch repeating a look publishes the same event.
func (w *Watch) look(ctx context.Context, ep webhooks.Endpoint, sv survey.Survey, nps float64, now time.Time) (bool, error) {
	limit := *ep.NPSThreshold
	id := ep.ID + "|" + sv.ID
	mark, found, err := w.store.Threshold(ctx, id)
	if err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	above := nps >= float64(limit)
	next := webhooks.Threshold{ID: id, EndpointID: ep.ID, Threshold: limit, Above: above, NPS: nps, Seq: mark.Seq, At: now}
	crossedNow := found && mark.Threshold == limit && mark.Above != above
	if crossedNow {
		next.Seq++
		dir := "down"
		if above {
			dir = "up"
		}
		e := Event{
			ID: EventID(ThresholdCrossed, id+"|"+strconv.Itoa(next.Seq)), Type: ThresholdCrossed, CreatedAt: now,
			Threshold: &ThresholdSummary{SurveyID: sv.ID, SurveyTitle: sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale),
				Threshold: limit, NPS: nps, Direction: dir, Period: "all-time"},
		}
		if err := w.events.publish(ctx, e, ep.ID); err != nil {
			return false, err
		}
	}
	if err := w.store.SaveThreshold(ctx, next); err != nil {
		return false, fmt.Errorf("webhook: %w", err)
	}
	return crossedNow, nil
}
