package consents_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
)

func TestConsentHeadsMoveOnlyForward(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	if h, err := st.Consents.Head(ctx, 3); err != nil || h != (consents.ChainHead{}) {
		t.Fatalf("empty head = %+v, %v", h, err)
	}
	steps := []struct {
		name       string
		shard      int
		next       consents.ChainHead
		wantBefore consents.ChainHead
		wantHead   consents.ChainHead
	}{
		{"first", 3, consents.ChainHead{Seq: 1, Hash: "h1"}, consents.ChainHead{}, consents.ChainHead{Seq: 1, Hash: "h1"}},
		{"again, as a helper would", 3, consents.ChainHead{Seq: 1, Hash: "h1"}, consents.ChainHead{Seq: 1, Hash: "h1"}, consents.ChainHead{Seq: 1, Hash: "h1"}},
		{"next", 3, consents.ChainHead{Seq: 2, Hash: "h2"}, consents.ChainHead{Seq: 1, Hash: "h1"}, consents.ChainHead{Seq: 2, Hash: "h2"}},
		{"stale", 3, consents.ChainHead{Seq: 1, Hash: "h1"}, consents.ChainHead{Seq: 2, Hash: "h2"}, consents.ChainHead{Seq: 2, Hash: "h2"}},
		// Ten sorts after nine only zero-padded.
		{"past nine", 3, consents.ChainHead{Seq: 10, Hash: "a"}, consents.ChainHead{Seq: 2, Hash: "h2"}, consents.ChainHead{Seq: 10, Hash: "a"}},
		{"back to nine", 3, consents.ChainHead{Seq: 9, Hash: "z"}, consents.ChainHead{Seq: 10, Hash: "a"}, consents.ChainHead{Seq: 10, Hash: "a"}},
		{"another shard", 0, consents.ChainHead{Seq: 1, Hash: "g1"}, consents.ChainHead{}, consents.ChainHead{Seq: 1, Hash: "g1"}},
	}
	for _, s := range steps {
		before, err := st.Consents.AdvanceHead(ctx, s.shard, s.next)
		if err != nil || before != s.wantBefore {
			t.Errorf("%s: before = %+v, %v; want %+v", s.name, before, err, s.wantBefore)
		}
		if h, err := st.Consents.Head(ctx, s.shard); err != nil || h != s.wantHead {
			t.Errorf("%s: head = %+v, %v; want %+v", s.name, h, err, s.wantHead)
		}
	}
	heads, err := st.Consents.Heads(ctx)
	if err != nil || len(heads) != 2 || heads[0].Seq != 1 || heads[3].Seq != 10 {
		t.Errorf("Heads = %+v, %v", heads, err)
	}
	if _, err := st.Consents.AdvanceAnchorHead(ctx, consents.ChainHead{Seq: 1, Hash: "a1"}); err != nil {
		t.Fatal(err)
	}
	if h, err := st.Consents.AnchorHead(ctx); err != nil || h.Seq != 1 || h.Hash != "a1" {
		t.Errorf("anchor head = %+v, %v", h, err)
	}
	if heads, _ := st.Consents.Heads(ctx); len(heads) != 2 {
		t.Errorf("Heads counts the anchors' head: %+v", heads)
	}
}

// A head as written before shards, {seq, hash}, reads as it was and
// advances into the new form.
func TestConsentHeadOfTheLogBeforeShards(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	if _, err := st.DB().Collection("consent_chain").InsertOne(ctx, bson.D{{Key: "_id", Value: "head"}, {Key: "seq", Value: int64(7)}, {Key: "hash", Value: "h7"}}); err != nil {
		t.Fatal(err)
	}
	if h, err := st.Consents.Head(ctx, 0); err != nil || h != (consents.ChainHead{Seq: 7, Hash: "h7"}) {
		t.Fatalf("old head = %+v, %v", h, err)
	}
	before, err := st.Consents.AdvanceHead(ctx, 0, consents.ChainHead{Seq: 8, Hash: "h8"})
	if err != nil || before != (consents.ChainHead{Seq: 7, Hash: "h7"}) {
		t.Errorf("before = %+v, %v", before, err)
	}
	if h, err := st.Consents.Head(ctx, 0); err != nil || h != (consents.ChainHead{Seq: 8, Hash: "h8"}) {
		t.Errorf("head = %+v, %v", h, err)
	}
	var raw bson.M
	if err := st.DB().Collection("consent_chain").FindOne(ctx, bson.D{{Key: "_id", Value: "head"}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if _, old := raw["seq"]; old || raw["pos"] != "000000000008:h8" {
		t.Errorf("stored head = %v, want the new form only", raw)
	}
}

func TestConsentRecordIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		shard int
		seq   int64
		id    string
	}{
		{0, 1, "000000000001"},
		{0, 123456789012, "123456789012"},
		{1, 1, "s001-000000000001"},
		{999, 42, "s999-000000000042"},
	}
	for _, tt := range tests {
		if id := consents.RecordID(tt.shard, tt.seq); id != tt.id {
			t.Errorf("RecordID(%d, %d) = %q, want %q", tt.shard, tt.seq, id, tt.id)
		}
		if shard, seq, ok := consents.ParseRecordID(tt.id); !ok || shard != tt.shard || seq != tt.seq {
			t.Errorf("ParseRecordID(%q) = %d, %d, %v", tt.id, shard, seq, ok)
		}
	}
	for _, bad := range []string{"", "1", "s001-1", "s1-000000000001", "s000-000000000001", "x001-000000000001", "000000000000", "s001_000000000001"} {
		if _, _, ok := consents.ParseRecordID(bad); ok {
			t.Errorf("ParseRecordID(%q) is ok", bad)
		}
	}
}

