package privacy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
)

// ErrChainBroken means the consent chain does not verify: a record or an
// anchor was changed, removed or inserted after it was written.
var ErrChainBroken = errors.New("privacy: consent chain broken")

// ErrChainBusy means an append lost the race for the next sequence number
// too many times in a row.
var ErrChainBusy = fault.New(fault.Unavailable, "privacy", "consent chain busy, try again").ShownAs("")

// ChainError names the first record, or anchor, that does not verify.
type ChainError struct {
	Anchor bool  // Seq is an anchor's, not a record's
	Shard  int   // the record's shard
	Seq    int64 // in its shard, or among the anchors
	Reason string
}

func (e *ChainError) Error() string {
	if e.Anchor {
		return fmt.Sprintf("privacy: consent chain broken at anchor %d: %s", e.Seq, e.Reason)
	}
	return fmt.Sprintf("privacy: consent chain broken at record %d of shard %d: %s", e.Seq, e.Shard, e.Reason)
}

// Is makes a *ChainError match ErrChainBroken.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// ChainStore is what the chain needs of the consent collections.
type ChainStore interface {
	Head(ctx context.Context, shard int) (consents.ChainHead, error)
	Heads(ctx context.Context) (map[int]consents.ChainHead, error)
	AdvanceHead(ctx context.Context, shard int, next consents.ChainHead) (consents.ChainHead, error)
	Insert(ctx context.Context, rec consents.Record) error
	BySeq(ctx context.Context, shard int, seq int64) (consents.Record, error)
	ByContact(ctx context.Context, contactID string) ([]consents.Record, error)
	Each(ctx context.Context, fn func(consents.Record) error) error
	PinShard(ctx context.Context, key string, shard int) (int, error)

	AnchorHead(ctx context.Context) (consents.ChainHead, error)
	AdvanceAnchorHead(ctx context.Context, next consents.ChainHead) (consents.ChainHead, error)
	InsertAnchor(ctx context.Context, a consents.Anchor) error
	AnchorBySeq(ctx context.Context, seq int64) (consents.Anchor, error)
	EachAnchor(ctx context.Context, fn func(consents.Anchor) error) error
}

// Chain appends to and verifies the consent log.
//
// The log is split into shards, each a hash chain with a head of its own,
// so that concurrent appends spread over several documents instead of all
// racing for one. An append takes the next sequence number of a shard by
// inserting the record under it (its _id is shard and number, so two
// appenders cannot both take it), then advances that shard's head. A
// crash between the two leaves a record one past the head; the next
// append to the shard, or Verify, finds it, checks it and completes the
// head. A lost race moves the append to another shard.
//
// Appends go to shards 1 to n. Shard 0 is the log from before shards, kept
// as it was as their genesis: nothing new is appended to it, so that a
// process of the version before, still running during an upgrade, can go
// on appending to it as it always did.
//
// Anchors (Anchor) commit to every shard's head at once and chain among
// themselves, so that the history as a whole, not only each shard, is
// fixed: Verify checks every anchor against the shards.
type Chain struct {
	store  ChainStore
	shards int
	// turns let the appends of one process take turns per shard instead
	// of racing for the same number in the database, where every lost race
	// costs writes; only appends from other processes are left to race.
	turns []chan struct{}
	now   func() time.Time
	// pick chooses the first shard an append tries, 1 to shards; tests
	// pin it.
	pick func(shards int) int
	// step, when set (by tests), is called at each step of an append; an
	// error stops the append there, as a crash would.
	step func(step string, shard int, seq int64) error
}

// DefaultShards is how many shards new appends spread over.
const DefaultShards = 16

// ChainOption configures a Chain.
type ChainOption func(*Chain)

// WithShards spreads appends over n shards, numbered 1 to n (at most
// consents.MaxShards-1).
// Changing n later is safe: Verify finds every shard that holds records,
// and AppendOnce keys stay on the shard they were first pinned to.
func WithShards(n int) ChainOption {
	return func(c *Chain) { c.shards = min(max(n, 1), consents.MaxShards-1) }
}

// NewChain returns the chain kept in st.
func NewChain(st ChainStore, opts ...ChainOption) *Chain {
	c := &Chain{store: st, shards: DefaultShards, now: time.Now, pick: func(n int) int { return 1 + rand.N(n) }}
	for _, o := range opts {
		o(c)
	}
	c.turns = make([]chan struct{}, c.shards)
	for i := range c.turns {
		c.turns[i] = make(chan struct{}, 1)
	}
	return c
}

