// Package mongodoc holds the low-level pieces every repository of the
// store layer shares: the sentinel errors, error classification, paging,
// index declarations, retries of idempotent writes and generic look-ups
// that decode documents.
//
// It imports nothing of Candor's but internal/fault, so that store and its
// sub-packages can all depend on it.
package mongodoc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/candorhq/candor/internal/fault"
)

// Sentinel errors, shared by every repository so that callers branch on
// one value whichever package returned it.
var (
	ErrNotFound  = fault.New(fault.NotFound, "store", "not found")
	ErrDuplicate = fault.New(fault.Conflict, "store", "already exists")
	// ErrConflict means a compare-and-swap lost: the record changed since
	// it was read.
	ErrConflict = fault.New(fault.Conflict, "store", "changed by someone else")
)

// NotFound turns the driver's mongo.ErrNoDocuments into ErrNotFound and
// returns every other error as it is.
func NotFound(err error) error {
	if errors.Is(err, mongo.ErrNoDocuments) {
		return ErrNotFound
	}
	return err
}

// IsDuplicate recognises a unique-index violation, whether an insert or an
// update caused it. MongoDB reports both as code 11000; FerretDB reports
// one caused by an update as an InternalError carrying SQLite's
// "UNIQUE constraint failed", which mongo.IsDuplicateKeyError misses.
func IsDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) && se.HasErrorCode(11000) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "E11000") || strings.Contains(strings.ToLower(msg), "duplicate key") ||
		strings.Contains(msg, "UNIQUE constraint failed")
}

// DuplicateIndexes returns which documents of an unordered InsertMany were
// refused as duplicates; any other error is returned.
func DuplicateIndexes(_ *mongo.InsertManyResult, err error) (map[int]bool, error) {
	if err == nil {
		return nil, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return nil, err
	}
	dups := make(map[int]bool, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return nil, err
		}
		dups[we.Index] = true
	}
	return dups, nil
}

// IsUnavailable reports whether err means the database could not be
// reached in time, as opposed to a bug or bad input; callers answer 503.
func IsUnavailable(err error) bool {
	return mongo.IsNetworkError(err) ||
		mongo.IsTimeout(err) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, new(topology.ServerSelectionError)) ||
		errors.Is(err, topology.ErrTopologyClosed) ||
		errors.Is(err, mongo.ErrClientDisconnected)
}

// NewID returns a random 128-bit hex id. Random ids, unlike ObjectIDs, carry
// no creation time that could be joined to other records.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Page selects a slice of a sorted list.
type Page struct {
	Offset int64
	Limit  int64
}

// Normalize clamps a page to sensible bounds.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = 50
	}
	if p.Limit > 500 {
		p.Limit = 500
	}
	if p.Offset < 0 {
		p.Offset = 0
	}
	return p
}

// Indexed is implemented by every repository that needs indexes: the
// store's Migrate creates them and its IndexTable lists them.
type Indexed interface {
	Collection() *mongo.Collection
	Indexes() []mongo.IndexModel
}

// Related is a collection a repository keeps besides its own, with the
// indexes Migrate creates on it; repositories list theirs in Related().
type Related struct {
	C      *mongo.Collection
	Models []mongo.IndexModel
}

// Collection is the related collection.
func (r Related) Collection() *mongo.Collection { return r.C }

// Indexes are its indexes.
func (r Related) Indexes() []mongo.IndexModel { return r.Models }
