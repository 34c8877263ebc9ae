package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/mongodoc"
)

// Role is what a staff user may do.
type Role string

// Staff roles.
const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleAnalyst Role = "analyst"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleManager, RoleAnalyst}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleManager, RoleAnalyst:
		return true
	}
	return false
}

// User is a staff account. Email is stored normalised (lower case).
type User struct {
	ID           string `bson:"_id"`
	Email        string `bson:"email"`
	Name         string `bson:"name"`
	Role         Role   `bson:"role"`
	PasswordHash string `bson:"passwordHash"`
	Disabled     bool   `bson:"disabled"`
	// CredGen is the credential generation: every session and API token
	// carries the value it was issued under and stops working once it
	// changes. Missing in older documents, which reads as 0.
	CredGen   int64     `bson:"credGen"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
	// OIDCIssuer and OIDCSubject link the user to their identity at the
	// single sign-on provider, once they have signed in with it.
	OIDCIssuer  string `bson:"oidcIssuer,omitempty"`
	OIDCSubject string `bson:"oidcSubject,omitempty"`
}

// Users is the users collection. Staff are few, so look-ups by email may scan.
type Users struct{ c *mongo.Collection }

func (r *Users) Collection() *mongo.Collection { return r.c }

func (r *Users) Indexes() []mongo.IndexModel {
	return []mongo.IndexModel{
		mongodoc.UniqueIndex("email_unique", "email"),
		// Not unique: users never linked have no subject, and a unique
		// index would take their missing values for one shared value.
		mongodoc.Index("oidc_subject", "oidcSubject", "oidcIssuer"),
	}
}

// Insert adds u; ErrDuplicate when the email is taken.
func (r *Users) Insert(ctx context.Context, u User) error {
	return mongodoc.Insert(ctx, r.c, u, "user", "user "+u.Email)
}

// ByID returns the user with id.
func (r *Users) ByID(ctx context.Context, id string) (User, error) {
	return mongodoc.ByID[User](ctx, r.c, "find user", id)
}

// ByEmail returns the user with the normalised email.
func (r *Users) ByEmail(ctx context.Context, email string) (User, error) {
	return mongodoc.FindOne[User](ctx, r.c, "find user", bson.D{{Key: "email", Value: email}})
}

// BySubject returns the user linked to subject at the provider issuer.
func (r *Users) BySubject(ctx context.Context, issuer, subject string) (User, error) {
	return mongodoc.FindOne[User](ctx, r.c, "find user",
		bson.D{{Key: "oidcSubject", Value: subject}, {Key: "oidcIssuer", Value: issuer}})
}

// Count returns how many users exist.
func (r *Users) Count(ctx context.Context) (int64, error) {
	n, err := r.c.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// List returns a page of users sorted by email, and the total.
func (r *Users) List(ctx context.Context, p Page) ([]User, int64, error) {
	return mongodoc.FindPage[User](ctx, r.c, "users", bson.D{}, bson.D{{Key: "email", Value: 1}}, p)
}

// UserChange is a partial update; nil fields stay as they are.
type UserChange struct {
	Name         *string
	Role         *Role
	Disabled     *bool
	PasswordHash *string
	Email        *string // normalised
	// OIDCIssuer and OIDCSubject link the user to a sign-on identity.
	OIDCIssuer, OIDCSubject *string
	// BumpCredGen ends every session and API token of the user, in the
	// same single-document write as the rest of the change.
	BumpCredGen bool
}

// Update applies change to user id and returns the result.
func (r *Users) Update(ctx context.Context, id string, change UserChange, now time.Time) (User, error) {
	set := bson.D{{Key: "updatedAt", Value: now}}
	if change.Name != nil {
		set = append(set, bson.E{Key: "name", Value: *change.Name})
	}
	if change.Role != nil {
		set = append(set, bson.E{Key: "role", Value: *change.Role})
	}
	if change.Disabled != nil {
		set = append(set, bson.E{Key: "disabled", Value: *change.Disabled})
	}
	if change.PasswordHash != nil {
		set = append(set, bson.E{Key: "passwordHash", Value: *change.PasswordHash})
	}
	if change.Email != nil {
		set = append(set, bson.E{Key: "email", Value: *change.Email})
	}
	if change.OIDCIssuer != nil {
		set = append(set, bson.E{Key: "oidcIssuer", Value: *change.OIDCIssuer})
	}
	if change.OIDCSubject != nil {
		set = append(set, bson.E{Key: "oidcSubject", Value: *change.OIDCSubject})
	}
	update := bson.D{{Key: "$set", Value: set}}
	if change.BumpCredGen {
		update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "credGen", Value: int64(1)}}})
	}
	u, err := mongodoc.UpdateAndGet[User](ctx, r.c, "update user", bson.D{{Key: "_id", Value: id}}, update)
	if mongodoc.IsDuplicate(err) {
		return User{}, fmt.Errorf("store: update user: %w", ErrDuplicate)
	}
	return u, err
}

// ActiveAdmins returns the enabled admins, sorted by email.
func (r *Users) ActiveAdmins(ctx context.Context) ([]User, error) {
	return mongodoc.FindAll[User](ctx, r.c, "admins", bson.D{{Key: "role", Value: RoleAdmin}, {Key: "disabled", Value: false}},
		options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
}

// CountActiveAdmins counts enabled admins, so the last one cannot be removed.
func (r *Users) CountActiveAdmins(ctx context.Context) (int64, error) {
	n, err := r.c.CountDocuments(ctx, bson.D{{Key: "role", Value: RoleAdmin}, {Key: "disabled", Value: false}})
	if err != nil {
		return 0, fmt.Errorf("store: count admins: %w", err)
	}
	return n, nil
}
