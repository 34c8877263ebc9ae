package problem

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/followup"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	emptyAudience := &invite.EmptyAudienceError{Contacts: 2, Skipped: []invite.Skipped{{Reason: store.SkipBounced}, {Reason: store.SkipBounced}}}
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantMsg     string
		wantFields  map[string]string
		wantHeading string
		wantDetail  string
	}{
		{name: "validation", err: fault.Fields(fault.Invalid, "auth", map[string]string{"email": "is required"}),
			wantStatus: 400, wantMsg: "invalid input", wantFields: map[string]string{"email": "is required"}},
		{name: "wrapped validation", err: fmt.Errorf("x: %w", fault.Fields(fault.Invalid, "survey", map[string]string{"title": "is required"})),
			wantStatus: 400, wantMsg: "invalid input", wantFields: map[string]string{"title": "is required"}},
		{name: "conflicting values", err: fault.Fields(fault.Conflict, "customer", map[string]string{"name": "is taken"}),
			wantStatus: 409, wantMsg: "conflict with an existing record", wantFields: map[string]string{"name": "is taken"}},
		{name: "credentials", err: auth.ErrInvalidCredentials, wantStatus: 401, wantMsg: "invalid email or password"},
		{name: "token", err: auth.ErrInvalidToken, wantStatus: 401, wantMsg: "invalid or expired token"},
		{name: "rate limited", err: auth.ErrRateLimited, wantStatus: 429, wantMsg: "too many sign-in attempts, try again later"},
		{name: "last admin", err: auth.ErrLastAdmin, wantStatus: 409, wantMsg: "the last active admin cannot be disabled or demoted"},
		{name: "self", err: auth.ErrSelf, wantStatus: 409, wantMsg: "you cannot disable or demote yourself"},
		{name: "reset link", err: auth.ErrInvalidResetLink, wantStatus: 400, wantMsg: "the reset link is invalid, expired or already used"},
		{name: "no mail", err: auth.ErrNoMail, wantStatus: 503, wantMsg: "password reset by email is not available",
			wantDetail: "Password reset by email is not available on this installation."},
		{name: "auth not found", err: auth.ErrNotFound, wantStatus: 404, wantMsg: "not found"},
		{name: "store not found", err: fmt.Errorf("store: find user: %w", store.ErrNotFound), wantStatus: 404, wantMsg: "not found"},
		{name: "survey forbidden", err: authoring.ErrForbidden, wantStatus: 403, wantMsg: "only the survey's owner or an admin may change it",
			wantDetail: "Only the manager who created this survey, or an admin, may change it. You can duplicate it to make your own copy."},
		{name: "survey conflict", err: fmt.Errorf("web: %w", authoring.ErrConflict), wantStatus: 409,
			wantMsg: "the survey was changed by someone else; reload it and try again", wantHeading: "Someone else changed this survey",
			wantDetail: "The survey was changed by someone else; reload it and try again."},
		{name: "not a draft", err: survey.ErrNotDraft, wantStatus: 409, wantMsg: "only a draft survey can be opened",
			wantHeading: "Only a draft can be opened", wantDetail: "Only a draft survey can be opened."},
		{name: "closed", err: survey.ErrClosed, wantStatus: 409, wantMsg: "a closed survey cannot be changed",
			wantHeading: "This survey is closed", wantDetail: "A closed survey cannot be changed."},
		{name: "customer forbidden", err: customer.ErrForbidden, wantStatus: 403, wantMsg: "your role has no access to customer data"},
		{name: "customer conflict with its reason", err: fmt.Errorf("web: %w", customer.ErrConflict.Becausef("the account still has %d contacts", 2)),
			wantStatus: 409, wantMsg: "the account still has 2 contacts", wantDetail: "The account still has 2 contacts."},
		{name: "customer conflict alone", err: customer.ErrConflict, wantStatus: 409, wantMsg: "conflict", wantDetail: "Conflict."},
		{name: "imports busy", err: customer.ErrBusy.Becausef("other imports are being read; try again in a minute"), wantStatus: 429,
			wantMsg: "other imports are being read; try again in a minute", wantHeading: "Imports are busy",
			wantDetail: "Other imports are being read; try again in a minute."},
		{name: "upload expired", err: customer.ErrExpired, wantStatus: 410, wantMsg: "the upload has expired; upload the file again",
			wantHeading: "This upload has expired", wantDetail: "An uploaded file waits an hour to be imported. Please upload it again."},
		{name: "campaign forbidden", err: invite.ErrForbidden, wantStatus: 403, wantMsg: "forbidden"},
		{name: "campaign not found", err: invite.ErrNotFound, wantStatus: 404, wantMsg: "not found"},
		{name: "survey not open", err: invite.ErrSurveyNotOpen, wantStatus: 409, wantMsg: "the survey is not open: open it before sending a campaign",
			wantHeading: "The survey is not open", wantDetail: "Campaigns can be sent only for an open survey. Open the survey first."},
		{name: "nobody to invite", err: emptyAudience, wantStatus: 422,
			wantMsg:     "nobody in the audience can be invited: all 2 contacts were skipped (2 email bounced)",
			wantHeading: "Nobody to invite", wantDetail: "Nobody in the audience can be invited: all 2 contacts were skipped (2 email bounced)."},
		{name: "follow-up forbidden", err: followup.ErrForbidden, wantStatus: 403, wantMsg: "forbidden"},
		{name: "follow-up not found", err: errors.Join(followup.ErrNotFound, errors.New("forget: boom")), wantStatus: 404, wantMsg: "not found",
			wantHeading: "No such follow-up", wantDetail: "This response is not among your follow-ups. The person may have withdrawn their consent to be named."},
		{name: "no such person", err: privacy.ErrNotFound, wantStatus: 404, wantMsg: "not found",
			wantHeading: "No such person", wantDetail: "There is no contact with this id. Search by their email address instead."},
		{name: "erased", err: privacy.ErrErased, wantStatus: 409, wantMsg: "this person's data was erased",
			wantHeading: "Already erased", wantDetail: "This person's data was erased; there is nothing left to change."},
		{name: "no such question", err: fmt.Errorf("%w: %q", quotes.ErrNotFound, "q9"), wantStatus: 400, wantMsg: "invalid input",
			wantFields: map[string]string{"question": "is not a question of this survey"}},
		{name: "deadline", err: fmt.Errorf("auth: %w", context.DeadlineExceeded), wantStatus: 503, wantMsg: UnavailableMessage, wantDetail: UnavailableMessage},
		{name: "client disconnected", err: fmt.Errorf("store: %w", mongo.ErrClientDisconnected), wantStatus: 503, wantMsg: UnavailableMessage, wantDetail: UnavailableMessage},
		{name: "consent chain busy", err: fmt.Errorf("respond: %w", privacy.ErrChainBusy), wantStatus: 503, wantMsg: UnavailableMessage, wantDetail: UnavailableMessage},
		{name: "a handler's problem", err: BadRequest("invalid input", map[string]string{"status": "must be active or disabled"}),
			wantStatus: 400, wantMsg: "invalid input", wantFields: map[string]string{"status": "must be active or disabled"}},
		{name: "fiber 404", err: fiber.ErrNotFound, wantStatus: 404, wantMsg: "not found"},
		{name: "fiber 405", err: fiber.ErrMethodNotAllowed, wantStatus: 405, wantMsg: "method not allowed"},
		{name: "fiber 500", err: fiber.ErrInternalServerError, wantStatus: 500, wantMsg: "something went wrong"},
		{name: "anything else", err: errors.New("boom"), wantStatus: 500, wantMsg: "something went wrong"},
		{name: "internal fault", err: fault.New(fault.Internal, "x", "a secret"), wantStatus: 500, wantMsg: "something went wrong"},
	}
	for _, tt := range tests {
		got := Classify(tt.err)
		if got.Status != tt.wantStatus || got.Msg != tt.wantMsg {
			t.Errorf("%s: %d %q, want %d %q", tt.name, got.Status, got.Msg, tt.wantStatus, tt.wantMsg)
		}
		if !maps.Equal(got.Fields, tt.wantFields) {
			t.Errorf("%s: fields %v, want %v", tt.name, got.Fields, tt.wantFields)
		}
		if got.Heading != tt.wantHeading || got.Detail != tt.wantDetail {
			t.Errorf("%s: page %q / %q, want %q / %q", tt.name, got.Heading, got.Detail, tt.wantHeading, tt.wantDetail)
		}
	}
}

