package mail

import (
	"errors"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"
)

// stage names the step of an SMTP exchange a per-message error came from.
type stage string

const (
	stageConnect stage = "connect"
	stageMail    stage = "MAIL FROM"
	stageRcpt    stage = "RCPT TO"
	stageData    stage = "DATA"
	stageSkipped stage = "not attempted"
)

// sendError is why the server did not accept one message.
type sendError struct {
	stage stage
	err   error
}

func (e *sendError) Error() string { return "mail: " + string(e.stage) + ": " + e.err.Error() }

func (e *sendError) Unwrap() error { return e.err }

// IsPermanent reports whether err means the message will never be accepted,
// so the recipient should be marked bounced rather than retried: an SMTP 5xx
// reply to RCPT TO or to the message data, or an invalid message. Everything
// else is worth retrying, including 4xx replies, timeouts, refused, reset or
// dropped connections, cancelled contexts, and 5xx replies that are not about
// the message: to MAIL FROM (the sender or relay configuration is wrong, not
// the recipient) or while connecting (such as failed AUTH).
//
// It understands this package's errors, go-mail's *SendError and bare
// *textproto.Error replies, also when wrapped.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	if se, ok := errors.AsType[*sendError](err); ok {
		return (se.stage == stageRcpt || se.stage == stageData) && is5xx(replyCode(se.err))
	}
	if ge, ok := errors.AsType[*gomail.SendError](err); ok {
		// IsTemp is no help here: go-mail reports a dropped connection as
		// not temporary. Only the reply code and the step tell.
		switch ge.Reason {
		case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
			return is5xx(ge.ErrorCode())
		}
		return false
	}
	return is5xx(replyCode(err))
}

// replyCode returns the SMTP reply code in err, or 0 if err is not a reply.
func replyCode(err error) int {
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		return te.Code
	}
	return 0
}

func is5xx(code int) bool { return code >= 500 && code <= 599 }
