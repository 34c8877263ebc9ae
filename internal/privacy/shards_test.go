package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
)

var errCrash = errors.New("crashed")

func record(contact string) consents.Record {
	return consents.Record{Kind: consents.Given, ContactID: contact, SurveyID: "s1", TextVersion: 1,
		TextHash: "ab", Locale: "en", Method: privacy.MethodSurveyForm, At: time.Now()}
}

// onShard returns a chain of shards shards, as another process has it,
// whose appends try shard first.
func onShard(st *store.Store, shards, shard int) *privacy.Chain {
	c := privacy.NewChain(st.Consents, privacy.WithShards(shards))
	c.PickShards(func(int) int { return shard })
	return c
}

// holdAt makes c's first append stop at step: paused until the returned
// release is called, or failed there as by a crash.
func holdAt(c *privacy.Chain, step string, crash bool) (reached <-chan struct{}, release func()) {
	at, resume := make(chan struct{}), make(chan struct{})
	var once sync.Once
	c.OnStep(func(s string, _ int, _ int64) error {
		if s != step {
			return nil
		}
		held := false
		once.Do(func() { held = true; close(at) })
		if !held {
			return nil
		}
		if crash {
			return errCrash
		}
		<-resume
		return nil
	})
	return at, func() { close(resume) }
}

// soundHistory checks the invariant after any interleaving: the chain
// verifies, holds exactly want records, and every append that reported
// success is stored as it was returned.
func soundHistory(t *testing.T, st *store.Store, want int, appended []consents.Record) {
	t.Helper()
	ctx := context.Background()
	if n, err := privacy.NewChain(st.Consents).Verify(ctx); n != want || err != nil {
		t.Fatalf("Verify = %d, %v; want %d records, sound", n, err, want)
	}
	seen := map[string]bool{}
	for _, rec := range appended {
		if seen[rec.ID] {
			t.Errorf("two appends returned record %s", rec.ID)
		}
		seen[rec.ID] = true
		stored, err := st.Consents.ByID(ctx, rec.ID)
		if err != nil || stored.Hash != rec.Hash || stored.ContactID != rec.ContactID {
			t.Errorf("appended %s (%s) is stored as %+v, %v", rec.ID, rec.ContactID, stored, err)
		}
	}
}

// An append is held, or crashes, between each of its writes while
// appends from another process run on the same shard and on another.
func TestShardedAppendInterleavings(t *testing.T) {
	t.Parallel()
	for _, step := range []string{privacy.StepHeadRead, privacy.StepInserted, privacy.StepAdvanced} {
		for _, crash := range []bool{false, true} {
			for _, other := range []int{1, 2} {
				name := fmt.Sprintf("%s/crash=%v/other shard %d", step, crash, other)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					st := newStore(t)
					ctx := context.Background()
					held := onShard(st, 4, 1)
					competitor := onShard(st, 4, other)
					appended := appendN(t, competitor, 2) // history before the race

					reached, release := holdAt(held, step, crash)
					done := make(chan struct{})
					var heldRec consents.Record
					var heldErr error
					go func() {
						defer close(done)
						heldRec, heldErr = held.Append(ctx, record("held"))
					}()
					select {
					case <-reached:
					case <-done:
						t.Fatalf("the append finished without reaching %s: %v", step, heldErr)
					case <-time.After(30 * time.Second):
						t.Fatalf("the append never reached %s", step)
					}
					for i := range 3 {
						rec, err := competitor.Append(ctx, record(fmt.Sprintf("other%d", i)))
						if err != nil {
							t.Fatalf("competing append %d: %v", i, err)
						}
						appended = append(appended, rec)
					}
					if !crash {
						release()
					}
					<-done
					want := len(appended)
					switch {
					case crash && !errors.Is(heldErr, errCrash):
						t.Fatalf("crashed append err = %v", heldErr)
					case crash && step != privacy.StepHeadRead:
						want++ // its record was stored: the next append or verify completes it
					case !crash && heldErr != nil:
						t.Fatalf("held append: %v", heldErr)
					case !crash:
						appended = append(appended, heldRec)
						want++
					}
					soundHistory(t, st, want, appended)
				})
			}
		}
	}
}

