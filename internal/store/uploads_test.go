package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/store"
)

func TestUploadChunks(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for n, data := range [][]byte{[]byte("first"), []byte("second")} {
		if err := st.Uploads.PutChunk(ctx, "up1", n, data, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Uploads.PutChunk(ctx, "old", 0, []byte("x"), now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := st.Uploads.PutChunk(ctx, "up1", 2, make([]byte, store.MaxUploadChunk+1), now); err == nil {
		t.Error("a chunk over the limit was stored")
	}
	if got, err := st.Uploads.Chunk(ctx, "up1", 1); err != nil || string(got) != "second" {
		t.Errorf("chunk 1 = %q, %v", got, err)
	}
	if _, err := st.Uploads.Chunk(ctx, "up1", 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing chunk: %v", err)
	}
	if n, err := st.Uploads.DeleteExpired(ctx, now); err != nil || n != 1 {
		t.Errorf("DeleteExpired = %d, %v", n, err)
	}
	if err := st.Uploads.Delete(ctx, "up1", 2); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.DB().Collection("uploads").CountDocuments(ctx, bson.D{}); n != 0 {
		t.Errorf("%d chunks left", n)
	}
}