// The steps of an append, for the test hook.
const (
	stepPinned   = "pinned"   // AppendOnce's key has its shard
	stepHeadRead = "headRead" // the shard's head was read
	stepLost     = "lost"     // another appender held the number
	stepInserted = "inserted" // the record is stored, the head not yet advanced
	stepAdvanced = "advanced" // the head is at the record
)

func (c *Chain) hook(step string, shard int, seq int64) error {
	if c.step == nil {
		return nil
	}
	if err := c.step(step, shard, seq); err != nil {
		return fmt.Errorf("privacy: append stopped after %s: %w", step, err)
	}
	return nil
}

const maxAppendAttempts = 50

// Append adds rec as the next record of a shard, filling in Shard, Seq,
// ID, PrevHash and Hash, and returns it.
func (c *Chain) Append(ctx context.Context, rec consents.Record) (consents.Record, error) {
	rec, _, err := c.appendUnless(ctx, rec, -1, nil)
	return rec, err
}

// AppendOnce appends rec unless its contact's history already holds a
// record that taken reports as the same one (a withdrawal of the same
// consent, say); then it returns that record and false. key names what
// must be unique, whatever the shard ("withdrawal:" and the consent's
// id): the first append under a key pins it to a shard, and every later
// one goes to that shard. On one shard it is a unique key that holds
// across processes: the history is read after the shard's head, and the
// record can take only the number after that head, so any record appended
// before it was in the history read, and any appended after it reads it.
func (c *Chain) AppendOnce(ctx context.Context, key string, rec consents.Record, taken func(consents.Record) bool) (consents.Record, bool, error) {
	shard, err := c.store.PinShard(ctx, "once:"+key, c.pick(c.shards))
	if err != nil {
		return consents.Record{}, false, fmt.Errorf("privacy: %w", err)
	}
	if err := c.hook(stepPinned, shard, 0); err != nil {
		return consents.Record{}, false, err
	}
	return c.appendUnless(ctx, rec, shard, taken)
}

// appendUnless appends rec to shard pinned, or to any shard when pinned
// is -1, unless taken finds it in the contact's history.
func (c *Chain) appendUnless(ctx context.Context, rec consents.Record, pinned int, taken func(consents.Record) bool) (consents.Record, bool, error) {
	rec.At = rec.At.UTC().Truncate(time.Millisecond) // what BSON keeps, so the hash survives a round trip
	next := c.pick(c.shards)
	for attempt := range maxAppendAttempts {
		if attempt > 0 && (pinned >= 0 || attempt >= c.shards) {
			// Retrying the same shard at once lets every loser collide
			// again: wait a random while that grows with the losses, so
			// contenders spread out. With shards to move to, a loser
			// moves instead, until it has lost about once on each.
			if err := sleepCtx(ctx, rand.N(time.Millisecond<<min(attempt, 7))); err != nil {
				return consents.Record{}, false, fmt.Errorf("privacy: %w", err)
			}
		}
		shard := pinned
		if shard < 0 {
			shard = next
		}
		shard, release, err := c.takeTurn(ctx, shard, pinned < 0)
		if err != nil {
			return consents.Record{}, false, err
		}
		out, appended, lost, err := c.tryAppend(ctx, rec, shard, taken)
		release()
		if err != nil {
			return consents.Record{}, false, err
		}
		if !lost {
			return out, appended, nil
		}
		if c.shards > 1 {
			next = 1 + (shard+rand.N(c.shards-1))%c.shards // any other shard
		}
	}
	return consents.Record{}, false, ErrChainBusy
}

// takeTurn waits for this process's turn on a shard. With moving allowed,
// it takes the first free shard from there on instead, and waits only
// when every shard is taken.
func (c *Chain) takeTurn(ctx context.Context, shard int, move bool) (int, func(), error) {
	if shard < 1 || shard > len(c.turns) {
		// A key pinned when there were more shards: nothing to take turns on.
		return shard, func() {}, nil
	}
	if move {
		for i := range c.shards {
			s := 1 + (shard-1+i)%c.shards
			select {
			case c.turns[s-1] <- struct{}{}:
				return s, func() { <-c.turns[s-1] }, nil
			default:
			}
		}
	}
	select {
	case c.turns[shard-1] <- struct{}{}:
		return shard, func() { <-c.turns[shard-1] }, nil
	case <-ctx.Done():
		return 0, nil, fmt.Errorf("privacy: %w", ctx.Err())
	}
}

