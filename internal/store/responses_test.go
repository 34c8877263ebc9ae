package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
)

func TestResponsesRepository(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	score := 9
	mk := func(id, surveyID string, named *store.Named) store.Response {
		return store.Response{
			ID: id, SurveyID: surveyID, Date: "2026-11-25", Locale: "en", Classification: store.ClassificationConfidential,
			Segment: store.Segment{Region: "Nordics", Country: "FI"}, Named: named,
			Answers: []store.ResponseAnswer{{Key: "nps", Score: &score}, {Key: "comment", Sealed: &seal.Box{KeyID: "k1", Data: []byte{1, 2, 3}}}},
		}
	}
	for _, r := range []store.Response{
		mk("r-c", "s1", nil), mk("r-a", "s1", &store.Named{ContactID: "c1", ConsentID: "000000000001"}), mk("r-b", "s2", nil),
	} {
		if err := st.Responses.Insert(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Responses.Insert(ctx, mk("r-a", "s1", nil)); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second insert err = %v, want ErrDuplicate", err)
	}
	got, err := st.Responses.ByID(ctx, "r-a")
	if err != nil || got.Named == nil || got.Named.ContactID != "c1" || *got.Answers[0].Score != 9 || got.Answers[1].Sealed.KeyID != "k1" {
		t.Fatalf("ByID = %+v, %v", got, err)
	}
	if _, err := st.Responses.ByID(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ByID(missing) err = %v", err)
	}
	if r, err := st.Responses.FirstOf(ctx, "x", "r-b", "r-a"); err != nil || r.ID != "r-b" {
		t.Errorf("FirstOf = %q, %v; want r-b", r.ID, err)
	}
	if _, err := st.Responses.FirstOf(ctx, "x", "y"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FirstOf(none) err = %v", err)
	}

	var ids []string
	if err := st.Responses.Each(ctx, "s1", func(r store.Response) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, []string{"r-a", "r-c"}) {
		t.Errorf("Each(s1) = %v, want r-a, r-c in id order", ids)
	}
	for _, tt := range []struct {
		survey, key string
		want        bool
	}{{"s1", "nps", true}, {"s1", "comment", true}, {"s1", "csat", false}, {"s3", "nps", false}} {
		if got, err := st.Responses.HasAnswers(ctx, tt.survey, tt.key); got != tt.want || err != nil {
			t.Errorf("HasAnswers(%s, %s) = %v, %v; want %v", tt.survey, tt.key, got, err, tt.want)
		}
	}
	named, err := st.Responses.NamedBy(ctx, "c1")
	if err != nil || len(named) != 1 || named[0].ID != "r-a" {
		t.Errorf("NamedBy = %v, %v", named, err)
	}

	for _, tt := range []struct{ contact, consent string }{{"c2", ""}, {"c1", "000000000002"}} {
		if ok, err := st.Responses.Unname(ctx, "r-a", tt.contact, tt.consent); ok || err != nil {
			t.Errorf("Unname(%s, %s) = %v, %v; want false", tt.contact, tt.consent, ok, err)
		}
	}
	if ok, err := st.Responses.Unname(ctx, "r-a", "c1", "000000000001"); !ok || err != nil {
		t.Fatalf("Unname = %v, %v", ok, err)
	}
	if r, _ := st.Responses.ByID(ctx, "r-a"); r.Named != nil || len(r.Answers) != 2 {
		t.Errorf("after Unname: %+v", r)
	}
	if ok, _ := st.Responses.Unname(ctx, "r-a", "c1", ""); ok {
		t.Error("Unname twice reported a change")
	}

	resealed := []store.ResponseAnswer{{Key: "nps", Score: &score}, {Key: "comment", Sealed: &seal.Box{KeyID: "k2", Data: []byte{4}}}}
	if err := st.Responses.SetAnswers(ctx, "r-c", resealed); err != nil {
		t.Fatal(err)
	}
	if r, _ := st.Responses.ByID(ctx, "r-c"); r.Answers[1].Sealed.KeyID != "k2" {
		t.Errorf("SetAnswers: %+v", r.Answers)
	}
	if err := st.Responses.SetAnswers(ctx, "nope", resealed); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAnswers(missing) err = %v", err)
	}
	var all int
	_ = st.Responses.All(ctx, func(store.Response) error { all++; return nil })
	if all != 3 {
		t.Errorf("All = %d, want 3", all)
	}
}

func TestAuditRepository(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		target := "c1"
		if i%2 == 1 {
			target = "c2"
		}
		if err := st.Audit.Insert(ctx, store.AuditEntry{
			ID: store.NewID(), ActorID: "u1", ActorEmail: "a@example.com", Action: "privacy.view", Target: target, At: base.Add(time.Duration(i) * time.Hour),
		}); err != nil {
			t.Fatal(err)
		}
	}
	page, total, err := st.Audit.List(ctx, store.AuditFilter{}, store.Page{Limit: 2})
	if err != nil || total != 5 || len(page) != 2 || !page[0].At.Equal(base.Add(4*time.Hour)) || !page[1].At.Equal(base.Add(3*time.Hour)) {
		t.Fatalf("first page = %+v, %d, %v; want the two newest", page, total, err)
	}
	rest, _, err := st.Audit.List(ctx, store.AuditFilter{}, store.Page{Offset: 4, Limit: 2})
	if err != nil || len(rest) != 1 || !rest[0].At.Equal(base) {
		t.Errorf("last page = %+v, %v", rest, err)
	}
	mine, total, err := st.Audit.List(ctx, store.AuditFilter{Target: "c2"}, store.Page{})
	if err != nil || total != 2 || len(mine) != 2 || mine[0].Target != "c2" {
		t.Errorf("filtered = %+v, %d, %v", mine, total, err)
	}
}
