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
)

// ErrChainBroken means the consent chain does not verify: a record was
// changed, removed or inserted after it was written.
var ErrChainBroken = errors.New("privacy: consent chain broken")

// ErrChainBusy means an append lost the race for the next sequence number
// too many times in a row.
var ErrChainBusy = fault.New(fault.Unavailable, "privacy", "consent chain busy, try again").ShownAs("")

// ChainError names the first record that does not verify.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("privacy: consent chain broken at record %d: %s", e.Seq, e.Reason)
}

// Is makes a *ChainError match ErrChainBroken.
func (e *ChainError) Is(target error) bool { return target == ErrChainBroken }

// ChainStore is what the chain needs of the consent collections.
type ChainStore interface {
	Head(ctx context.Context) (store.ChainHead, error)
	AdvanceHead(ctx context.Context, from int64, next store.ChainHead) (bool, error)
	Insert(ctx context.Context, rec store.ConsentRecord) error
	BySeq(ctx context.Context, seq int64) (store.ConsentRecord, error)
	ByContact(ctx context.Context, contactID string) ([]store.ConsentRecord, error)
	Each(ctx context.Context, fn func(store.ConsentRecord) error) error
}

// Chain appends to and verifies the consent log.
//
// An append takes the next sequence number by inserting the record under
// it (its _id is the number, so two appenders cannot both take it), then
// advances the head with a compare-and-swap. A crash between the two
// leaves a record one past the head; the next append, or Verify, finds it,
// checks it and completes the head.
type Chain struct {
	store ChainStore
	// turn lets the appends of one process take turns here instead of
	// racing for the same number in the database, where every lost race
	// costs writes and enough of them fail the append; only appends from
	// other processes are left to race.
	turn chan struct{}
}

// NewChain returns the chain kept in st.
func NewChain(st ChainStore) *Chain { return &Chain{store: st, turn: make(chan struct{}, 1)} }

const maxAppendAttempts = 50

// Append adds rec as the next record, filling in Seq, ID, PrevHash and
// Hash, and returns it.
func (c *Chain) Append(ctx context.Context, rec store.ConsentRecord) (store.ConsentRecord, error) {
	rec, _, err := c.appendUnless(ctx, rec, nil)
	return rec, err
}

// AppendOnce appends rec unless its contact's history already holds a
// record that taken reports as the same one (a withdrawal of the same
// consent, say); then it returns that record and false. It is a unique key
// on the chain that holds across processes: the history is read after the
// head, and the record can take only the number after that head, so any
// record appended before it was in the history read, and any appended
// after it reads it.
func (c *Chain) AppendOnce(ctx context.Context, rec store.ConsentRecord, taken func(store.ConsentRecord) bool) (store.ConsentRecord, bool, error) {
	return c.appendUnless(ctx, rec, taken)
}

func (c *Chain) appendUnless(ctx context.Context, rec store.ConsentRecord, taken func(store.ConsentRecord) bool) (store.ConsentRecord, bool, error) {
	rec.At = rec.At.UTC().Truncate(time.Millisecond) // what BSON keeps, so the hash survives a round trip
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return store.ConsentRecord{}, false, fmt.Errorf("privacy: %w", ctx.Err())
	}
	for attempt := range maxAppendAttempts {
		if attempt > 0 {
			// Retrying at once lets every loser collide again, and each
			// collision is a write the database serialises: wait a random
			// while that grows with the losses, so contenders spread out.
			if err := sleepCtx(ctx, rand.N(time.Millisecond<<min(attempt, 7))); err != nil {
				return store.ConsentRecord{}, false, fmt.Errorf("privacy: %w", err)
			}
		}
		head, err := c.store.Head(ctx)
		if err != nil {
			return store.ConsentRecord{}, false, fmt.Errorf("privacy: %w", err)
		}
		if taken != nil {
			history, err := c.store.ByContact(ctx, rec.ContactID)
			if err != nil {
				return store.ConsentRecord{}, false, fmt.Errorf("privacy: %w", err)
			}
			for _, h := range history {
				if taken(h) {
					return h, false, nil
				}
			}
		}
		rec.Seq, rec.PrevHash = head.Seq+1, head.Hash
		rec.ID = store.ConsentRecordID(rec.Seq)
		rec.Hash = RecordHash(rec)
		err = c.store.Insert(ctx, rec)
		if errors.Is(err, store.ErrDuplicate) {
			// Another appender holds the number; help it finish, then retry.
			if err := c.complete(ctx, head); err != nil {
				return store.ConsentRecord{}, false, err
			}
			continue
		}
		if err != nil {
			return store.ConsentRecord{}, false, fmt.Errorf("privacy: %w", err)
		}
		// A lost swap means another appender completed the head with this
		// very record: only this record could follow the head read above.
		if _, err := c.store.AdvanceHead(ctx, head.Seq, store.ChainHead{Seq: rec.Seq, Hash: rec.Hash}); err != nil {
			return store.ConsentRecord{}, false, fmt.Errorf("privacy: %w", err)
		}
		return rec, true, nil
	}
	return store.ConsentRecord{}, false, ErrChainBusy
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

