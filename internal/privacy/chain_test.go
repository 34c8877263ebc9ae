package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newStore(t *testing.T) *store.Store {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func appendN(t *testing.T, c *privacy.Chain, n int) []consents.Record {
	t.Helper()
	out := make([]consents.Record, n)
	for i := range n {
		rec, err := c.Append(context.Background(), consents.Record{
			Kind: consents.Given, ContactID: fmt.Sprintf("c%d", i), SurveyID: "s1", TextVersion: 1,
			TextHash: "ab", Locale: "en", Method: privacy.MethodSurveyForm, At: time.Now(),
		})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = rec
	}
	return out
}

func TestChainLinksEachRecordToThePrevious(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	c := privacy.NewChain(st.Consents, privacy.WithShards(1))
	recs := appendN(t, c, 4)
	for i, rec := range recs {
		if rec.Seq != int64(i+1) || rec.ID != consents.RecordID(1, rec.Seq) {
			t.Errorf("record %d: seq %d, id %q", i, rec.Seq, rec.ID)
		}
		prev := ""
		if i > 0 {
			prev = recs[i-1].Hash
		}
		if rec.PrevHash != prev || rec.Hash != privacy.RecordHash(rec) {
			t.Errorf("record %d is not linked: %+v", i, rec)
		}
		stored, err := st.Consents.BySeq(context.Background(), 1, rec.Seq)
		if err != nil || privacy.RecordHash(stored) != rec.Hash {
			t.Errorf("record %d does not survive a round trip: %+v, %v", i, stored, err)
		}
	}
	if n, err := c.Verify(context.Background()); n != 4 || err != nil {
		t.Errorf("Verify = %d, %v; want 4, nil", n, err)
	}
}

func TestChainVerifyFindsTheFirstTamperedRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tamper  func(ctx context.Context, coll string, db *store.Store) error
		wantSeq int64
	}{
		{"edited field", func(ctx context.Context, coll string, st *store.Store) error {
			_, err := st.DB().Collection(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: consents.RecordID(1, 3)}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "locale", Value: "fi"}}}})
			return err
		}, 3},
		{"edited time", func(ctx context.Context, coll string, st *store.Store) error {
			_, err := st.DB().Collection(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: consents.RecordID(1, 2)}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().Add(-time.Hour)}}}})
			return err
		}, 2},
		{"removed record", func(ctx context.Context, coll string, st *store.Store) error {
			_, err := st.DB().Collection(coll).DeleteOne(ctx, bson.D{{Key: "_id", Value: consents.RecordID(1, 4)}})
			return err
		}, 4},
		{"last record removed", func(ctx context.Context, coll string, st *store.Store) error {
			_, err := st.DB().Collection(coll).DeleteOne(ctx, bson.D{{Key: "_id", Value: consents.RecordID(1, 5)}})
			return err
		}, 5},
		{"head removed", func(ctx context.Context, _ string, st *store.Store) error {
			_, err := st.DB().Collection("consent_chain").DeleteOne(ctx, bson.D{{Key: "_id", Value: "head-001"}})
			return err
		}, 2},
		{"head edited", func(ctx context.Context, _ string, st *store.Store) error {
			_, err := st.DB().Collection("consent_chain").UpdateOne(ctx, bson.D{{Key: "_id", Value: "head-001"}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "pos", Value: "000000000005:forged"}}}})
			return err
		}, 5},
		{"rehashed record", func(ctx context.Context, coll string, st *store.Store) error {
			// An editor who recomputes the record's own hash still breaks the next link.
			rec, err := st.Consents.BySeq(ctx, 1, 2)
			if err != nil {
				return err
			}
			rec.ContactID = "someone-else"
			_, err = st.DB().Collection(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: rec.ID}},
				bson.D{{Key: "$set", Value: bson.D{{Key: "contactId", Value: rec.ContactID}, {Key: "hash", Value: privacy.RecordHash(rec)}}}})
			return err
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newStore(t)
			ctx := context.Background()
			c := privacy.NewChain(st.Consents, privacy.WithShards(1))
			appendN(t, c, 5)
			if err := tt.tamper(ctx, "consents", st); err != nil {
				t.Fatal(err)
			}
			_, err := c.Verify(ctx)
			var ce *privacy.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, privacy.ErrChainBroken) || ce.Seq != tt.wantSeq {
				t.Fatalf("Verify err = %v, want a chain error at %d", err, tt.wantSeq)
			}
		})
	}
}

