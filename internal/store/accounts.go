package store

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Account is a customer company. Company data is not personal data, so it
// is stored in plain text; the segment fields feed anonymised reports.
type Account struct {
	ID         string    `bson:"_id"`
	Name       string    `bson:"name"`
	NameKey    string    `bson:"nameKey"` // case-folded name: unique, and how imports find an account
	Country    string    `bson:"country"` // ISO 3166-1 alpha-2
	Region     string    `bson:"region"`
	Industry   string    `bson:"industry"`
	Tier       string    `bson:"tier"`
	ManagerIDs []string  `bson:"managerIds"`
	CreatedAt  time.Time `bson:"createdAt"`
	UpdatedAt  time.Time `bson:"updatedAt"`
}

// AccountFilter narrows a list of accounts.
type AccountFilter struct {
	ManagerID string // only accounts this manager is responsible for; empty: all
	Search    string // case-insensitive substring of the name
}

// Accounts is the accounts collection.
type Accounts struct{ c *mongo.Collection }

func (r *Accounts) Collection() *mongo.Collection { return r.c }

func (r *Accounts) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.UniqueIndex("nameKey_unique", "nameKey"),
		mongodoc.Index("managerIds", "managerIds"),
	}
}

// Insert adds a; ErrDuplicate when the name is taken.
func (r *Accounts) Insert(ctx context.Context, a Account) error {
	return mongodoc.Insert(ctx, r.c, a, "account", fmt.Sprintf("account %q", a.Name))
}

// ByID returns one account.
func (r *Accounts) ByID(ctx context.Context, id string) (Account, error) {
	return mongodoc.ByID[Account](ctx, r.c, "find account", id)
}

func (f AccountFilter) bson() bson.D {
	filter := bson.D{}
	if f.ManagerID != "" {
		filter = append(filter, bson.E{Key: "managerIds", Value: f.ManagerID})
	}
	if f.Search != "" {
		filter = append(filter, bson.E{Key: "nameKey", Value: bson.Regex{Pattern: regexp.QuoteMeta(FoldName(f.Search))}})
	}
	return filter
}

// List returns a page of accounts sorted by name, and the total matching.
func (r *Accounts) List(ctx context.Context, f AccountFilter, p Page) ([]Account, int64, error) {
	return mongodoc.FindPage[Account](ctx, r.c, "accounts", f.bson(), bson.D{{Key: "nameKey", Value: 1}}, p)
}

// All returns every account matching f, for imports and segment look-ups;
// accounts are companies, so there are thousands at most.
func (r *Accounts) All(ctx context.Context, f AccountFilter) ([]Account, error) {
	return mongodoc.FindAll[Account](ctx, r.c, "all accounts", f.bson(), options.Find().SetSort(bson.D{{Key: "nameKey", Value: 1}}))
}

// Replace stores a changed account; ErrDuplicate when the new name is taken.
func (r *Accounts) Replace(ctx context.Context, a Account) error {
	res, err := r.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: a.ID}}, a)
	if err != nil {
		if mongodoc.IsDuplicate(err) {
			return fmt.Errorf("store: account %q: %w", a.Name, ErrDuplicate)
		}
		return fmt.Errorf("store: update account: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("store: update account: %w", ErrNotFound)
	}
	return nil
}

// Delete removes an account.
func (r *Accounts) Delete(ctx context.Context, id string) error {
	res, err := r.c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("store: delete account: %w", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("store: delete account: %w", ErrNotFound)
	}
	return nil
}
