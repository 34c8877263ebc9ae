package mongodoc_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Synthetic driver errors: these tests are of classification, not of the
// database.
func stepDown() error {
	return mongo.CommandError{Code: 189, Name: "PrimarySteppedDown", Message: "primary stepped down"}
}

func TestTransientErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"network error", mongo.CommandError{Labels: []string{"NetworkError"}, Message: "connection reset"}, true},
		{"retryable write label", mongo.CommandError{Code: 1, Labels: []string{"RetryableWriteError"}}, true},
		{"primary stepped down", stepDown(), true},
		{"not writable primary", mongo.CommandError{Code: 10107, Name: "NotWritablePrimary"}, true},
		{"interrupted by a replica set state change", mongo.CommandError{Code: 11602}, true},
		{"shutdown in progress", mongo.CommandError{Code: 91}, true},
		{"step-down as a write concern error", mongo.WriteException{WriteConcernError: &mongo.WriteConcernError{Code: 10107, Name: "NotWritablePrimary"}}, true},
		{"wrapped", fmt.Errorf("store: claim: %w", stepDown()), true},
		{"duplicate key", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}, false},
		{"bad value", mongo.CommandError{Code: 2, Name: "BadValue"}, false},
		{"not found", mongo.ErrNoDocuments, false},
		{"cancelled", context.Canceled, false},
		{"deadline", context.DeadlineExceeded, false},
		{"deadline with a network error", fmt.Errorf("%w: %w", context.DeadlineExceeded, mongo.CommandError{Labels: []string{"NetworkError"}}), false},
		{"plain error", errors.New("boom"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := mongodoc.Transient(tc.err); got != tc.want {
				t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestRetryIdempotent(t *testing.T) {
	t.Parallel()
	bad := mongo.CommandError{Code: 2, Name: "BadValue"}
	for _, tc := range []struct {
		name      string
		errs      []error // returned by successive calls; nil after the list
		wantCalls int
		wantErr   error
	}{
		{"succeeds at once", nil, 1, nil},
		{"succeeds after a step-down", []error{stepDown()}, 2, nil},
		{"succeeds after two transient errors", []error{stepDown(), mongo.CommandError{Labels: []string{"NetworkError"}}}, 3, nil},
		{"gives up after three attempts", []error{stepDown(), stepDown(), stepDown(), stepDown()}, 3, stepDown()},
		{"does not repeat a permanent error", []error{bad}, 1, bad},
		{"stops at a permanent error after a transient one", []error{stepDown(), bad}, 2, bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := mongodoc.RetryIdempotent(context.Background(), func(context.Context) error {
				calls++
				if calls <= len(tc.errs) {
					return tc.errs[calls-1]
				}
				return nil
			})
			if calls != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tc.wantCalls)
			}
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && (err == nil || err.Error() != tc.wantErr.Error()) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestRetryIdempotentStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	start := time.Now()
	err := mongodoc.RetryIdempotent(ctx, func(context.Context) error {
		calls++
		cancel() // the caller gives up while the call fails
		return stepDown()
	})
	if calls != 1 || !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Errorf("calls = %d, err = %v after %v; want one call ending with the context", calls, err, time.Since(start))
	}
}
