package invite_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/invite"
	"github.com/candorhq/candor/internal/store"
)

func TestRunAt(t *testing.T) {
	t.Parallel()
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		first   string
		cadence store.Cadence
		n       int
		want    string
	}{
		{"2026-01-15 09:30", store.Monthly, 0, "2026-01-15 09:30"},
		{"2026-01-15 09:30", store.Monthly, 1, "2026-02-15 09:30"},
		{"2026-01-31 08:00", store.Monthly, 1, "2026-02-28 08:00"}, // month end
		{"2026-01-31 08:00", store.Monthly, 2, "2026-03-31 08:00"}, // not shifted by February
		{"2027-12-31 08:00", store.Monthly, 2, "2028-02-29 08:00"}, // leap year
		{"2026-11-30 08:00", store.Quarterly, 1, "2027-02-28 08:00"},
		{"2026-01-01 00:00", store.Quarterly, 3, "2026-10-01 00:00"},
		{"2026-10-15 12:00", store.Quarterly, 1, "2027-01-15 12:00"}, // across the year
		{"2026-08-31 07:00", store.HalfYearly, 1, "2027-02-28 07:00"},
		{"2026-08-31 07:00", store.HalfYearly, 2, "2027-08-31 07:00"},
		{"2028-02-29 10:00", store.Yearly, 1, "2029-02-28 10:00"}, // Feb 29
		{"2028-02-29 10:00", store.Yearly, 4, "2032-02-29 10:00"},
	} {
		if got := invite.RunAt(at(tc.first), tc.cadence, tc.n); !got.Equal(at(tc.want)) {
			t.Errorf("RunAt(%s, %s, %d) = %s, want %s", tc.first, tc.cadence, tc.n, got.Format("2006-01-02 15:04"), tc.want)
		}
	}
}

func TestDuePeriod(t *testing.T) {
	t.Parallel()
	first := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		next   int
		now    time.Time
		period int
		due    bool
	}{
		{"before the first run", 0, first.Add(-time.Second), 0, false},
		{"at the first run", 0, first, 0, true},
		{"first run done", 1, first.Add(24 * time.Hour), 0, false},
		{"second run on the last of February", 1, time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC), 1, true},
		{"three periods missed: only the latest runs", 1, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), 3, true},
	} {
		s := store.CampaignSchedule{FirstRunAt: first, Cadence: store.Monthly, NextPeriod: tc.next}
		if p, due := invite.DuePeriod(s, tc.now); p != tc.period || due != tc.due {
			t.Errorf("%s: DuePeriod = %d, %v; want %d, %v", tc.name, p, due, tc.period, tc.due)
		}
	}
	if _, due := invite.DuePeriod(store.CampaignSchedule{FirstRunAt: first, Cadence: "weekly"}, first); due {
		t.Error("an unknown cadence is due")
	}
}

func TestCreateScheduleRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acme := e.account(e.alice, "Acme", store.Segment{})
	foreign := e.account(e.bob, "Bobco", store.Segment{})
	soon := e.clock.Now().Add(time.Hour)
	for _, tc := range []struct {
		name  string
		req   invite.ScheduleRequest
		field string
	}{
		{"no cadence", invite.ScheduleRequest{AccountIDs: []string{acme.ID}, FirstRunAt: soon}, "cadence"},
		{"unknown cadence", invite.ScheduleRequest{AccountIDs: []string{acme.ID}, Cadence: "weekly", FirstRunAt: soon}, "cadence"},
		{"no first run", invite.ScheduleRequest{AccountIDs: []string{acme.ID}, Cadence: store.Monthly}, "firstRunAt"},
		{"first run in the past", invite.ScheduleRequest{AccountIDs: []string{acme.ID}, Cadence: store.Monthly, FirstRunAt: soon.Add(-48 * time.Hour)}, "firstRunAt"},
		{"first run too far", invite.ScheduleRequest{AccountIDs: []string{acme.ID}, Cadence: store.Monthly, FirstRunAt: soon.Add(400 * 24 * time.Hour)}, "firstRunAt"},
		{"no audience", invite.ScheduleRequest{Cadence: store.Monthly, FirstRunAt: soon}, "accountIds"},
		{"another manager's account", invite.ScheduleRequest{AccountIDs: []string{foreign.ID}, Cadence: store.Monthly, FirstRunAt: soon}, "accountIds"},
		{"another manager's accounts", invite.ScheduleRequest{ManagerID: e.bob.ID, Cadence: store.Monthly, FirstRunAt: soon}, "managerId"},
		{"too many reminders", invite.ScheduleRequest{AccountIDs: []string{acme.ID}, Cadence: store.Monthly, FirstRunAt: soon, Reminders: &store.ReminderPlan{Count: 9, AfterDays: 3}}, "reminders.count"},
	} {
		_, err := e.svc.CreateSchedule(ctx, e.alice, e.survey.ID, tc.req)
		if fault.KindOf(err) != fault.Invalid || fault.FieldsOf(err)[tc.field] == "" {
			t.Errorf("%s: %v (fields %v); want a message on %s", tc.name, err, fault.FieldsOf(err), tc.field)
		}
	}
	if list, err := e.svc.Schedules(ctx, e.alice, e.survey.ID); err != nil || len(list) != 0 {
		t.Errorf("schedules stored after refusals: %d, %v", len(list), err)
	}
	if _, err := e.svc.CreateSchedule(ctx, e.anna, e.survey.ID, invite.ScheduleRequest{}); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("an analyst's schedule: %v, want forbidden", err)
	}
}

