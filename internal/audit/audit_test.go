package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/store"
)

// memStore keeps entries in memory.
type memStore struct {
	entries []store.AuditEntry
	fail    error
}

func (m *memStore) Insert(_ context.Context, e store.AuditEntry) error {
	if m.fail != nil {
		return m.fail
	}
	m.entries = append(m.entries, e)
	return nil
}

func (m *memStore) List(context.Context, store.AuditFilter, store.Page) ([]store.AuditEntry, int64, error) {
	return m.entries, int64(len(m.entries)), m.fail
}

var _ audit.Store = (*memStore)(nil)

func TestRecord(t *testing.T) {
	t.Parallel()
	st := &memStore{}
	at := time.Date(2026, 11, 25, 10, 11, 12, 987654321, time.FixedZone("x", 3600))
	log := audit.New(st).WithClock(func() time.Time { return at })
	actor := store.User{ID: "u1", Email: "dpo@example.com"}
	if err := log.Record(context.Background(), audit.Event{Actor: actor, Action: audit.PrivacyErase, Target: "c1", RequestID: "r1"}); err != nil {
		t.Fatal(err)
	}
	if err := log.Record(context.Background(), audit.Event{Actor: actor, Action: audit.ViewNamed, Target: "c1", Detail: "resp"}); err != nil {
		t.Fatal(err)
	}
	if len(st.entries) != 2 {
		t.Fatalf("entries = %d", len(st.entries))
	}
	e := st.entries[0]
	if e.ID == "" || e.ID == st.entries[1].ID || e.ActorID != "u1" || e.ActorEmail != "dpo@example.com" ||
		e.Action != "privacy.erase" || e.Target != "c1" || e.RequestID != "r1" ||
		!e.At.Equal(at.Truncate(time.Millisecond)) || e.At.Location() != time.UTC {
		t.Errorf("entry = %+v", e)
	}
	if st.entries[1].Detail != "resp" {
		t.Errorf("detail = %q", st.entries[1].Detail)
	}
}

func TestRecordFailsClosed(t *testing.T) {
	t.Parallel()
	down := errors.New("database down")
	log := audit.New(&memStore{fail: down})
	if err := log.Record(context.Background(), audit.Event{Actor: store.User{ID: "u1"}, Action: audit.PrivacyView}); !errors.Is(err, down) {
		t.Errorf("err = %v, want the store's error", err)
	}
	if err := audit.New(&memStore{}).Record(context.Background(), audit.Event{Action: audit.PrivacyView}); !errors.Is(err, audit.ErrNoActor) {
		t.Errorf("no actor: err = %v, want ErrNoActor", err)
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, a := range []audit.Action{audit.PrivacyView, audit.PrivacyAccess, audit.PrivacyRectify, audit.PrivacyErase, audit.PrivacyWithdraw, audit.ViewNamed, audit.FollowupDone, audit.FollowupReopen, audit.FollowupContacted, audit.FollowupAssign, audit.UserSSOCreate, audit.UserSSORole} {
		l := a.Label()
		if l == string(a) || seen[l] {
			t.Errorf("%s: label %q is missing or repeated", a, l)
		}
		seen[l] = true
	}
	if got := audit.Action("other.thing").Label(); got != "other.thing" {
		t.Errorf("unknown action label = %q", got)
	}
}
