package mail

import "errors"

// Unattempted reports whether err means the server never judged the
// message: the connection (or its TLS or AUTH) failed, or it broke before
// the message's turn. Such a failure says nothing about the message, so an
// outbox retries it without counting an attempt against it.
func Unattempted(err error) bool {
	se, ok := errors.AsType[*sendError](err)
	return ok && (se.stage == stageConnect || se.stage == stageSkipped)
}