// Two withdrawals of one consent from two processes whose appends would go
// to different shards: one is held, or crashes, at each step while the
// other runs to the end. Exactly one record results.
func TestAppendOnceIsUniqueAcrossShards(t *testing.T) {
	t.Parallel()
	steps := []string{privacy.StepPinned, privacy.StepHeadRead, privacy.StepInserted, privacy.StepAdvanced}
	for _, step := range steps {
		for _, crash := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/crash=%v", step, crash), func(t *testing.T) {
				t.Parallel()
				st := newStore(t)
				ctx := context.Background()
				first, second := onShard(st, 8, 3), onShard(st, 8, 6)
				given := appendN(t, second, 1)[0]
				withdrawal := func(method string) consents.Record {
					return consents.Record{Kind: consents.Withdrawn, ContactID: given.ContactID, Refers: given.ID, Method: method, At: time.Now()}
				}
				taken := func(h consents.Record) bool { return h.Kind == consents.Withdrawn && h.Refers == given.ID }
				key := "withdrawal:" + given.ID

				reached, release := holdAt(first, step, crash)
				done := make(chan error, 1)
				go func() {
					_, _, err := first.AppendOnce(ctx, key, withdrawal("first"), taken)
					done <- err
				}()
				select {
				case <-reached:
				case <-time.After(30 * time.Second):
					t.Fatalf("the first withdrawal never reached %s", step)
				}
				rec, appended, err := second.AppendOnce(ctx, key, withdrawal("second"), taken)
				if err != nil {
					t.Fatalf("second withdrawal: %v", err)
				}
				if !crash {
					release()
				}
				err = <-done
				if crash != errors.Is(err, errCrash) || !crash && err != nil {
					t.Fatalf("first withdrawal: %v", err)
				}
				// Held after its record was stored, the first one's stands; else the second's.
				wantMethod := "second"
				if step == privacy.StepInserted || step == privacy.StepAdvanced {
					wantMethod = "first"
				}
				if appended != (wantMethod == "second") || rec.Method != wantMethod || rec.Shard != 3 {
					t.Errorf("second = %+v, appended %v; want the %s one's, on the shard the first pinned", rec, appended, wantMethod)
				}
				history, err := st.Consents.ByContact(ctx, given.ContactID)
				if err != nil {
					t.Fatal(err)
				}
				var ends int
				for _, h := range history {
					if taken(h) {
						ends++
					}
				}
				if ends != 1 {
					t.Errorf("%d withdrawal records, want 1: %+v", ends, history)
				}
				soundHistory(t, st, len(history), nil)
			})
		}
	}
}

