package privacy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
)

// Anchor writes an anchor committing to every shard's current head, unless
// the latest anchor already commits to them all, and returns the latest
// anchor and whether it wrote it. Each head is checked against its record
// first, so that an anchor never commits to a head that no record bears.
// Run it periodically; Verify anchors what it verified as well.
func (c *Chain) Anchor(ctx context.Context) (consents.Anchor, bool, error) {
	heads, err := c.store.Heads(ctx)
	if err != nil {
		return consents.Anchor{}, false, fmt.Errorf("privacy: %w", err)
	}
	for shard, head := range heads {
		if head.Seq == 0 {
			continue
		}
		rec, err := c.store.BySeq(ctx, shard, head.Seq)
		if errors.Is(err, store.ErrNotFound) {
			return consents.Anchor{}, false, &ChainError{Shard: shard, Seq: head.Seq, Reason: "the shard's head names a missing record"}
		}
		if err != nil {
			return consents.Anchor{}, false, fmt.Errorf("privacy: %w", err)
		}
		if rec.Hash != head.Hash || RecordHash(rec) != rec.Hash {
			return consents.Anchor{}, false, &ChainError{Shard: shard, Seq: head.Seq, Reason: "the shard's head does not match this record"}
		}
	}
	return c.anchor(ctx, heads)
}

// anchor appends an anchor committing to heads, or to the latest anchor's
// head of a shard where that is further on, so that anchors only move
// forward; nothing when that is what the latest anchor commits to.
func (c *Chain) anchor(ctx context.Context, heads map[int]consents.ChainHead) (consents.Anchor, bool, error) {
	for range maxAppendAttempts {
		head, err := c.store.AnchorHead(ctx)
		if err != nil {
			return consents.Anchor{}, false, fmt.Errorf("privacy: %w", err)
		}
		var last consents.Anchor
		if head.Seq > 0 {
			if last, err = c.store.AnchorBySeq(ctx, head.Seq); err != nil && !errors.Is(err, store.ErrNotFound) {
				return consents.Anchor{}, false, fmt.Errorf("privacy: %w", err)
			}
			if err := checkAnchor(last, head.Seq, last.PrevHash); err != nil || last.Hash != head.Hash {
				return consents.Anchor{}, false, &ChainError{Anchor: true, Seq: head.Seq, Reason: "the anchors' head does not match this anchor"}
			}
		}
		merged := maps.Clone(heads)
		for _, h := range last.Heads {
			if merged[h.Shard].Seq < h.Seq {
				merged[h.Shard] = consents.ChainHead{Seq: h.Seq, Hash: h.Hash}
			}
		}
		next := consents.Anchor{Seq: head.Seq + 1, PrevHash: head.Hash, At: c.now().UTC().Truncate(time.Millisecond)}
		for _, shard := range slices.Sorted(maps.Keys(merged)) {
			if h := merged[shard]; h.Seq > 0 {
				next.Heads = append(next.Heads, consents.ShardHead{Shard: shard, Seq: h.Seq, Hash: h.Hash})
			}
		}
		if head.Seq > 0 && slices.Equal(next.Heads, last.Heads) {
			return last, false, nil
		}
		if head.Seq == 0 && len(next.Heads) == 0 {
			return consents.Anchor{}, false, nil // nothing to anchor yet
		}
		next.ID = consents.AnchorID(next.Seq)
		next.Hash = AnchorHash(next)
		err = c.store.InsertAnchor(ctx, next)
		if errors.Is(err, store.ErrDuplicate) {
			// Another process anchored meanwhile: finish its anchor, and
			// commit to what it may have left out.
			if err := c.completeAnchor(ctx, head); err != nil {
				return consents.Anchor{}, false, err
			}
			continue
		}
		if err != nil {
			return consents.Anchor{}, false, fmt.Errorf("privacy: %w", err)
		}
		if _, err := c.store.AdvanceAnchorHead(ctx, consents.ChainHead{Seq: next.Seq, Hash: next.Hash}); err != nil {
			return consents.Anchor{}, false, fmt.Errorf("privacy: %w", err)
		}
		return next, true, nil
	}
	return consents.Anchor{}, false, ErrChainBusy
}

// completeAnchor advances the anchors' head over the anchor that follows
// it, if that anchor is sound.
func (c *Chain) completeAnchor(ctx context.Context, head consents.ChainHead) error {
	next, err := c.store.AnchorBySeq(ctx, head.Seq+1)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	if err := checkAnchor(next, head.Seq+1, head.Hash); err != nil {
		return err
	}
	if _, err := c.store.AdvanceAnchorHead(ctx, consents.ChainHead{Seq: next.Seq, Hash: next.Hash}); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// checkAnchor verifies one anchor at position seq after an anchor whose
// hash is prev.
func checkAnchor(a consents.Anchor, seq int64, prev string) error {
	var reason string
	switch {
	case a.Seq != seq || a.ID != consents.AnchorID(seq):
		reason = fmt.Sprintf("missing or out of place (found %q)", a.ID)
	case a.PrevHash != prev:
		reason = "does not follow the anchor before it"
	case AnchorHash(a) != a.Hash:
		reason = "its contents do not match its hash"
	case !slices.IsSortedFunc(a.Heads, func(x, y consents.ShardHead) int { return x.Shard - y.Shard }):
		reason = "its shards are out of order"
	default:
		return nil
	}
	return &ChainError{Anchor: true, Seq: seq, Reason: reason}
}

// AnchorHash is the hex SHA-256 of an anchor's canonical encoding, as
// RecordHash is a record's.
func AnchorHash(a consents.Anchor) string {
	fields := []string{"candor-anchor-v1", strconv.FormatInt(a.Seq, 10), canonicalTime(a.At), strconv.Itoa(len(a.Heads))}
	for _, h := range a.Heads {
		fields = append(fields, strconv.Itoa(h.Shard), strconv.FormatInt(h.Seq, 10), h.Hash)
	}
	return canonicalHash(append(fields, a.PrevHash)...)
}
