package mail

import (
	"testing"

	gomail "github.com/wneessen/go-mail"

	"github.com/candorhq/candor/internal/mail/smtptest"
)

// BenchmarkSend compares SMTPSender with a plain go-mail loop sending the
// same message to the same in-process server. raw builds b.N messages with
// go-mail and sends them with one DialAndSend; candor sends Messages in
// batches of 100, one connection per batch.
func BenchmarkSend(b *testing.B) {
	srv := smtptest.Start(b, smtptest.WithDiscard())
	m := testMessage()

	b.Run("raw", func(b *testing.B) {
		c, err := gomail.NewClient(srv.Host(), gomail.WithPort(srv.Port()), gomail.WithTLSPolicy(gomail.NoTLS))
		if err != nil {
			b.Fatal(err)
		}
		srv.Reset()
		b.ReportAllocs()
		b.ResetTimer()
		msgs := make([]*gomail.Msg, b.N)
		for i := range msgs {
			g := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
			if err := g.FromFormat(m.From.Name, m.From.Address); err != nil {
				b.Fatal(err)
			}
			if err := g.AddToFormat(m.ToName, m.To); err != nil {
				b.Fatal(err)
			}
			g.Subject(m.Subject)
			for _, h := range m.Headers {
				g.SetGenHeader(gomail.Header(h.Name), h.Value)
			}
			g.SetBodyString(gomail.TypeTextPlain, m.Text)
			g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
			msgs[i] = g
		}
		if err := c.DialAndSend(msgs...); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := srv.Accepted(); got != b.N {
			b.Fatalf("server accepted %d of %d", got, b.N)
		}
	})

	b.Run("candor", func(b *testing.B) {
		sender, err := NewSMTPSender(Settings{Host: srv.Host(), Port: srv.Port(), TLS: TLSNone})
		if err != nil {
			b.Fatal(err)
		}
		const batchSize = 100
		batch := make([]Message, batchSize)
		for i := range batch {
			batch[i] = m
		}
		srv.Reset()
		b.ReportAllocs()
		b.ResetTimer()
		for sent := 0; sent < b.N; sent += batchSize {
			for i, err := range sender.Send(b.Context(), batch[:min(batchSize, b.N-sent)]) {
				if err != nil {
					b.Fatalf("message %d: %v", sent+i, err)
				}
			}
		}
		b.StopTimer()
		if got := srv.Accepted(); got != b.N {
			b.Fatalf("server accepted %d of %d", got, b.N)
		}
	})
}
