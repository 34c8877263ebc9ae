package outbox

// LoseReplies makes the outbox report f's error after each multi-document
// write that succeeded, as if the reply had been lost.
func (r *Repo) LoseReplies(f func(op string) error) { r.lostReply = f }
