package invite

// Outcome is what became of a message handed to the mail server.
type Outcome string

// Outcomes.
const (
	OutcomeSent     Outcome = "sent"
	OutcomeRetry    Outcome = "retry"    // refused for now; tried again after a pause
	OutcomeFailed   Outcome = "failed"   // given up on after its attempts, or unsendable
	OutcomeBounced  Outcome = "bounced"  // refused for good; the address is suppressed
	OutcomeDeferred Outcome = "deferred" // not attempted: the mail server could not be reached
)

// Outcomes lists every outcome, in the order monitoring shows them.
func Outcomes() []Outcome {
	return []Outcome{OutcomeSent, OutcomeRetry, OutcomeFailed, OutcomeBounced, OutcomeDeferred}
}

// Observer hears what became of the messages the dispatcher handled, for
// monitoring. It must be quick and safe for concurrent use.
type Observer interface {
	Delivered(o Outcome, n int)
}

// noObserver is the Observer of a dispatcher that nobody watches.
type noObserver struct{}

func (noObserver) Delivered(Outcome, int) {}
