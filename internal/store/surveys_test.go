package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/store"
)

func TestSurveyLogos(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	l := store.Logo{ID: strings.Repeat("ab", 32), ContentType: "image/png", Data: []byte("\x89PNG\r\n\x1a\n..."), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	for range 2 { // the same logo twice is one logo
		if err := st.Surveys.PutLogo(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Surveys.Logo(ctx, l.ID)
	if err != nil || !bytes.Equal(got.Data, l.Data) || got.ContentType != l.ContentType || !got.CreatedAt.Equal(l.CreatedAt) {
		t.Fatalf("Logo = %+v, %v", got, err)
	}
	if _, err := st.Surveys.Logo(ctx, strings.Repeat("cd", 32)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing logo: %v", err)
	}
}