// scheduleCampaigns lists the campaigns the schedule made.
func (e *env) scheduleCampaigns(scheduleID string) []store.Campaign {
	e.t.Helper()
	all, err := e.st.Campaigns.ListBySurvey(context.Background(), e.survey.ID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.Campaign
	for _, c := range all {
		if c.ScheduleID == scheduleID {
			out = append(out, c)
		}
	}
	return out
}

func (e *env) schedule(id string) store.CampaignSchedule {
	e.t.Helper()
	s, err := e.st.Schedules.ByID(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// A schedule runs each period once, whatever the number of dispatchers
// racing for it, and even when one that claimed the run stalls past its
// lease and wakes after another took it over; later runs invite the same
// contacts again, but not those surveyed too recently, and a closed
// survey's run is skipped and says so.
func TestScheduleRunsOncePerPeriod(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acme := e.account(e.alice, "Acme", store.Segment{})
	cs := e.contacts(acme, "acme", 3, "en")
	sch, err := e.svc.CreateSchedule(ctx, e.alice, e.survey.ID, invite.ScheduleRequest{
		ManagerID: e.alice.ID, Cadence: store.Quarterly, FirstRunAt: e.clock.Now().Add(time.Hour),
		Reminders: &store.ReminderPlan{Count: 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	disps := make([]*invite.Dispatcher, 4)
	for i := range disps {
		disps[i] = e.dispatcher(invite.NewDevOutbox(e.st.DevMails))
	}
	if err := disps[0].RunSchedules(ctx); err != nil || len(e.scheduleCampaigns(sch.ID)) != 0 {
		t.Fatalf("ran before its time: %v", err)
	}

	// Period 0: four dispatchers at once.
	e.clock.Advance(time.Hour + time.Minute)
	var wg sync.WaitGroup
	for _, d := range disps {
		wg.Go(func() {
			if err := d.RunSchedules(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	camps := e.scheduleCampaigns(sch.ID)
	if len(camps) != 1 || camps[0].ID != invite.RunCampaignID(sch.ID, 0) || camps[0].Counts.Invited != 3 {
		t.Fatalf("period 0 made %d campaigns: %+v", len(camps), camps)
	}
	if s := e.schedule(sch.ID); s.NextPeriod != 1 || s.LastRun == nil || s.LastRun.Outcome != store.RunCreated || s.Running != nil {
		t.Fatalf("after period 0: %+v", s)
	}
	e.settle(disps[0], camps[0].ID)

	// Period 1: the first dispatcher claims and stalls past its lease; the
	// second takes the run over; the first wakes and makes nothing more.
	e.clock.Advance(100 * 24 * time.Hour)
	recent := cs[2].ID
	if err := e.st.Contacts.MarkSurveyed(ctx, recent, e.clock.Now().Add(-10*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	at, release := make(chan struct{}), make(chan struct{})
	disps[0].SetHooks(invite.DispatcherHooks{AfterScheduleClaim: func() {
		at <- struct{}{}
		<-release
	}})
	stalled := make(chan error, 1)
	go func() { stalled <- disps[0].RunSchedules(ctx) }()
	<-at
	e.clock.Advance(e.cfg.Lease + time.Second)
	if err := disps[1].RunSchedules(ctx); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-stalled; err != nil {
		t.Fatal(err)
	}
	camps = e.scheduleCampaigns(sch.ID)
	if len(camps) != 2 {
		t.Fatalf("after period 1: %d campaigns, want 2", len(camps))
	}
	second, err := e.st.Campaigns.ByID(ctx, invite.RunCampaignID(sch.ID, 1))
	if err != nil {
		t.Fatal(err)
	}
	if second.Counts.Invited != 2 || second.SkipReasons[store.SkipRecentlySurveyed] != 1 || second.SkipReasons[store.SkipAlreadyInvited] != 0 {
		t.Errorf("period 1 invited %d, skipped %v; want the 2 not surveyed lately", second.Counts.Invited, second.SkipReasons)
	}
	e.settle(disps[1], second.ID)
	invs, err := e.st.Invitations.ByContact(ctx, cs[0].ID)
	if err != nil || len(invs) != 2 || invs[0].ID == invs[1].ID {
		t.Errorf("contact invited %d times (%v), want once per period", len(invs), err)
	}

	// Period 2: the survey is closed, so the run is skipped and says so.
	e.closeSurvey(e.survey)
	e.clock.Advance(100 * 24 * time.Hour)
	if err := disps[2].RunSchedules(ctx); err != nil {
		t.Fatal(err)
	}
	s := e.schedule(sch.ID)
	if len(e.scheduleCampaigns(sch.ID)) != 2 || s.LastRun == nil || s.LastRun.Outcome != store.RunSurveyClosed || s.NextPeriod != s.LastRun.Period+1 {
		t.Errorf("closed survey's run: %+v, last run %+v", s, s.LastRun)
	}
}

// Pausing stops the runs, and resuming does not make up the periods that
// passed meanwhile; only the schedule's creator or an admin may.
func TestPauseResumeAndDeleteSchedule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acme := e.account(e.alice, "Acme", store.Segment{})
	e.contacts(acme, "acme", 1, "en")
	sch, err := e.svc.CreateSchedule(ctx, e.alice, e.survey.ID, invite.ScheduleRequest{
		AccountIDs: []string{acme.ID}, Cadence: store.Monthly, FirstRunAt: e.clock.Now().Add(time.Minute),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PauseSchedule(ctx, e.bob, sch.ID, true); fault.KindOf(err) != fault.NotFound {
		t.Errorf("another manager paused it: %v", err)
	}
	if _, err := e.svc.PauseSchedule(ctx, e.alice, sch.ID, true); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(invite.NewDevOutbox(e.st.DevMails))
	e.clock.Advance(70 * 24 * time.Hour)
	if err := d.RunSchedules(ctx); err != nil || len(e.scheduleCampaigns(sch.ID)) != 0 {
		t.Fatalf("a paused schedule ran: %v", err)
	}
	resumed, err := e.svc.PauseSchedule(ctx, e.admin, sch.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	// Two periods passed; the one due now runs, the one before does not.
	if resumed.Paused || resumed.NextPeriod != 2 {
		t.Fatalf("resumed: %+v", resumed)
	}
	if err := d.RunSchedules(ctx); err != nil {
		t.Fatal(err)
	}
	if camps := e.scheduleCampaigns(sch.ID); len(camps) != 1 || camps[0].ID != invite.RunCampaignID(sch.ID, 2) {
		t.Fatalf("after resuming: %+v", camps)
	}
	if err := e.svc.DeleteSchedule(ctx, e.bob, sch.ID); fault.KindOf(err) != fault.NotFound {
		t.Errorf("another manager deleted it: %v", err)
	}
	if err := e.svc.DeleteSchedule(ctx, e.alice, sch.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Schedule(ctx, e.alice, sch.ID); fault.KindOf(err) != fault.NotFound {
		t.Errorf("deleted schedule: %v", err)
	}
	if len(e.scheduleCampaigns(sch.ID)) != 1 {
		t.Error("deleting the schedule deleted its campaign")
	}
}

// Every period of every cadence comes after the one before, keeps the
// first run's time of day, and falls on its day of the month or, in a
// shorter month, on the month's last day.
func FuzzRunAt(f *testing.F) {
	f.Add(int64(1769850000), uint8(0), uint16(1))
	f.Add(int64(1835431200), uint8(3), uint16(4))
	f.Fuzz(func(t *testing.T, unix int64, cadence uint8, n uint16) {
		first := time.Unix(unix%(1<<34), 0).UTC()
		c := invite.Cadences()[int(cadence)%len(invite.Cadences())]
		p := int(n % 500)
		at, prev := invite.RunAt(first, c, p), invite.RunAt(first, c, max(p-1, 0))
		if p > 0 && !at.After(prev) {
			t.Fatalf("period %d at %s, not after %s", p, at, prev)
		}
		if at.Hour() != first.Hour() || at.Minute() != first.Minute() || at.Second() != first.Second() {
			t.Fatalf("period %d at %s, first %s: time of day moved", p, at, first)
		}
		lastDay := time.Date(at.Year(), at.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if at.Day() != min(first.Day(), lastDay) {
			t.Fatalf("period %d at %s, first %s", p, at, first)
		}
		months := (at.Year()-first.Year())*12 + int(at.Month()) - int(first.Month())
		if months != p*c.Months() {
			t.Fatalf("period %d is %d months after the first, want %d", p, months, p*c.Months())
		}
	})
}
