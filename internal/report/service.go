package report

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sync"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Store keeps the rollups; *store.Rollups is one.
type Store interface {
	Apply(ctx context.Context, cs ...store.RollupChange) error
	Get(ctx context.Context, surveyID, dim string, weeks ...string) ([]store.Rollup, error)
	Weeks(ctx context.Context, surveyID string) (map[string]store.RollupWeek, error)
	Replace(ctx context.Context, surveyID string, weeks map[string]int64, docs []store.Rollup) error
	Snapshot(ctx context.Context, surveyID, quarter, dim string) (store.RollupSnapshot, error)
	SaveSnapshot(ctx context.Context, s store.RollupSnapshot) error
}

var _ Store = (*store.Rollups)(nil)

// Service keeps rollups and computes reports from them.
type Service struct {
	st       Store
	batch    *batcher
	releases *releaseCache
}

// New returns a Service on st.
func New(st Store) *Service {
	return &Service{st: st, batch: newBatcher(st), releases: &releaseCache{}}
}

// Add counts a stored response. Call it once per response: rollups are
// not idempotent.
func (s *Service) Add(ctx context.Context, e Entry) error { return s.apply(ctx, e, 1) }

// Remove takes a deleted response away again; e must be what Add was given.
// Withdrawing consent changes no answer and so needs no Remove.
func (s *Service) Remove(ctx context.Context, e Entry) error { return s.apply(ctx, e, -1) }

func (s *Service) apply(ctx context.Context, e Entry, weight int64) error {
	c, err := e.change(weight)
	if err != nil {
		return err
	}
	if err := s.batch.apply(ctx, c); err != nil {
		return fmt.Errorf("report: count response: %w", err)
	}
	return nil
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

// releaseCache keeps each survey's last decided release, valid while the
// versions of its parts are unchanged.
type releaseCache struct {
	mu sync.Mutex
	m  map[string]cachedRelease
}

type cachedRelease struct {
	key string
	k   int64
	r   *release
}

// releaseCacheSize bounds the surveys whose releases are kept; beyond it
// the cache starts afresh, which costs a decision per survey.
const releaseCacheSize = 256

func (c *releaseCache) get(surveyID, key string, k int64) *release {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[surveyID]; ok && e.key == key && e.k == k {
		return e.r
	}
	return nil
}

func (c *releaseCache) put(surveyID, key string, k int64, r *release) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= releaseCacheSize {
		c.m = make(map[string]cachedRelease)
	}
	c.m[surveyID] = cachedRelease{key, k, r}
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
	parts  map[part]store.RollupWeek
	newest part
}

func (l *storeLoader) index(ctx context.Context, surveyID string) ([]part, string, error) {
	raw, err := l.st.Weeks(ctx, surveyID)
	if err != nil {
		return nil, "", fmt.Errorf("report: load rollups: %w", err)
	}
	idx := partIndex{parts: make(map[part]store.RollupWeek, len(raw))}
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
	snap, err := l.st.Snapshot(ctx, surveyID, quarter, dim)
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
	docs, err := l.st.Get(ctx, surveyID, dim, stale...)
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
		fresh := store.RollupSnapshot{SurveyID: surveyID, Quarter: quarter, Dim: dim, Versions: make(map[string]int64, len(want)), Data: encodeSnapshot(data, lay)}
		for _, p := range want {
			fresh.Versions[p.String()] = idx.parts[p].Version
		}
		// A snapshot only saves work: a report is right without it.
		_ = l.st.SaveSnapshot(ctx, fresh)
	}
	return out, nil
}