// TestKindStatus: every kind of fault answers with its own status, and an
// error of no kind with a 500.
func TestKindStatus(t *testing.T) {
	t.Parallel()
	want := map[fault.Kind]int{
		fault.Internal:        500,
		fault.Invalid:         400,
		fault.Unauthenticated: 401,
		fault.Forbidden:       403,
		fault.NotFound:        404,
		fault.Conflict:        409,
		fault.Gone:            410,
		fault.Unprocessable:   422,
		fault.TooMany:         429,
		fault.Unavailable:     503,
	}
	for k := fault.Internal; k <= fault.Unavailable; k++ {
		status, ok := want[k]
		if !ok {
			t.Errorf("kind %v has no status in this test", k)
			continue
		}
		err := fmt.Errorf("wrapped: %w", fault.New(k, "x", "what happened"))
		if got := Classify(err); got.Status != status {
			t.Errorf("%v: status %d, want %d", k, got.Status, status)
		}
		if got := Classify(fault.New(k, "x", "for logs only").ShownAs("")); got.Status != status || got.Msg == "" {
			t.Errorf("%v without words of its own: %d %q, want %d and the status's words", k, got.Status, got.Msg, status)
		}
	}
}

// TestDatabaseDown runs the real driver against a port nothing listens on:
// every page and API call that needs the database answers 503, never 500.
