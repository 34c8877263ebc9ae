package mail

import (
	"fmt"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

func TestUnattempted(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	sender := newSender(t, plainSettings(srv))
	three := []Message{testMessage(), testMessage(), testMessage()}

	// The connection drops in the first message's data: the first was
	// attempted, the other two never reached the server.
	srv.DropNext(1)
	errs := sender.Send(t.Context(), three)
	if got := []bool{Unattempted(errs[0]), Unattempted(errs[1]), Unattempted(errs[2])}; got[0] || !got[1] || !got[2] {
		t.Errorf("after a drop: Unattempted = %v, want [false true true] (errors %v)", got, errs)
	}

	// A refusal is a judgement on the message.
	srv.FailNext(1, 451, "")
	errs = sender.Send(t.Context(), three[:1])
	if errs[0] == nil || Unattempted(errs[0]) {
		t.Errorf("451: Unattempted(%v) = true", errs[0])
	}

	// Nobody listening: nothing was attempted.
	addr := srv.Addr()
	_ = srv.Close()
	down := newSender(t, Settings{Host: "127.0.0.1", Port: srv.Port(), TLS: TLSNone, Timeout: 2 * time.Second})
	errs = down.Send(t.Context(), three[:1])
	if !Unattempted(errs[0]) {
		t.Errorf("server %s down: Unattempted(%v) = false", addr, errs[0])
	}
	if Unattempted(nil) || Unattempted(fmt.Errorf("other")) {
		t.Error("Unattempted is true for nil or a foreign error")
	}
}