// tryAppend makes one attempt at appending rec to shard: lost when
// another appender held the number, appended false when taken found the
// record in the history (which it returns).
func (c *Chain) tryAppend(ctx context.Context, rec consents.Record, shard int, taken func(consents.Record) bool) (out consents.Record, appended, lost bool, err error) {
	head, err := c.store.Head(ctx, shard)
	if err != nil {
		return out, false, false, fmt.Errorf("privacy: %w", err)
	}
	if err := c.hook(stepHeadRead, shard, head.Seq); err != nil {
		return out, false, false, err
	}
	if taken != nil {
		history, err := c.store.ByContact(ctx, rec.ContactID)
		if err != nil {
			return out, false, false, fmt.Errorf("privacy: %w", err)
		}
		for _, h := range history {
			if taken(h) {
				return h, false, false, nil
			}
		}
	}
	rec.Shard, rec.Seq, rec.PrevHash = shard, head.Seq+1, head.Hash
	rec.ID = consents.RecordID(shard, rec.Seq)
	rec.Hash = RecordHash(rec)
	err = c.store.Insert(ctx, rec)
	if errors.Is(err, store.ErrDuplicate) {
		if err := c.hook(stepLost, shard, rec.Seq); err != nil {
			return out, false, false, err
		}
		// Another appender holds the number; help it finish.
		return out, false, true, c.complete(ctx, shard, head)
	}
	if err != nil {
		return out, false, false, fmt.Errorf("privacy: %w", err)
	}
	if err := c.hook(stepInserted, shard, rec.Seq); err != nil {
		return out, false, false, err
	}
	// A head already at the record means another appender completed it
	// with this very record: only this record could follow the head read.
	if _, err := c.store.AdvanceHead(ctx, shard, consents.ChainHead{Seq: rec.Seq, Hash: rec.Hash}); err != nil {
		return out, false, false, fmt.Errorf("privacy: %w", err)
	}
	if err := c.hook(stepAdvanced, shard, rec.Seq); err != nil {
		return out, false, false, err
	}
	return rec, true, false, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// complete advances a shard's head over the record that follows it, if
// that record is sound.
func (c *Chain) complete(ctx context.Context, shard int, head consents.ChainHead) error {
	next, err := c.store.BySeq(ctx, shard, head.Seq+1)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	if err := checkRecord(next, shard, head.Seq+1, head.Hash); err != nil {
		return err
	}
	if _, err := c.store.AdvanceHead(ctx, shard, consents.ChainHead{Seq: next.Seq, Hash: next.Hash}); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// checkRecord verifies one record at position seq of shard after a record
// whose hash is prev.
func checkRecord(rec consents.Record, shard int, seq int64, prev string) error {
	if reason := recordFault(rec, shard, seq, prev); reason != "" {
		return &ChainError{Shard: shard, Seq: seq, Reason: reason}
	}
	return nil
}

func recordFault(rec consents.Record, shard int, seq int64, prev string) string {
	switch {
	case rec.Shard != shard || rec.Seq != seq || rec.ID != consents.RecordID(shard, seq):
		return fmt.Sprintf("missing or out of place (found %q)", rec.ID)
	case rec.PrevHash != prev:
		return "does not follow the record before it"
	case RecordHash(rec) != rec.Hash:
		return "its contents do not match its hash"
	}
	return ""
}

// RecordHash is the hex SHA-256 of a record's canonical encoding: every
// field but the id and the hash, in a fixed order, each prefixed with its
// length so that no two different records encode alike, times in UTC to
// the millisecond. The leading version lets the encoding change without
// breaking older records: shard 0, the log from before shards, keeps v1,
// which has no shard; the other shards' records are v2, which commits to
// the shard too, so that a record cannot be moved to another shard.
func RecordHash(rec consents.Record) string {
	fields := []string{"candor-consent-v1"}
	if rec.Shard != 0 {
		fields = []string{"candor-consent-v2", strconv.Itoa(rec.Shard)}
	}
	return canonicalHash(append(fields,
		strconv.FormatInt(rec.Seq, 10),
		string(rec.Kind),
		rec.ContactID,
		rec.SurveyID,
		rec.RefID,
		string(rec.ResponseRef),
		strconv.Itoa(rec.TextVersion),
		rec.TextHash,
		rec.Locale,
		rec.Method,
		rec.Refers,
		canonicalTime(rec.At),
		rec.PrevHash,
	)...)
}

func canonicalTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// canonicalHash is the hex SHA-256 of fields, each prefixed with its
// length.
func canonicalHash(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(strconv.Itoa(len(f)) + ":"))
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}