func TestChainCompletesAnInterruptedAppend(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	c := privacy.NewChain(st.Consents, privacy.WithShards(1))
	recs := appendN(t, c, 2)

	// A record written without its head advanced, as a crash leaves it.
	orphan := consents.Record{Shard: 1, Seq: 3, Kind: consents.Erasure, ContactID: "c9", Method: "privacy-page",
		At: time.Now().UTC().Truncate(time.Millisecond), PrevHash: recs[1].Hash}
	orphan.ID = consents.RecordID(1, 3)
	orphan.Hash = privacy.RecordHash(orphan)
	if err := st.Consents.Insert(ctx, orphan); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Verify(ctx); n != 3 || err != nil {
		t.Fatalf("Verify = %d, %v; want the pending record counted", n, err)
	}
	if head, _ := st.Consents.Head(ctx, 1); head.Seq != 3 || head.Hash != orphan.Hash {
		t.Errorf("head = %+v, want it completed to record 3", head)
	}

	// An append meeting such a record completes the head and goes after it.
	orphan2 := orphan
	orphan2.Seq, orphan2.ID, orphan2.PrevHash = 4, consents.RecordID(1, 4), orphan.Hash
	orphan2.Hash = privacy.RecordHash(orphan2)
	if err := st.Consents.Insert(ctx, orphan2); err != nil {
		t.Fatal(err)
	}
	next := appendN(t, c, 1)[0]
	if next.Seq != 5 || next.PrevHash != orphan2.Hash {
		t.Errorf("append after a pending record: %+v", next)
	}
	if n, err := c.Verify(ctx); n != 5 || err != nil {
		t.Errorf("Verify = %d, %v", n, err)
	}
}

func TestChainTakesConcurrentAppendsInOrder(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	c := privacy.NewChain(st.Consents)
	const workers, each = 6, 3
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := c.Append(ctx, consents.Record{Kind: consents.Erasure, ContactID: "c", Method: "m", At: time.Now()}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := c.Verify(ctx); n != workers*each || err != nil {
		t.Errorf("Verify = %d, %v; want %d", n, err, workers*each)
	}
}

// TestChainAppendsUnderHeavyContention has more appenders racing at once
// than an append may lose races, as many respondents consenting at the
// same moment do, in two processes sharing the database: every append
// must still succeed.
func TestChainAppendsUnderHeavyContention(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	c := privacy.NewChain(st.Consents)
	other := privacy.NewChain(st.Consents) // another process's
	const appenders = 80
	var wg sync.WaitGroup
	errs := make(chan error, appenders)
	start := make(chan struct{})
	for i := range appenders {
		chain := c
		if i%2 == 1 {
			chain = other
		}
		wg.Go(func() {
			<-start
			if _, err := chain.Append(ctx, consents.Record{Kind: consents.Given, ContactID: "c", Method: "m", At: time.Now()}); err != nil {
				errs <- err
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := c.Verify(ctx); n != appenders || err != nil {
		t.Errorf("Verify = %d, %v; want %d", n, err, appenders)
	}
}

func TestRecordHashCoversEveryField(t *testing.T) {
	t.Parallel()
	base := consents.Record{
		Seq: 7, Kind: consents.Given, ContactID: "c", SurveyID: "s", RefID: "r", ResponseRef: []byte{1, 2},
		TextVersion: 2, TextHash: "h", Locale: "fi", Method: "m", Refers: "x", At: time.Unix(1700000000, 0), PrevHash: "p",
	}
	h := privacy.RecordHash(base)
	changes := []func(*consents.Record){
		func(r *consents.Record) { r.Seq++ },
		func(r *consents.Record) { r.Kind = consents.Withdrawn },
		func(r *consents.Record) { r.ContactID += "x" },
		func(r *consents.Record) { r.SurveyID += "x" },
		func(r *consents.Record) { r.RefID += "x" },
		func(r *consents.Record) { r.ResponseRef = []byte{1, 3} },
		func(r *consents.Record) { r.TextVersion++ },
		func(r *consents.Record) { r.TextHash += "x" },
		func(r *consents.Record) { r.Locale = "sv" },
		func(r *consents.Record) { r.Method += "x" },
		func(r *consents.Record) { r.Refers += "x" },
		func(r *consents.Record) { r.At = r.At.Add(time.Millisecond) },
		func(r *consents.Record) { r.PrevHash += "x" },
		// Moving a boundary between fields changes the hash too.
		func(r *consents.Record) { r.ContactID, r.SurveyID = "cs", "" },
	}
	for i, change := range changes {
		r := base
		change(&r)
		if privacy.RecordHash(r) == h {
			t.Errorf("change %d leaves the hash as it was", i)
		}
	}
	r := base
	r.ID, r.Hash = "ignored", "ignored"
	if privacy.RecordHash(r) != h {
		t.Error("the hash depends on the id or on itself")
	}
}
