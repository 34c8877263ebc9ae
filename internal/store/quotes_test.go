package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/rollups"
)

func quote(survey, question, region string, i int) store.QuoteAdd {
	return store.QuoteAdd{
		SurveyID: survey, Question: question,
		Quote:  store.Quote{Segment: store.Segment{Region: region}, Text: seal.Box{KeyID: "k1", Data: []byte(strconv.Itoa(i))}},
		Groups: []rollups.Segment{{Dim: "region", Value: region}, {Dim: "tier", Value: ""}},
		Class:  "c" + strconv.Itoa(len(region)),
	}
}

func TestQuotesCountAndKeep(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	regions := []string{"EU.west", "$where", "EU.west"}
	for i, r := range regions {
		if err := st.Quotes.Add(ctx, quote("s1", "why", r, i)); err != nil {
			t.Fatalf("Add: %v", err)
		}
	}
	if err := st.Quotes.Add(ctx, quote("s1", "other", "EU.west", 9)); err != nil {
		t.Fatal(err)
	}

	c, err := st.Quotes.Counts(ctx, "s1", "why")
	if err != nil {
		t.Fatal(err)
	}
	if c.N != 3 || c.Classes["c7"] != 2 || c.Groups["region"]["EU.west"] != 2 || c.Groups["region"]["$where"] != 1 || c.Groups["tier"][""] != 3 {
		t.Errorf("Counts = %+v", c)
	}
	kept, err := st.Quotes.Kept(ctx, "s1", "why")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, q := range kept {
		texts = append(texts, string(q.Text.Data)+"@"+q.Segment.Region)
	}
	if want := []string{"0@EU.west", "1@$where", "2@EU.west"}; !slices.Equal(texts, want) {
		t.Errorf("Kept = %v, want %v", texts, want)
	}

	none, err := st.Quotes.Counts(ctx, "s1", "nothing")
	if err != nil || none.N != 0 {
		t.Errorf("Counts of a question without quotes = %+v, %v", none, err)
	}
}

func TestQuotesKeepTheLatest(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	const n = store.QuoteBucketSize*(store.QuoteBuckets+1) + 10
	for i := range n {
		if err := st.Quotes.Add(ctx, quote("s1", "why", "EMEA", i)); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	c, err := st.Quotes.Counts(ctx, "s1", "why")
	if err != nil || c.N != n {
		t.Fatalf("Counts = %+v, %v; want %d quotes counted", c, err, n)
	}
	kept, err := st.Quotes.Kept(ctx, "s1", "why")
	if err != nil {
		t.Fatal(err)
	}
	// The last, partly filled bucket and the full ones before it.
	want := store.QuoteBucketSize*(store.QuoteBuckets-1) + 10
	if len(kept) != want {
		t.Fatalf("kept %d quotes, want %d", len(kept), want)
	}
	seen := map[int]bool{}
	for _, q := range kept {
		i, _ := strconv.Atoi(string(q.Text.Data))
		if i < n-want {
			t.Errorf("kept old quote %d", i)
		}
		seen[i] = true
	}
	if len(seen) != want {
		t.Errorf("kept %d distinct quotes, want %d", len(seen), want)
	}
	// The dropped buckets are gone from the database, not just unread.
	var left int
	err = st.Quotes.EachBucket(ctx, func(_, _ string, qs []store.Quote) ([]store.Quote, error) {
		left += len(qs)
		return nil, nil
	})
	if err != nil || left != want {
		t.Errorf("buckets hold %d quotes (%v), want %d", left, err, want)
	}
}

func TestQuotesRefuseUnsafeKeys(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	for _, a := range []store.QuoteAdd{
		quote("s|1", "why", "x", 0),
		quote("s1", "a.b", "x", 0),
		quote("s1", "$why", "x", 0),
		{SurveyID: "s1", Question: "why", Class: ""},
		{SurveyID: "s1", Question: "why", Class: "c", Groups: []rollups.Segment{{Dim: "a|b"}}},
	} {
		if err := st.Quotes.Add(ctx, a); !errors.Is(err, rollups.ErrInvalidKey) {
			t.Errorf("Add(%q, %q, class %q) = %v, want ErrInvalidRollup", a.SurveyID, a.Question, a.Class, err)
		}
	}
}

func TestQuotesEachBucketReplacesTexts(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	for i := range 3 {
		if err := st.Quotes.Add(ctx, quote("s1", "why", "EMEA", i)); err != nil {
			t.Fatal(err)
		}
	}
	err := st.Quotes.EachBucket(ctx, func(_, _ string, qs []store.Quote) ([]store.Quote, error) {
		out := slices.Clone(qs)
		for i := range out {
			out[i].Text = seal.Box{KeyID: "k2", Data: append([]byte("new"), qs[i].Text.Data...)}
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	kept, err := st.Quotes.Kept(ctx, "s1", "why")
	if err != nil || len(kept) != 3 {
		t.Fatalf("Kept = %d quotes, %v", len(kept), err)
	}
	for i, q := range kept {
		if q.Text.KeyID != "k2" || string(q.Text.Data) != "new"+strconv.Itoa(i) || q.Segment.Region != "EMEA" {
			t.Errorf("quote %d = %+v", i, q)
		}
	}
}