// complete advances the head over the record that follows it, if that
// record is sound.
func (c *Chain) complete(ctx context.Context, head store.ChainHead) error {
	next, err := c.store.BySeq(ctx, head.Seq+1)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	if err := checkRecord(next, head.Seq+1, head.Hash); err != nil {
		return err
	}
	if _, err := c.store.AdvanceHead(ctx, head.Seq, store.ChainHead{Seq: next.Seq, Hash: next.Hash}); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// Verify walks the chain from the first record to the head, recomputing
// every hash, and returns how many records it checked. The first record
// that does not verify is named in a *ChainError. A sound record one past
// the head, left by an append that stopped half-way, is counted and the
// head completed; more than one past it means the head was tampered with.
func (c *Chain) Verify(ctx context.Context) (checked int, err error) {
	n, err := c.verify(ctx)
	return int(n), err
}

func (c *Chain) verify(ctx context.Context) (int64, error) {
	head, err := c.store.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("privacy: %w", err)
	}
	var (
		n    int64
		prev string
	)
	err = c.store.Each(ctx, func(rec store.ConsentRecord) error {
		if err := checkRecord(rec, n+1, prev); err != nil {
			return err
		}
		n, prev = n+1, rec.Hash
		if n == head.Seq && prev != head.Hash {
			return &ChainError{Seq: n, Reason: "the chain's head does not match this record"}
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	if n < head.Seq {
		return n, &ChainError{Seq: n + 1, Reason: fmt.Sprintf("missing: the chain ends at %d, its head is at %d", n, head.Seq)}
	}
	// Appends may have moved the head during the walk; read it again.
	if n > head.Seq+1 {
		if head, err = c.store.Head(ctx); err != nil {
			return n, fmt.Errorf("privacy: %w", err)
		}
	}
	switch {
	case n > head.Seq+1:
		return n, &ChainError{Seq: head.Seq + 2, Reason: fmt.Sprintf("beyond the chain's head at %d", head.Seq)}
	case n == head.Seq+1:
		if _, err := c.store.AdvanceHead(ctx, head.Seq, store.ChainHead{Seq: n, Hash: prev}); err != nil {
			return n, fmt.Errorf("privacy: %w", err)
		}
	}
	return n, nil
}

// checkRecord verifies one record at position seq after a record whose
// hash is prev.
func checkRecord(rec store.ConsentRecord, seq int64, prev string) error {
	switch {
	case rec.Seq != seq || rec.ID != store.ConsentRecordID(seq):
		return &ChainError{Seq: seq, Reason: fmt.Sprintf("missing or out of place (found %q)", rec.ID)}
	case rec.PrevHash != prev:
		return &ChainError{Seq: seq, Reason: "does not follow the record before it"}
	case RecordHash(rec) != rec.Hash:
		return &ChainError{Seq: seq, Reason: "its contents do not match its hash"}
	}
	return nil
}

// RecordHash is the hex SHA-256 of a record's canonical encoding: every
// field but the hash, in a fixed order, each prefixed with its length so
// that no two different records encode alike, times in UTC to the
// millisecond. The leading version lets the encoding change without
// breaking older records.
func RecordHash(rec store.ConsentRecord) string {
	h := sha256.New()
	for _, f := range []string{
		"candor-consent-v1",
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
		rec.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		rec.PrevHash,
	} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":"))
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}
