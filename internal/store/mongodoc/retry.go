package mongodoc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// updateMany and deleteMany are not retryable writes on MongoDB: when the
// primary steps down or the connection drops mid-call, the driver returns
// the error, and a claim or release may have been applied to none, some
// or all of its documents. RetryIdempotent repeats such a call a few times
// on errors that mean "the server did not answer, try elsewhere"; callers
// pass only calls whose filter makes a repeat change nothing already done
// (a lease token, a state the update moves documents out of).
const (
	writeAttempts = 3
	writeBackoff  = 100 * time.Millisecond // doubled after each attempt
)

// Transient reports whether err means the write may not have reached a
// primary and a repeat may succeed. A context that ended is never
// transient: the caller has given up.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if mongo.IsNetworkError(err) {
		return true
	}
	var le mongo.LabeledError
	if errors.As(err, &le) && le.HasErrorLabel("RetryableWriteError") {
		return true
	}
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return false
	}
	// The codes of a primary going away or a connection failing, as the
	// retryable-writes specification lists them; older servers send them
	// without the label.
	for _, code := range []int{
		6,     // HostUnreachable
		7,     // HostNotFound
		89,    // NetworkTimeout
		91,    // ShutdownInProgress
		189,   // PrimarySteppedDown
		262,   // ExceededTimeLimit
		9001,  // SocketException
		10107, // NotWritablePrimary
		11600, // InterruptedAtShutdown
		11602, // InterruptedDueToReplStateChange
		13435, // NotPrimaryNoSecondaryOk
		13436, // NotPrimaryOrSecondary
	} {
		if se.HasErrorCode(code) {
			return true
		}
	}
	return false
}

// RetryIdempotent runs fn, and again after a short, growing pause while it
// fails with a transient error, at most writeAttempts times in all. It
// returns fn's last error, or the context's if it ends while waiting.
func RetryIdempotent(ctx context.Context, fn func(context.Context) error) error {
	wait := writeBackoff
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		if !Transient(err) || attempt == writeAttempts {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after %d attempts, the last: %w)", ctx.Err(), attempt, err)
		}
		wait *= 2
	}
}
