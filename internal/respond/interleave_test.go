package respond_test

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
)

// A campaign cancelled at each boundary between a submission's writes:
// before the link is taken the respondent sees the revoked page and
// nothing is stored; after it, the answer stands whole.
func TestRevokingDuringASubmissionLeavesOneCoherentOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		step     string // where the submission is held while the campaign is cancelled
		answered bool
	}{
		{"claim", false},
		{"claimed", true},
		{"stored", true},
	} {
		t.Run(tc.step, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			ctx := context.Background()
			sv := w.OpenSurvey(t, nil)
			p := w.Invite(t, sv, "Rita Revoked", "rita@example.com", "en")
			l := resolve(t, w, p.Token)

			at, release := make(chan struct{}), make(chan struct{})
			svc := respond.WithStepHook(w.Respond, func(step string) {
				if step == tc.step {
					at <- struct{}{}
					<-release
				}
			})
			type result struct {
				res respond.Result
				err error
			}
			done := make(chan result, 1)
			go func() {
				res, err := svc.Submit(ctx, l, respond.Submission{Values: respondtest.Answers(), Locale: "en"})
				done <- result{res, err}
			}()
			<-at
			revoked, err := w.Store.Invitations.RevokeCampaign(ctx, p.Invitation.CampaignID)
			if err != nil {
				t.Fatal(err)
			}
			close(release)
			got := <-done

			inv, err := w.Store.Invitations.ByID(ctx, p.Invitation.ID)
			if err != nil {
				t.Fatal(err)
			}
			responses, err := w.Store.DB().Collection("responses").CountDocuments(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			weeks, err := w.Store.Rollups.CurrentWeeks(ctx, sv.ID)
			if err != nil {
				t.Fatal(err)
			}
			var counted int64
			for _, wk := range weeks {
				counted += wk.N
			}
			if tc.answered {
				if got.err != nil || got.res.Again {
					t.Fatalf("Submit = %+v, %v; want stored", got.res, got.err)
				}
				if revoked != 0 || inv.State != store.InvitationAnswered || responses != 1 || counted != 1 {
					t.Fatalf("revoked %d, state %s, responses %d, counted %d; want 0, answered, 1, 1", revoked, inv.State, responses, counted)
				}
				return
			}
			var notOpen *respond.NotOpenError
			if !errors.As(got.err, &notOpen) || notOpen.State != respond.StateRevoked || !errors.Is(got.err, respond.ErrNotOpen) {
				t.Fatalf("Submit err = %v; want the link revoked", got.err)
			}
			if revoked != 1 || inv.State != store.InvitationRevoked || responses != 0 || counted != 0 {
				t.Fatalf("revoked %d, state %s, responses %d, counted %d; want 1, revoked, 0, 0", revoked, inv.State, responses, counted)
			}
		})
	}
}

// A submission that took its link and then failed (a crash) leaves it
// taken; the link still opens, and submitting again finishes it.
func TestAnInterruptedSubmissionIsFinishedBySubmittingAgain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Ivo Interrupted", "ivo@example.com", "en")
	if inv, err := w.Store.Invitations.Take(ctx, p.Invitation.ID); err != nil || inv.State != store.InvitationPending {
		t.Fatalf("take = %+v, %v", inv, err)
	}
	if n, err := w.Store.Invitations.RevokeCampaign(ctx, p.Invitation.CampaignID); err != nil || n != 0 {
		t.Fatalf("revoked %d, %v; a taken link is no longer revoked", n, err)
	}
	if l := resolve(t, w, p.Token); l.State != respond.StateOpen {
		t.Fatalf("state = %s, want open", l.State)
	}
	if res := submit(t, w, p, false); res.Again {
		t.Fatalf("resubmission = %+v; want stored", res)
	}
	if inv, _ := w.Store.Invitations.ByID(ctx, p.Invitation.ID); inv.State != store.InvitationAnswered {
		t.Fatalf("state = %s, want answered", inv.State)
	}
}