// TestNamedAnswersFromManyProcesses has 64 processes append at the same
// moment, as many respondents consenting at once on a replica set do:
// with one head, every append raced every other and lost up to 50 times.
// With shards every append succeeds, with few lost races.
func TestNamedAnswersFromManyProcesses(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	const processes, each = 64, 2
	var lost atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	results := make(chan consents.Record, processes*each)
	errs := make(chan error, processes*each)
	for p := range processes {
		c := privacy.NewChain(st.Consents)
		c.OnStep(func(step string, _ int, _ int64) error {
			if step == privacy.StepLost {
				lost.Add(1)
			}
			return nil
		})
		wg.Go(func() {
			<-start
			for i := range each {
				rec, err := c.Append(ctx, record(fmt.Sprintf("p%d-%d", p, i)))
				if err != nil {
					errs <- err
					continue
				}
				results <- rec
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	close(results)
	for err := range errs {
		t.Error(err)
	}
	var appended []consents.Record
	for rec := range results {
		appended = append(appended, rec)
	}
	t.Logf("%d appends from %d processes over %d shards: %d lost races", len(appended), processes, privacy.DefaultShards, lost.Load())
	soundHistory(t, st, processes*each, appended)
}

// roundRobin makes c's appends take shards 1, 2, 3, … in turn.
func roundRobin(c *privacy.Chain) {
	var n atomic.Int64
	c.PickShards(func(shards int) int { return 1 + int(n.Add(1)-1)%shards })
}

func TestAnchorCommitsToEveryShard(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	c := privacy.NewChain(st.Consents, privacy.WithShards(3))
	roundRobin(c)
	if a, wrote, err := c.Anchor(ctx); err != nil || wrote || a.Seq != 0 {
		t.Fatalf("anchor of an empty log = %+v, %v, %v; want none", a, wrote, err)
	}
	recs := appendN(t, c, 5) // shards 1, 2, 3, 1, 2
	a, wrote, err := c.Anchor(ctx)
	if err != nil || !wrote || a.Seq != 1 || a.Hash != privacy.AnchorHash(a) {
		t.Fatalf("Anchor = %+v, %v, %v", a, wrote, err)
	}
	want := []consents.ShardHead{{Shard: 1, Seq: 2, Hash: recs[3].Hash}, {Shard: 2, Seq: 2, Hash: recs[4].Hash}, {Shard: 3, Seq: 1, Hash: recs[2].Hash}}
	if fmt.Sprint(a.Heads) != fmt.Sprint(want) {
		t.Errorf("anchor heads = %+v, want %+v", a.Heads, want)
	}
	if again, wrote, err := c.Anchor(ctx); err != nil || wrote || again.Hash != a.Hash {
		t.Errorf("anchor with nothing new = %+v, %v, %v; want the same one", again, wrote, err)
	}
	appendN(t, c, 1)
	v, err := c.Check(ctx)
	if err != nil || v.Records != 6 || v.Shards != 3 || v.Anchors != 1 || v.Anchor.Seq != 2 || v.Anchor.PrevHash != a.Hash {
		t.Errorf("Check = %+v, %v; want a second anchor after the first", v, err)
	}
}

// The log from before shards, one chain with its head in the old form,
// verifies as shard 0, the genesis, beside the shards that take the
// appends from now on. Its head stays as it was, so that a process of the
// version before can go on appending to it during an upgrade.
func TestChainFromBeforeShardsKeepsVerifying(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	prev := ""
	for seq := int64(1); seq <= 3; seq++ {
		rec := consents.Record{Seq: seq, Kind: consents.Given, ContactID: "old", Method: "survey-form",
			At: time.Date(2026, 1, 1, 0, 0, int(seq), 0, time.UTC), PrevHash: prev}
		rec.Hash = privacy.RecordHash(rec)
		if _, err := st.DB().Collection("consents").InsertOne(ctx, bson.D{
			{Key: "_id", Value: fmt.Sprintf("%012d", seq)}, {Key: "seq", Value: seq}, {Key: "kind", Value: "consent"},
			{Key: "contactId", Value: "old"}, {Key: "method", Value: "survey-form"}, {Key: "at", Value: rec.At},
			{Key: "prevHash", Value: prev}, {Key: "hash", Value: rec.Hash},
		}); err != nil {
			t.Fatal(err)
		}
		prev = rec.Hash
	}
	oldHead := bson.D{{Key: "_id", Value: "head"}, {Key: "seq", Value: int64(3)}, {Key: "hash", Value: prev}}
	if _, err := st.DB().Collection("consent_chain").InsertOne(ctx, oldHead); err != nil {
		t.Fatal(err)
	}
	c := privacy.NewChain(st.Consents, privacy.WithShards(4))
	roundRobin(c)
	appended := appendN(t, c, 4)
	if appended[0].Shard != 1 || appended[0].Seq != 1 || appended[0].PrevHash != "" {
		t.Errorf("first append after the old log: %+v, want shard 1's first record", appended[0])
	}
	v, err := c.Check(ctx)
	if err != nil || v.Records != 7 || v.Shards != 5 || v.Anchor.Heads[0] != (consents.ShardHead{Shard: 0, Seq: 3, Hash: prev}) {
		t.Fatalf("Check = %+v, %v; want the old log anchored as shard 0", v, err)
	}
	var head bson.M
	if err := st.DB().Collection("consent_chain").FindOne(ctx, bson.D{{Key: "_id", Value: "head"}}).Decode(&head); err != nil {
		t.Fatal(err)
	}
	if head["seq"] != int64(3) || head["hash"] != prev || head["pos"] != nil {
		t.Errorf("old head = %v, want it untouched", head)
	}
	if v, err := c.Check(ctx); err != nil || v.Anchors != 1 {
		t.Errorf("second Check = %+v, %v", v, err)
	}
}

func TestVerifyFindsTamperingWithShardsAndAnchors(t *testing.T) {
	t.Parallel()
	consentColl := func(st *store.Store) *mongoColl { return &mongoColl{st, "consents"} }
	anchors := func(st *store.Store) *mongoColl { return &mongoColl{st, "consent_anchors"} }
	tests := []struct {
		name   string
		tamper func(ctx context.Context, st *store.Store) error
		want   privacy.ChainError // Reason unchecked
	}{
		{"edited record in a shard", func(ctx context.Context, st *store.Store) error {
			return consentColl(st).set(ctx, consents.RecordID(2, 2), "locale", "fi")
		}, privacy.ChainError{Shard: 2, Seq: 2}},
		{"record moved to another shard", func(ctx context.Context, st *store.Store) error {
			rec, err := st.Consents.BySeq(ctx, 2, 3)
			if err != nil {
				return err
			}
			if err := consentColl(st).delete(ctx, rec.ID); err != nil {
				return err
			}
			rec.Shard, rec.Seq = 1, 4
			return st.Consents.Insert(ctx, rec)
		}, privacy.ChainError{Shard: 1, Seq: 4}},
		{"shard's tail cut, head moved back", func(ctx context.Context, st *store.Store) error {
			for _, seq := range []int64{2, 3} {
				if err := consentColl(st).delete(ctx, consents.RecordID(1, seq)); err != nil {
					return err
				}
			}
			one, err := st.Consents.BySeq(ctx, 1, 1)
			if err != nil {
				return err
			}
			_, err = st.DB().Collection("consent_chain").UpdateOne(ctx, bson.D{{Key: "_id", Value: "head-001"}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "pos", Value: "000000000001:" + one.Hash}}}})
			return err
		}, privacy.ChainError{Shard: 1, Seq: 2}},
		{"shard rewritten from a record on, head and all", func(ctx context.Context, st *store.Store) error {
			prev := ""
			for seq := int64(1); seq <= 3; seq++ {
				rec, err := st.Consents.BySeq(ctx, 2, seq)
				if err != nil {
					return err
				}
				if seq >= 2 {
					rec.ContactID, rec.PrevHash = "someone-else", prev
					rec.Hash = privacy.RecordHash(rec)
					if err := consentColl(st).delete(ctx, rec.ID); err != nil {
						return err
					}
					if err := st.Consents.Insert(ctx, rec); err != nil {
						return err
					}
				}
				prev = rec.Hash
			}
			_, err := st.DB().Collection("consent_chain").UpdateOne(ctx, bson.D{{Key: "_id", Value: "head-002"}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "pos", Value: "000000000003:" + prev}}}})
			return err
		}, privacy.ChainError{Shard: 2, Seq: 2}}, // anchor 1 commits to record 2 of shard 2
		{"anchor removed", func(ctx context.Context, st *store.Store) error {
			return anchors(st).delete(ctx, consents.AnchorID(1))
		}, privacy.ChainError{Anchor: true, Seq: 1}},
		{"last anchor removed", func(ctx context.Context, st *store.Store) error {
			return anchors(st).delete(ctx, consents.AnchorID(2))
		}, privacy.ChainError{Anchor: true, Seq: 2}},
		{"anchor edited", func(ctx context.Context, st *store.Store) error {
			return anchors(st).set(ctx, consents.AnchorID(1), "heads.0.seq", int64(1))
		}, privacy.ChainError{Anchor: true, Seq: 1}},
		{"anchor rehashed", func(ctx context.Context, st *store.Store) error {
			return rehashAnchor(ctx, st, 1, func(a *consents.Anchor) { a.Heads = a.Heads[:1] })
		}, privacy.ChainError{Anchor: true, Seq: 2}},
		{"last anchor rehashed to other heads", func(ctx context.Context, st *store.Store) error {
			return rehashAnchor(ctx, st, 2, func(a *consents.Anchor) { a.Heads[0].Hash = "forged" })
		}, privacy.ChainError{Anchor: true, Seq: 2}},
		{"anchors' head removed", func(ctx context.Context, st *store.Store) error {
			_, err := st.DB().Collection("consent_chain").DeleteOne(ctx, bson.D{{Key: "_id", Value: "anchors"}})
			return err
		}, privacy.ChainError{Anchor: true, Seq: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newStore(t)
			ctx := context.Background()
			c := privacy.NewChain(st.Consents, privacy.WithShards(3))
			roundRobin(c)
			appendN(t, c, 6) // two records on each shard
			if _, _, err := c.Anchor(ctx); err != nil {
				t.Fatal(err)
			}
			appendN(t, c, 3) // a third on each
			if _, _, err := c.Anchor(ctx); err != nil {
				t.Fatal(err)
			}
			if err := tt.tamper(ctx, st); err != nil {
				t.Fatal(err)
			}
			_, err := c.Verify(ctx)
			var ce *privacy.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, privacy.ErrChainBroken) ||
				ce.Anchor != tt.want.Anchor || ce.Shard != tt.want.Shard || ce.Seq != tt.want.Seq {
				t.Fatalf("Verify err = %v, want a chain error at %+v", err, tt.want)
			}
		})
	}
}

// rehashAnchor edits an anchor and recomputes its hash, as a tamperer who
// knows the encoding would.
func rehashAnchor(ctx context.Context, st *store.Store, seq int64, edit func(*consents.Anchor)) error {
	a, err := st.Consents.AnchorBySeq(ctx, seq)
	if err != nil {
		return err
	}
	edit(&a)
	if err := (&mongoColl{st, "consent_anchors"}).delete(ctx, a.ID); err != nil {
		return err
	}
	a.Hash = privacy.AnchorHash(a)
	return st.Consents.InsertAnchor(ctx, a)
}

// mongoColl edits a collection behind the store's back, as a tamperer would.
type mongoColl struct {
	st   *store.Store
	name string
}

func (m *mongoColl) set(ctx context.Context, id, field string, v any) error {
	_, err := m.st.DB().Collection(m.name).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: v}}}})
	return err
}

func (m *mongoColl) delete(ctx context.Context, id string) error {
	res, err := m.st.DB().Collection(m.name).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err == nil && res.DeletedCount != 1 {
		return fmt.Errorf("no %s %s", m.name, id)
	}
	return err
}
