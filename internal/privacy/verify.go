package privacy

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/candorhq/candor/internal/store/consents"
)

// Verified is what Check proved.
type Verified struct {
	Records int             // records checked, in every shard
	Shards  int             // shards holding records
	Anchors int             // anchors checked
	Anchor  consents.Anchor // the latest anchor, once Check anchored what it verified
}

// Verify is Check, reporting how many records it checked.
func (c *Chain) Verify(ctx context.Context) (checked int, err error) {
	v, err := c.Check(ctx)
	return v.Records, err
}

// Check proves the whole history: it walks the anchors, recomputing every
// hash and noting what each commits to, then every shard from its first
// record to its head, recomputing every hash and checking each record an
// anchor commits to, and finally anchors what it verified. The first
// record or anchor that does not verify is named in a *ChainError. A sound
// record one past a head, left by an append that stopped half-way, is
// counted and the head completed; more than one past it means the head was
// tampered with. Appends may go on meanwhile.
func (c *Chain) Check(ctx context.Context) (Verified, error) {
	var v Verified
	expect, err := c.verifyAnchors(ctx, &v)
	if err != nil {
		return v, err
	}
	heads, err := c.store.Heads(ctx)
	if err != nil {
		return v, fmt.Errorf("privacy: %w", err)
	}
	verified := map[int]consents.ChainHead{}
	done := map[int]bool{}
	var cur *shardWalk
	finish := func(w *shardWalk) error {
		done[w.shard] = true
		if err := c.settleShard(ctx, w, expect[w.shard]); err != nil {
			return err
		}
		if w.n > 0 {
			verified[w.shard] = consents.ChainHead{Seq: w.n, Hash: w.last}
			v.Shards++
		}
		return nil
	}
	err = c.store.Each(ctx, func(rec consents.Record) error {
		shard, _, ok := consents.ParseRecordID(rec.ID)
		if !ok {
			return &ChainError{Shard: rec.Shard, Seq: rec.Seq, Reason: fmt.Sprintf("its id %q names no place in the chain", rec.ID)}
		}
		if cur == nil || shard != cur.shard {
			if cur != nil {
				if err := finish(cur); err != nil {
					return err
				}
			}
			if done[shard] {
				return &ChainError{Shard: shard, Seq: rec.Seq, Reason: fmt.Sprintf("out of place (found %q)", rec.ID)}
			}
			cur = &shardWalk{shard: shard, head: heads[shard]}
		}
		if err := checkRecord(rec, shard, cur.n+1, cur.last); err != nil {
			return err
		}
		cur.n, cur.last = cur.n+1, rec.Hash
		v.Records++
		if cur.n == cur.head.Seq && cur.last != cur.head.Hash {
			return &ChainError{Shard: shard, Seq: cur.n, Reason: "the shard's head does not match this record"}
		}
		if e, ok := expect[shard][cur.n]; ok && e.hash != rec.Hash {
			return &ChainError{Shard: shard, Seq: cur.n, Reason: fmt.Sprintf("anchor %d commits to another record here", e.anchor)}
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	if cur != nil {
		if err := finish(cur); err != nil {
			return v, err
		}
	}
	// Shards that a head or an anchor knows of but that hold no record.
	rest := slices.Sorted(maps.Keys(heads))
	rest = append(rest, slices.Sorted(maps.Keys(expect))...)
	for _, shard := range rest {
		if !done[shard] {
			if err := finish(&shardWalk{shard: shard, head: heads[shard]}); err != nil {
				return v, err
			}
		}
	}
	if v.Anchor, _, err = c.anchor(ctx, verified); err != nil {
		return v, err
	}
	return v, nil
}

// shardWalk is where Check is in one shard: n records checked, the last
// with hash last; head as read before the walk.
type shardWalk struct {
	shard int
	n     int64
	last  string
	head  consents.ChainHead
}

// settleShard checks the end of a walked shard against its head and
// against the anchors' commitments to it.
func (c *Chain) settleShard(ctx context.Context, w *shardWalk, expect map[int64]anchored) error {
	at, reason, err := settle(ctx, w.n, w.last, w.head,
		func(ctx context.Context) (consents.ChainHead, error) { return c.store.Head(ctx, w.shard) },
		func(ctx context.Context, h consents.ChainHead) (consents.ChainHead, error) {
			return c.store.AdvanceHead(ctx, w.shard, h)
		})
	if err != nil {
		return err
	}
	if reason != "" {
		return &ChainError{Shard: w.shard, Seq: at, Reason: reason}
	}
	for _, seq := range slices.Sorted(maps.Keys(expect)) {
		if seq > w.n {
			return &ChainError{Shard: w.shard, Seq: w.n + 1, Reason: fmt.Sprintf(
				"missing: anchor %d commits to record %d, the shard ends at %d", expect[seq].anchor, seq, w.n)}
		}
	}
	return nil
}

// settle checks a chain that a walk found to end at n, with hash last,
// against its head as read before the walk, reading the head again where
// appends may have moved it, and completes a head left one short. It
// returns the position and reason of a fault, if any.
func settle(ctx context.Context, n int64, last string, head consents.ChainHead,
	read func(context.Context) (consents.ChainHead, error),
	advance func(context.Context, consents.ChainHead) (consents.ChainHead, error)) (int64, string, error) {
	if n < head.Seq {
		return n + 1, fmt.Sprintf("missing: the chain ends at %d, its head is at %d", n, head.Seq), nil
	}
	if n > head.Seq+1 {
		var err error
		if head, err = read(ctx); err != nil {
			return 0, "", fmt.Errorf("privacy: %w", err)
		}
	}
	switch {
	case n > head.Seq+1:
		return head.Seq + 2, fmt.Sprintf("beyond the chain's head at %d", head.Seq), nil
	case n == head.Seq+1:
		if _, err := advance(ctx, consents.ChainHead{Seq: n, Hash: last}); err != nil {
			return 0, "", fmt.Errorf("privacy: %w", err)
		}
	}
	return 0, "", nil
}

// anchored is an anchor's commitment to one record.
type anchored struct {
	hash   string
	anchor int64
}

// verifyAnchors walks the anchor chain and returns what the anchors
// commit to, by shard and seq.
func (c *Chain) verifyAnchors(ctx context.Context, v *Verified) (map[int]map[int64]anchored, error) {
	head, err := c.store.AnchorHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("privacy: %w", err)
	}
	expect := map[int]map[int64]anchored{}
	var (
		n      int64
		prev   string
		before map[int]int64 // the previous anchor's seq of each shard
	)
	err = c.store.EachAnchor(ctx, func(a consents.Anchor) error {
		if err := checkAnchor(a, n+1, prev); err != nil {
			return err
		}
		n, prev = n+1, a.Hash
		fault := func(reason string, args ...any) error {
			return &ChainError{Anchor: true, Seq: n, Reason: fmt.Sprintf(reason, args...)}
		}
		if n == head.Seq && prev != head.Hash {
			return fault("the anchors' head does not match this anchor")
		}
		seen := map[int]int64{}
		for _, h := range a.Heads {
			if h.Shard < 0 || h.Shard >= consents.MaxShards || h.Seq < 1 {
				return fault("commits to record %d of shard %d, which cannot exist", h.Seq, h.Shard)
			}
			if h.Seq < before[h.Shard] {
				return fault("goes back on shard %d, from %d to %d", h.Shard, before[h.Shard], h.Seq)
			}
			seen[h.Shard] = h.Seq
			if expect[h.Shard] == nil {
				expect[h.Shard] = map[int64]anchored{}
			}
			if e, ok := expect[h.Shard][h.Seq]; ok && e.hash != h.Hash {
				return fault("commits to another record %d of shard %d than anchor %d", h.Seq, h.Shard, e.anchor)
			} else if !ok {
				expect[h.Shard][h.Seq] = anchored{hash: h.Hash, anchor: n}
			}
		}
		for shard := range before {
			if _, ok := seen[shard]; !ok {
				return fault("leaves out shard %d", shard)
			}
		}
		before = seen
		v.Anchors++
		return nil
	})
	if err != nil {
		return nil, err
	}
	at, reason, err := settle(ctx, n, prev, head,
		c.store.AnchorHead, c.store.AdvanceAnchorHead)
	if err != nil {
		return nil, err
	}
	if reason != "" {
		return nil, &ChainError{Anchor: true, Seq: at, Reason: reason}
	}
	return expect, nil
}
