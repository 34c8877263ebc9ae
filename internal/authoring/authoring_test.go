package authoring_test

import (
	"context"
	"errors"
	"testing"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var (
	admin   = store.User{ID: "u-admin", Role: store.RoleAdmin}
	alice   = store.User{ID: "u-alice", Role: store.RoleManager}
	bob     = store.User{ID: "u-bob", Role: store.RoleManager}
	analyst = store.User{ID: "u-anna", Role: store.RoleAnalyst}
)

func definition() survey.Survey {
	t := func(en, fi string) survey.Text { return survey.Text{"en": en, "fi": fi} }
	return survey.Survey{
		Title:   t("Customer survey", "Asiakaskysely"),
		Locales: []string{"en", "fi"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Prompt: t("Recommend us?", "Suosittelisitko?"), Required: true},
			{Key: "channel", Type: survey.TypeSingle, Prompt: t("Channel?", "Kanava?"), Options: []survey.Option{
				{Key: "email", Label: t("Email", "Sähköposti")}, {Key: "phone", Label: t("Phone", "Puhelin")},
			}},
		},
		ConsentText: t("Attach my name.", "Liitä nimeni."),
	}
}

type answered map[string]bool

func (a answered) HasAnswers(_ context.Context, _, key string) (bool, error) { return a[key], nil }

func newService(t *testing.T, answers authoring.AnswerIndex) *authoring.Service {
	t.Helper()
	st := store.New(storetest.DB(t))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return authoring.New(st.Surveys, answers)
}

func TestLifecycleThroughTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newService(t, answered{"nps": true})

	if _, err := svc.Create(ctx, analyst, definition()); !errors.Is(err, authoring.ErrForbidden) {
		t.Fatalf("analyst created a survey: %v", err)
	}
	bad := definition()
	bad.Questions[0].Type = "stars"
	var ve *fault.Error
	if _, err := svc.Create(ctx, alice, bad); !errors.As(err, &ve) || ve.Fields()["questions[0].type"] == "" {
		t.Fatalf("bad definition err = %v", err)
	}

	sv, err := svc.Create(ctx, alice, definition())
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, sv.ID)
	if err != nil || got.Status != survey.StatusDraft || got.OwnerID != alice.ID || got.AnonymityThreshold != 5 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := svc.Open(ctx, bob, sv.ID); !errors.Is(err, authoring.ErrForbidden) {
		t.Fatalf("another manager opened alice's survey: %v", err)
	}
	opened, err := svc.Open(ctx, alice, sv.ID)
	if err != nil || opened.Status != survey.StatusOpen || len(opened.ConsentHistory) != 1 {
		t.Fatalf("Open = %+v, %v", opened, err)
	}

	// An answered question cannot be removed from an open survey...
	edit := opened
	edit.Questions = edit.Questions[1:]
	if _, err := svc.Update(ctx, alice, sv.ID, edit); !errors.As(err, &ve) {
		t.Fatalf("removing an answered question err = %v", err)
	}
	// ...but wording fixes and a new consent text are fine; the consent
	// becomes version 2 and version 1 stays retrievable.
	edit = opened
	edit.Questions[0].Prompt = survey.Text{"en": "Would you recommend us?", "fi": "Suosittelisitko meitä?"}
	edit.ConsentText = survey.Text{"en": "Attach my name, please.", "fi": "Liitä nimeni, kiitos."}
	updated, err := svc.Update(ctx, admin, sv.ID, edit)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := svc.Get(ctx, sv.ID)
	v1, ok := stored.ConsentAt(1)
	if updated.ConsentVersion != 2 || stored.ConsentVersion != 2 || !ok || v1.Text["en"] != "Attach my name." {
		t.Fatalf("consent versions after edit: current %d, v1 %+v", stored.ConsentVersion, v1)
	}
	// A stale revision loses.
	if _, err := svc.Update(ctx, alice, sv.ID, edit); !errors.Is(err, authoring.ErrConflict) {
		t.Fatalf("stale edit err = %v", err)
	}

	if _, err := svc.Close(ctx, alice, sv.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Close(ctx, alice, sv.ID); !errors.Is(err, survey.ErrNotOpen) {
		t.Fatalf("closing twice err = %v", err)
	}
	dup, err := svc.Duplicate(ctx, bob, sv.ID)
	if err != nil || dup.Status != survey.StatusDraft || dup.OwnerID != bob.ID || dup.ID == sv.ID || dup.Title["en"] != "Copy of Customer survey" {
		t.Fatalf("Duplicate = %+v, %v", dup, err)
	}

	mine, total, err := svc.List(ctx, bob, authoring.Filter{Mine: true}, store.Page{})
	if err != nil || total != 1 || mine[0].ID != dup.ID {
		t.Fatalf("bob's surveys = %d, %v", total, err)
	}
	if _, total, _ := svc.List(ctx, analyst, authoring.Filter{}, store.Page{}); total != 2 {
		t.Fatalf("analyst sees %d surveys, want 2", total)
	}
	if _, err := svc.Get(ctx, "missing"); !errors.Is(err, authoring.ErrNotFound) {
		t.Fatalf("missing survey err = %v", err)
	}
}
