package respond_test

import (
	"context"
	"errors"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// lossyResponses stores a response and then, while lose is set, reports
// an error, as when a primary steps down before its reply arrives.
type lossyResponses struct {
	*store.Responses
	lose bool
}

func (r *lossyResponses) Insert(ctx context.Context, resp store.Response) error {
	if err := r.Responses.Insert(ctx, resp); err != nil {
		return err
	}
	if r.lose {
		r.lose = false
		return errors.New("connection reset after the write")
	}
	return nil
}

// tallied wires answering over w with its own tally service and store of
// responses, and returns them with a sweeper.
func tallied(w *respondtest.World) (*respond.Service, *report.Service, *lossyResponses, *report.Sweeper) {
	st := w.Store
	tally := report.New(st.Rollups)
	responses := &lossyResponses{Responses: st.Responses}
	svc := respond.New(respond.Deps{
		Signer: w.Signer, Keys: w.Ring, Sealer: w.Sealer, Invitations: st.Invitations, Surveys: st.Surveys,
		Contacts: st.Contacts, Accounts: st.Accounts, Responses: responses, Consents: w.Privacy, Tally: tally,
	})
	return svc, tally, responses, tally.NewSweeper(st.Responses, st.Surveys, opener(w))
}

// checkCountedOnce asserts the invariant: after two sweeps (the second
// finds abandoned claims), every stored response is counted exactly once,
// in the index of weeks and in the documents of every response, and no
// intent is left.
func checkCountedOnce(t *testing.T, w *respondtest.World, sw *report.Sweeper, sv survey.Survey) {
	t.Helper()
	ctx := context.Background()
	for range 2 {
		if _, err := sw.Sweep(ctx); err != nil {
			t.Fatalf("Sweep: %v", err)
		}
	}
	stored, err := w.Store.DB().Collection("responses").CountDocuments(ctx, bson.D{{Key: "surveyId", Value: sv.ID}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := w.Store.Rollups.Generation(ctx, sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	weeks, err := w.Store.Rollups.Weeks(ctx, sv.ID, g.Current)
	if err != nil {
		t.Fatal(err)
	}
	var inIndex, inDocs int64
	var labels []string
	for label, wk := range weeks {
		inIndex += wk.N
		labels = append(labels, label)
	}
	docs, err := w.Store.Rollups.Get(ctx, sv.ID, g.Current, "all", labels...)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		inDocs += d.Values[""].N
	}
	if inIndex != stored || inDocs != stored {
		t.Errorf("%d responses stored; the rollups count %d in the index, %d in the documents", stored, inIndex, inDocs)
	}
	if left, _ := w.Store.Rollups.Intents(ctx, sv.ID); len(left) != 0 {
		t.Errorf("intents left after the sweeps: %+v", left)
	}
}

// A response stored whose reply was lost is found again by the retry,
// which stores nothing; the sweeper counts it, once.
func TestLostReplyIsCountedOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	svc, _, responses, sw := tallied(w)
	sv := w.OpenSurvey(t, nil)
	p := w.Invite(t, sv, "Lou Lost", "lou@example.com", "en")
	l := resolve(t, w, p.Token)
	sub := respond.Submission{Values: respondtest.Answers(), Locale: "en"}
	responses.lose = true
	if _, err := svc.Submit(ctx, l, sub); err == nil {
		t.Fatal("the lost reply was not reported")
	}
	again, err := svc.Submit(ctx, l, sub)
	if err != nil || !again.Again {
		t.Fatalf("retry = %+v, %v; want Again", again, err)
	}
	checkCountedOnce(t, w, sw, sv)
}

// At every step boundary of counting a submission, a competing operation
// runs: a retry of the same submission, the sweeper, a rebuild, another
// answer. Afterwards every response is counted exactly once.
func TestCountingConvergesWhateverRunsBetweenItsWrites(t *testing.T) {
	t.Parallel()
	steps := []string{report.StepIntentWritten, report.StepGenerationRead, report.StepCountersApplied, report.StepIntentsFinished}
	competitors := []string{"retry", "sweep", "rebuild", "another answer"}
	for _, step := range steps {
		for _, rival := range competitors {
			if rival == "another answer" && step != report.StepIntentWritten {
				continue // inside a flush, another answer waits for it: the batch test covers them together
			}
			t.Run(step+"/"+rival, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				ctx := context.Background()
				svc, tally, _, sw := tallied(w)
				sv := w.OpenSurvey(t, nil)
				p := w.Invite(t, sv, "Pia Paused", "pia@example.com", "en")
				other := w.Invite(t, sv, "Oli Other", "oli@example.com", "en")
				l := resolve(t, w, p.Token)
				sub := respond.Submission{Values: respondtest.Answers(), Locale: "en"}
				open := opener(w)
				ran := false
				tally.PauseAt(func(at string) {
					if at != step || ran {
						return
					}
					ran = true
					var err error
					switch rival {
					case "retry":
						_, err = svc.Submit(ctx, l, sub)
					case "sweep":
						_, err = sw.Sweep(ctx)
					case "rebuild":
						_, err = tally.Rebuild(ctx, sv.ID, report.ResponseSource(ctx, w.Store.Responses, sv, open))
					case "another answer":
						_, err = svc.Submit(ctx, resolve(t, w, other.Token), sub)
					}
					if err != nil {
						t.Errorf("%s at %s: %v", rival, at, err)
					}
				})
				if _, err := svc.Submit(ctx, l, sub); err != nil {
					t.Fatalf("Submit: %v", err)
				}
				if !ran {
					t.Fatalf("step %q never reached", step)
				}
				checkCountedOnce(t, w, sw, sv)
			})
		}
	}
}

// Answers that arrive while a rebuild builds, before its scan or after
// it, are counted in the generation it swaps in, once.
func TestAnswersDuringARebuildAreCountedOnce(t *testing.T) {
	t.Parallel()
	for _, step := range []string{report.StepBuilding, report.StepBuilt} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			ctx := context.Background()
			svc, _, _, sw := tallied(w)
			sv := w.OpenSurvey(t, nil)
			first := w.Invite(t, sv, "Fay First", "fay@example.com", "en")
			during := w.Invite(t, sv, "Dan During", "dan@example.com", "en")
			sub := respond.Submission{Values: respondtest.Answers(), Locale: "en"}
			if _, err := svc.Submit(ctx, resolve(t, w, first.Token), sub); err != nil {
				t.Fatal(err)
			}
			open := opener(w)
			rebuilder := report.New(w.Store.Rollups)
			rebuilder.PauseAt(func(at string) {
				if at == step {
					if _, err := svc.Submit(ctx, resolve(t, w, during.Token), sub); err != nil {
						t.Errorf("Submit during the rebuild: %v", err)
					}
				}
			})
			if _, err := rebuilder.Rebuild(ctx, sv.ID, report.ResponseSource(ctx, w.Store.Responses, sv, open)); err != nil {
				t.Fatal(err)
			}
			checkCountedOnce(t, w, sw, sv)
		})
	}
}

// opener opens the answers of w's responses.
func opener(w *respondtest.World) report.Opener {
	return func(r store.Response) (report.Opened, error) {
		answers, account, err := privacy.OpenResponse(w.Sealer, r)
		return report.Opened{Answers: answers, AccountID: account}, err
	}
}
