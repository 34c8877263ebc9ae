package report

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/candorhq/candor/internal/report/release"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
	"github.com/candorhq/candor/internal/survey"
)

// Store keeps the rollups, their generations and the responses waiting
// to be counted; *rollups.Repo is one.
type Store interface {
	Apply(ctx context.Context, gen int64, cs ...rollups.Change) error
	Get(ctx context.Context, surveyID string, gen int64, dim string, weeks ...string) ([]rollups.Rollup, error)
	Weeks(ctx context.Context, surveyID string, gen int64) (map[string]rollups.Week, error)
	HasLegacy(ctx context.Context, surveyID string) (bool, error)
	Has(ctx context.Context, surveyID string, gen int64, week, dim string) (bool, error)
	Snapshot(ctx context.Context, surveyID string, gen int64, quarter, dim string) (rollups.Snapshot, error)
	SaveSnapshot(ctx context.Context, s rollups.Snapshot) error

	Generation(ctx context.Context, surveyID string) (rollups.Generation, error)
	BeginBuild(ctx context.Context, surveyID, token string, now, until time.Time) (int64, error)
	RenewBuild(ctx context.Context, surveyID, token string, until time.Time) error
	WriteGeneration(ctx context.Context, surveyID string, gen int64, weeks map[string]int64, docs []rollups.Rollup) error
	SwapBuild(ctx context.Context, surveyID, token string, gen int64) error
	AbortBuild(ctx context.Context, surveyID, token string) error
	DropGenerations(ctx context.Context, surveyID string, gen int64) error

	Intend(ctx context.Context, in rollups.TallyIntent) error
	Intent(ctx context.Context, responseID string) (rollups.TallyIntent, error)
	Intents(ctx context.Context, surveyID string) ([]rollups.TallyIntent, error)
	ClaimIntent(ctx context.Context, responseID, token string) (rollups.TallyIntent, bool, error)
	ReleaseIntent(ctx context.Context, responseID, token string) error
	DoubtIntent(ctx context.Context, responseID, token string) error
	MarkCounted(ctx context.Context, gen int64, responseIDs ...string) error
	FinishIntents(ctx context.Context, responseIDs ...string) error
}

var _ Store = (*rollups.Repo)(nil)

// Service keeps rollups and computes reports from them.
type Service struct {
	st       Store
	batch    *batcher
	releases *release.Cache
	now      func() time.Time
	// pause, when set (by tests), is called at the step boundaries of
	// counting and rebuilding.
	pause func(step string)
}

// New returns a Service on st.
func New(st Store) *Service {
	s := &Service{st: st, releases: &release.Cache{}, now: time.Now}
	s.batch = &batcher{s: s}
	return s
}

// PauseAt makes the service call f at each step boundary of counting a
// response and of a rebuild (see the Step constants), so that tests can
// run a competing operation there. Production never sets it.
func (s *Service) PauseAt(f func(step string)) { s.pause = f }

func (s *Service) step(name string) {
	if s.pause != nil {
		s.pause(name)
	}
}

// Report computes a report on one survey, or on several together: then
// each cell adds up the surveys' cells (the first question of each scored
// type gives its NPS, CSAT and CES) and shows only if each of them shows;
// questions are listed for one survey only. Who may see which report — a
// manager only the filter to their own accounts, say — is the caller's to
// decide.
func (s *Service) Report(ctx context.Context, q Query, surveys ...survey.Survey) (Report, error) {
	return compute(ctx, &storeLoader{st: s.st, indexes: make(map[string]partIndex)}, s.releases, q, surveys)
}

// storeLoader reads rollups for one report: a survey's index of parts
// once, then per quarter and dimension the snapshot, and the parts it
// lacks or holds at an older version.
type storeLoader struct {
	st      Store
	indexes map[string]partIndex
}

// partIndex is a survey's parts with responses, and the newest of them.
type partIndex struct {
	gen    int64
	parts  map[part]rollups.Week
	newest part
}

func (l *storeLoader) index(ctx context.Context, surveyID string) ([]part, string, error) {
	g, err := l.st.Generation(ctx, surveyID)
	if err != nil {
		return nil, "", fmt.Errorf("report: load rollups: %w", err)
	}
	raw, err := l.st.Weeks(ctx, surveyID, g.Current)
	if err != nil {
		return nil, "", fmt.Errorf("report: load rollups: %w", err)
	}
	idx := partIndex{gen: g.Current, parts: make(map[part]rollups.Week, len(raw))}
	out := make([]part, 0, len(raw))
	for label, rw := range raw {
		p, err := parsePart(label)
		if err != nil {
			return nil, "", fmt.Errorf("%w (rollups from before calendar months: run candor rollup rebuild)", err)
		}
		if rw.N <= 0 {
			continue
		}
		idx.parts[p] = rw
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b part) int { return int(a.first() - b.first()) })
	if len(out) > 0 {
		idx.newest = out[len(out)-1]
	}
	l.indexes[surveyID] = idx
	h := fnv.New64a()
	fmt.Fprintf(h, "g%d;", g.Current)
	for _, p := range out {
		fmt.Fprintf(h, "%s:%d:%d;", p, idx.parts[p].N, idx.parts[p].Version)
	}
	return out, fmt.Sprintf("%x", h.Sum64()), nil
}

// counts returns the counts of a quarter's parts by value of one rollup
// dimension. It reads the snapshot, then the parts whose version moved
// since, and saves a fresher snapshot when parts other than the newest
// had moved: the newest one moves with every response.
func (l *storeLoader) counts(ctx context.Context, surveyID, quarter string, want []part, dim string, lay *layout) (map[part]map[string]tally, error) {
	idx := l.indexes[surveyID]
	if len(want) == 0 {
		return nil, nil
	}
	snap, err := l.st.Snapshot(ctx, surveyID, idx.gen, quarter, dim)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("report: load rollups: %w", err)
	}
	var kept map[string]map[string]tally
	if err == nil {
		// An unreadable snapshot is as good as none.
		kept, _ = decodeSnapshot(snap.Data, lay)
	}
	out := make(map[part]map[string]tally, len(want))
	var stale []string
	newest := false
	for _, p := range want {
		label := p.String()
		if v, ok := snap.Versions[label]; ok && kept != nil && v == idx.parts[p].Version {
			if values, ok := kept[label]; ok {
				out[p] = values
			}
			continue
		}
		stale = append(stale, label)
		newest = newest || p == idx.newest
	}
	if len(stale) == 0 {
		return out, nil
	}
	docs, err := l.st.Get(ctx, surveyID, idx.gen, dim, stale...)
	if err != nil {
		return nil, fmt.Errorf("report: load rollups: %w", err)
	}
	for _, ru := range docs {
		p, err := parsePart(ru.Week)
		if err != nil {
			return nil, err
		}
		values := make(map[string]tally, len(ru.Values))
		for v, c := range ru.Values {
			values[v] = lay.tally(c)
		}
		out[p] = values
	}
	if len(stale) > 1 || !newest {
		data := make(map[string]map[string]tally, len(out))
		for p, values := range out {
			data[p.String()] = values
		}
		fresh := rollups.Snapshot{SurveyID: surveyID, Gen: idx.gen, Quarter: quarter, Dim: dim, Versions: make(map[string]int64, len(want)), Data: encodeSnapshot(data, lay)}
		for _, p := range want {
			fresh.Versions[p.String()] = idx.parts[p].Version
		}
		// A snapshot only saves work: a report is right without it.
		_ = l.st.SaveSnapshot(ctx, fresh)
	}
	return out, nil
}