func TestConsentsRepository(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, rec := range []consents.Record{
		{Seq: 2, Kind: consents.Withdrawn, ContactID: "c1", Refers: consents.RecordID(0, 1), Method: "m", At: at.Add(time.Second)},
		{Shard: 12, Seq: 1, Kind: consents.Given, ContactID: "c1", Method: "m", At: at.Add(2 * time.Second)},
		{Seq: 1, Kind: consents.Given, ContactID: "c1", SurveyID: "s1", ResponseRef: []byte{9}, Method: "m", At: at},
		{Shard: 2, Seq: 1, Kind: consents.Given, ContactID: "c2", Method: "m", At: at},
		{Seq: 3, Kind: consents.Given, ContactID: "c2", Method: "m", At: at},
	} {
		if err := st.Consents.Insert(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Consents.Insert(ctx, consents.Record{Seq: 2, Kind: consents.Erasure}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("taken seq err = %v, want ErrDuplicate", err)
	}
	if err := st.Consents.Insert(ctx, consents.Record{Shard: 2, Seq: 2, Kind: consents.Erasure}); err != nil {
		t.Errorf("a seq taken on another shard: %v", err)
	}
	if err := st.Consents.Insert(ctx, consents.Record{Shard: consents.MaxShards, Seq: 1}); err == nil {
		t.Error("a shard out of range was stored")
	}
	recs, err := st.Consents.ByContact(ctx, "c1")
	if err != nil || len(recs) != 3 || recs[0].Seq != 1 || recs[1].ID != "000000000002" || recs[2].ID != "s012-000000000001" || !recs[0].At.Equal(at) {
		t.Errorf("ByContact = %+v, %v", recs, err)
	}
	if rec, err := st.Consents.BySeq(ctx, 12, 1); err != nil || rec.Shard != 12 || rec.ContactID != "c1" {
		t.Errorf("BySeq(12, 1) = %+v, %v", rec, err)
	}
	var ids []string
	_ = st.Consents.Each(ctx, func(r consents.Record) error { ids = append(ids, r.ID); return nil })
	want := []string{"000000000001", "000000000002", "000000000003", "s002-000000000001", "s002-000000000002", "s012-000000000001"}
	if !slices.Equal(ids, want) {
		t.Errorf("Each order = %v, want shard by shard, each in order", ids)
	}

	box := seal.Box{KeyID: "k1", Data: []byte{1}}
	for _, id := range []string{"ref1", "ref2"} {
		if err := st.Consents.PutRef(ctx, id, box); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.Consents.Ref(ctx, "ref1"); err != nil || got.KeyID != "k1" {
		t.Errorf("Ref = %+v, %v", got, err)
	}
	if err := st.Consents.DeleteRef(ctx, "ref1"); err != nil {
		t.Fatal(err)
	}
	if err := st.Consents.DeleteRef(ctx, "ref1"); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if _, err := st.Consents.Ref(ctx, "ref1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted Ref err = %v", err)
	}
	var seen []string
	err = st.Consents.EachRef(ctx, func(id string, b seal.Box) (seal.Box, error) {
		seen = append(seen, id)
		return seal.Box{KeyID: "k2", Data: b.Data}, nil
	})
	if err != nil || !slices.Equal(seen, []string{"ref2"}) {
		t.Errorf("EachRef saw %v, %v", seen, err)
	}
	if got, _ := st.Consents.Ref(ctx, "ref2"); got.KeyID != "k2" {
		t.Errorf("EachRef replacement = %+v", got)
	}
}

func TestConsentAnchorsAndPins(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, seq := range []int64{2, 1} {
		a := consents.Anchor{Seq: seq, At: at, Heads: []consents.ShardHead{{Shard: 0, Seq: seq, Hash: "h"}, {Shard: 4, Seq: 1, Hash: "x"}}}
		if err := st.Consents.InsertAnchor(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Consents.InsertAnchor(ctx, consents.Anchor{Seq: 2}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("taken anchor err = %v, want ErrDuplicate", err)
	}
	if a, err := st.Consents.AnchorBySeq(ctx, 2); err != nil || a.ID != consents.AnchorID(2) || len(a.Heads) != 2 || a.Heads[1].Shard != 4 {
		t.Errorf("AnchorBySeq = %+v, %v", a, err)
	}
	if _, err := st.Consents.AnchorBySeq(ctx, 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing anchor err = %v", err)
	}
	var seqs []int64
	_ = st.Consents.EachAnchor(ctx, func(a consents.Anchor) error { seqs = append(seqs, a.Seq); return nil })
	if !slices.Equal(seqs, []int64{1, 2}) {
		t.Errorf("EachAnchor order = %v", seqs)
	}

	if s, err := st.Consents.PinShard(ctx, "k", 5); err != nil || s != 5 {
		t.Errorf("first pin = %d, %v", s, err)
	}
	if s, err := st.Consents.PinShard(ctx, "k", 9); err != nil || s != 5 {
		t.Errorf("second pin = %d, %v; want the first one's shard", s, err)
	}
}
