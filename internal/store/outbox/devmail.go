package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// MailHeader is one header field of a stored message, in message order.
type MailHeader struct {
	Name  string `bson:"name" json:"name"`
	Value string `bson:"value" json:"value"`
}

// DevMail is a message the dev outbox kept instead of sending it, because
// no SMTP server is configured. It holds the recipient's address in plain
// text, which is acceptable only because the dev outbox is for development.
type DevMail struct {
	ID        string       `bson:"_id"`
	To        string       `bson:"to"`
	Subject   string       `bson:"subject"`
	Text      string       `bson:"text"`
	HTML      string       `bson:"html"`
	Headers   []MailHeader `bson:"headers"`
	Raw       string       `bson:"raw"` // the RFC 5322 message as an SMTP server would have received it
	CreatedAt time.Time    `bson:"createdAt"`
}

// DevMails is the dev_outbox collection.
type DevMails struct{ c *mongo.Collection }

// NewDevMails returns the dev outbox repository of db.
func NewDevMails(db *mongo.Database) *DevMails { return &DevMails{c: db.Collection("dev_outbox")} }

// Collection is the dev outbox collection.
func (r *DevMails) Collection() *mongo.Collection { return r.c }

// Indexes are the indexes Migrate creates on the dev outbox.

func (r *DevMails) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{mongodoc.Index("created", "-createdAt")}
}

// Insert keeps messages.
func (r *DevMails) Insert(ctx context.Context, msgs []DevMail) error {
	if len(msgs) == 0 {
		return nil
	}
	docs := make([]any, len(msgs))
	for i := range msgs {
		docs[i] = msgs[i]
	}
	if _, err := r.c.InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("store: insert dev mail: %w", err)
	}
	return nil
}

// List returns a page of messages, newest first, and how many there are.
func (r *DevMails) List(ctx context.Context, p mongodoc.Page) ([]DevMail, int64, error) {
	return mongodoc.FindPage[DevMail](ctx, r.c, "dev mail", bson.D{}, newestFirst(), p)
}

// newestFirst is the order messages are listed, and trimmed, in.
func newestFirst() bson.D { return bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: 1}} }

// ByID returns one message.
func (r *DevMails) ByID(ctx context.Context, id string) (DevMail, error) {
	return mongodoc.ByID[DevMail](ctx, r.c, "find dev mail", id)
}

// Trim keeps the newest keep messages and reports how many it removed.
func (r *DevMails) Trim(ctx context.Context, keep int64) (int64, error) {
	type stamp struct {
		ID        string    `bson:"_id"`
		CreatedAt time.Time `bson:"createdAt"`
	}
	cut, err := mongodoc.FindOne[stamp](ctx, r.c, "trim dev mail", bson.D{}, options.FindOne().
		SetSort(newestFirst()).SetSkip(keep).SetProjection(bson.D{{Key: "createdAt", Value: 1}}))
	if errors.Is(err, mongodoc.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	// Everything from the cut on, in the listing's order: older, or as old
	// and later by id (messages sent together share their time).
	res, err := r.c.DeleteMany(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: cut.CreatedAt}}}},
		bson.D{{Key: "createdAt", Value: cut.CreatedAt}, {Key: "_id", Value: bson.D{{Key: "$gte", Value: cut.ID}}}},
	}}})
	if err != nil {
		return 0, fmt.Errorf("store: trim dev mail: %w", err)
	}
	return res.DeletedCount, nil
}

// DeleteMentioning deletes every message whose recipient, subject, headers,
// text, HTML or raw source contains one of needles, compared case-folded
// (empty needles are ignored), and reports how many it deleted. Erasure
// uses it with the person's name and addresses: the dev outbox keeps
// rendered mail in plain text, including alerts to staff that name them.
// It reads every message; the dev outbox is trimmed to a development-sized
// number of them.
func (r *DevMails) DeleteMentioning(ctx context.Context, needles []string) (int64, error) {
	var folded []string
	for _, n := range needles {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			folded = append(folded, n)
		}
	}
	if len(folded) == 0 {
		return 0, nil
	}
	var ids []string
	err := mongodoc.Each(ctx, r.c, "dev mail", bson.D{}, func(m DevMail) error {
		if m.mentions(folded) {
			ids = append(ids, m.ID)
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	res, err := r.c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return 0, fmt.Errorf("store: delete dev mail: %w", err)
	}
	return res.DeletedCount, nil
}

// mentions reports whether any part of m contains one of the folded needles.
func (m DevMail) mentions(folded []string) bool {
	parts := []string{m.To, m.Subject, m.Text, m.HTML, m.Raw}
	for _, h := range m.Headers {
		parts = append(parts, h.Value)
	}
	for _, p := range parts {
		p = strings.ToLower(p)
		for _, n := range folded {
			if strings.Contains(p, n) {
				return true
			}
		}
	}
	return false
}

// DeleteBefore deletes the messages kept before t and reports how many.
func (r *DevMails) DeleteBefore(ctx context.Context, t time.Time) (int64, error) {
	return mongodoc.DeleteBefore(ctx, r.c, "dev mail", "createdAt", t)
}

// CountBefore counts the messages kept before t.
func (r *DevMails) CountBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := r.c.CountDocuments(ctx, bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return 0, fmt.Errorf("store: count dev mail: %w", err)
	}
	return n, nil
}
