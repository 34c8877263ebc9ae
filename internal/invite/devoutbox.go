package invite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/outbox"
)

// DevOutbox is the Sender used when no SMTP server is configured: it keeps
// each message, rendered exactly as a server would receive it, for admins
// to read at /admin/outbox. The dispatcher trims it to the newest messages.
type DevOutbox struct {
	mails DevMailStore
	now   func() time.Time
}

// NewDevOutbox returns a DevOutbox keeping messages in mails.
func NewDevOutbox(mails DevMailStore) *DevOutbox {
	return &DevOutbox{mails: mails, now: time.Now}
}

// Send implements Sender. A message that does not render fails alone; if
// storing fails, every rendered message gets that error and is retried.
func (o *DevOutbox) Send(ctx context.Context, msgs []mail.Message) []error {
	errs := make([]error, len(msgs))
	docs := make([]outbox.DevMail, 0, len(msgs))
	kept := make([]int, 0, len(msgs))
	now := o.now().UTC().Truncate(time.Millisecond)
	for i, m := range msgs {
		raw, err := mail.Render(m)
		if err != nil {
			errs[i] = err
			continue
		}
		docs = append(docs, outbox.DevMail{
			ID: store.NewID(), To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
			Headers: headerFields(raw), Raw: string(raw), CreatedAt: now,
		})
		kept = append(kept, i)
	}
	if err := o.mails.Insert(ctx, docs); err != nil {
		for _, i := range kept {
			errs[i] = fmt.Errorf("invite: dev outbox: %w", err)
		}
	}
	return errs
}

// headerFields lists a rendered message's header fields in order, folded
// lines joined.
func headerFields(raw []byte) []outbox.MailHeader {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	var out []outbox.MailHeader
	for line := range strings.SplitSeq(string(head), "\r\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			out[len(out)-1].Value += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		out = append(out, outbox.MailHeader{Name: name, Value: strings.TrimSpace(value)})
	}
	return out
}

// OutboxMessages returns a page of the dev outbox, newest first; admins only.
func (s *Service) OutboxMessages(ctx context.Context, actor store.User, p store.Page) ([]outbox.DevMail, int64, error) {
	if !policy.CanAdminister(policy.Of(actor)) {
		return nil, 0, ErrForbidden
	}
	items, total, err := s.stores.DevMails.List(ctx, p)
	if err != nil {
		return nil, 0, fmt.Errorf("invite: %w", err)
	}
	return items, total, nil
}

// OutboxMessage returns one message of the dev outbox; admins only.
func (s *Service) OutboxMessage(ctx context.Context, actor store.User, id string) (outbox.DevMail, error) {
	if !policy.CanAdminister(policy.Of(actor)) {
		return outbox.DevMail{}, ErrForbidden
	}
	m, err := s.stores.DevMails.ByID(ctx, id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return outbox.DevMail{}, ErrNotFound
		}
		return outbox.DevMail{}, fmt.Errorf("invite: %w", err)
	}
	return m, nil
}
