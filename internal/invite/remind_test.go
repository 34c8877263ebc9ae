package invite_test

import (
	"context"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
)

const day = 24 * time.Hour

// reminderSubjects counts accepted reminders by recipient.
func (e *env) reminderSubjects() map[string]int {
	out := map[string]int{}
	for _, m := range e.smtp.Messages() {
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if strings.HasPrefix(subject, "Reminder: ") {
			out[m.To[0]]++
		}
	}
	return out
}

func TestRemindersGoOnlyToPendingInvitations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(a, "pat", 4, "en")
	created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}, Reminders: &store.ReminderPlan{Count: 1, AfterDays: 7}})
	d := e.dispatcher(smtpSender(t, e.smtp))
	e.settle(d, created.Campaign.ID)

	// One contact answers; another's invitation bounced, so has nothing to be reminded of.
	answered, err := e.st.Invitations.ByContact(ctx, cs[1].ID)
	if err != nil || len(answered) != 1 {
		t.Fatal(answered, err)
	}
	if ok, _ := e.st.Invitations.Transition(ctx, answered[0].ID, store.InvitationPending, store.InvitationAnswered); !ok {
		t.Fatal("answer failed")
	}

	e.clock.Advance(6 * day)
	step(t, d)
	if got := e.reminderSubjects(); len(got) != 0 {
		t.Fatalf("reminders after 6 days: %v", got)
	}

	e.clock.Advance(2 * day)
	step(t, d)
	step(t, d)
	got := e.reminderSubjects()
	if len(got) != 3 || got[cs[1].Email] != 0 {
		t.Fatalf("reminded %v; want everyone but the one who answered, once", got)
	}
	for addr, n := range got {
		if n != 1 {
			t.Errorf("%s reminded %d times", addr, n)
		}
	}
	pending, _ := e.st.Invitations.ByContact(ctx, cs[0].ID)
	if pending[0].RemindersSent != 1 {
		t.Errorf("remindersSent = %d", pending[0].RemindersSent)
	}

	// The plan allows one reminder: a week later, nothing more.
	e.clock.Advance(8 * day)
	step(t, d)
	step(t, d)
	if again := e.reminderSubjects(); len(again) != 3 {
		t.Errorf("a second round went out: %v", again)
	}
	r, err := e.svc.Report(ctx, e.alice, created.Campaign.ID)
	if err != nil || r.Counts.Reminded != 3 || r.Counts.Answered != 1 {
		t.Errorf("report counts %+v, %v", r.Counts, err)
	}
}

func TestNoRemindersPastExpiryOrClosing(t *testing.T) {
	tests := []struct {
		name     string
		validity int // days the links are valid
		close    bool
	}{
		{"links expired", 5, false},
		{"link expires within a day of the reminder", 8, false},
		{"survey closed", 30, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.survey = e.openSurvey(tt.validity)
			a := e.account(e.alice, "Acme", store.Segment{})
			e.contacts(a, "pat", 3, "en")
			created := e.create(e.alice, invite.Request{AccountIDs: []string{a.ID}, Reminders: &store.ReminderPlan{Count: 2, AfterDays: 7}})
			d := e.dispatcher(smtpSender(t, e.smtp))
			e.settle(d, created.Campaign.ID)
			if tt.close {
				sv, _ := e.st.Surveys.ByID(context.Background(), e.survey.ID)
				e.closeSurvey(sv)
			}
			e.clock.Advance(7*day + time.Hour)
			step(t, d)
			step(t, d)
			if got := e.reminderSubjects(); len(got) != 0 {
				t.Errorf("reminders went out: %v", got)
			}
		})
	}
}
