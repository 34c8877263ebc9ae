package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// MaxUploadChunk bounds one chunk of an upload: far below MongoDB's 16 MB
// document limit, and small enough that one write never holds the
// embedded database's write lock for long.
const MaxUploadChunk = 1 << 20

// uploadChunk is a piece of an uploaded file. GridFS would do this on
// MongoDB, but FerretDB lacks it; chunks found by _id work on both.
type uploadChunk struct {
	ID        string    `bson:"_id"` // upload id + "." + chunk number
	Data      []byte    `bson:"data"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

// Uploads keeps uploaded files, in chunks, until they are used or expire.
// It stores bytes as given; callers seal what is personal.
type Uploads struct{ c *mongo.Collection }

func (r *Uploads) Collection() *mongo.Collection { return r.c }

func (r *Uploads) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.Index("expires", "expiresAt"),
	}
}

func chunkID(uploadID string, n int) string { return fmt.Sprintf("%s.%06d", uploadID, n) }

// PutChunk stores chunk n of an upload.
func (r *Uploads) PutChunk(ctx context.Context, uploadID string, n int, data []byte, expiresAt time.Time) error {
	if len(data) > MaxUploadChunk {
		return fmt.Errorf("store: upload chunk of %d bytes exceeds %d", len(data), MaxUploadChunk)
	}
	if _, err := r.c.InsertOne(ctx, uploadChunk{ID: chunkID(uploadID, n), Data: data, ExpiresAt: expiresAt}); err != nil {
		return fmt.Errorf("store: put upload chunk: %w", err)
	}
	return nil
}

// Chunk returns chunk n of an upload.
func (r *Uploads) Chunk(ctx context.Context, uploadID string, n int) ([]byte, error) {
	ch, err := mongodoc.ByID[uploadChunk](ctx, r.c, "upload chunk", chunkID(uploadID, n))
	return ch.Data, err
}

// Delete removes the first chunks chunks of an upload, one _id at a time,
// which every server serves from an index.
func (r *Uploads) Delete(ctx context.Context, uploadID string, chunks int) error {
	var errs []error
	for n := range chunks {
		if _, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: chunkID(uploadID, n)}}); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: delete upload: %w", err)
	}
	return nil
}

// DeleteExpired removes the chunks that expired before now.
func (r *Uploads) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	return mongodoc.DeleteBefore(ctx, r.c, "sweep uploads", "expiresAt", now)
}
