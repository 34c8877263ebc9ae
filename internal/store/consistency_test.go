package store_test

import (
	"context"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"unsafe"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
)

// unexported reads a field the driver v2 keeps unexported (it dropped the
// ReadPreference/WriteConcern/ReadConcern getters of v1). A test of what
// the handle is configured with, not of behaviour: against a single
// server the driver selects it whatever the read preference, so there is
// nothing on the wire to observe.
func unexported[T any](v any, field string) T {
	f := reflect.ValueOf(v).Elem().FieldByName(field)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(T)
}

// commands records the commands the driver sends.
type commands struct {
	mu   sync.Mutex
	sent []bson.Raw
}

func (c *commands) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.sent = append(c.sent, append(bson.Raw(nil), e.Command...))
	}}
}

func (c *commands) named(name string) []bson.Raw {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []bson.Raw
	for _, cmd := range c.sent {
		if first, err := cmd.IndexErr(0); err == nil && first.Key() == name {
			out = append(out, cmd)
		}
	}
	return out
}

// A URI asking for secondary reads and unacknowledged-by-majority writes
// does not get them: read-your-writes sequences need the primary, and
// acknowledged writes must survive a failover.
func TestOpenPinsPrimaryReadsAndMajorityWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := storetest.DB(t).Name() // dropped when the test ends
	u, err := url.Parse(storetest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Set("readPreference", "secondaryPreferred")
	q.Set("w", "1")
	q.Set("readConcernLevel", "available")
	q.Set("retryWrites", "false")
	q.Set("retryReads", "false")
	u.RawQuery = q.Encode()

	var sent commands
	st, err := store.OpenMonitored(ctx, u.String(), sent.monitor())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close(context.Background()) })
	if st.DB().Name() != name {
		t.Fatalf("database = %q, want %q", st.DB().Name(), name)
	}

	check := func(what string, v any) {
		t.Helper()
		if rp := unexported[*readpref.ReadPref](v, "readPreference"); rp == nil || rp.Mode() != readpref.PrimaryMode {
			t.Errorf("%s: read preference %v, want primary", what, rp)
		}
		if rc := unexported[*readconcern.ReadConcern](v, "readConcern"); rc == nil || rc.Level != "local" {
			t.Errorf("%s: read concern %+v, want local", what, rc)
		}
		wc := unexported[*writeconcern.WriteConcern](v, "writeConcern")
		if wc == nil || wc.W != writeconcern.WCMajority || wc.Journal == nil || !*wc.Journal {
			t.Errorf("%s: write concern %+v, want majority, journaled", what, wc)
		}
	}
	for _, field := range []string{"retryWrites", "retryReads"} {
		if !unexported[bool](st.Client(), field) {
			t.Errorf("client %s off; want on whatever the URI says", field)
		}
	}
	check("database", st.DB())
	for _, c := range st.Handles() {
		check("collection "+c.Name(), c)
	}

	// The server accepts majority writes, and the driver sends them so.
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Markers.SetMarker(ctx, "consistency-test", "written"); err != nil {
		t.Fatal(err)
	}
	if v, err := st.Markers.Marker(ctx, "consistency-test"); err != nil || v != "written" {
		t.Fatalf("marker = %q, %v; want it read back from the primary", v, err)
	}
	finds := sent.named("find")
	if len(finds) == 0 {
		t.Fatal("no find command seen")
	}
	for _, cmd := range finds {
		if lvl, _ := cmd.Lookup("readConcern", "level").StringValueOK(); lvl != "local" {
			t.Errorf("find sent with readConcern %v, want local", cmd.Lookup("readConcern"))
		}
		if mode, ok := cmd.Lookup("$readPreference", "mode").StringValueOK(); ok && mode != "primary" && mode != "primaryPreferred" {
			// primaryPreferred is how the driver says primary to a single server.
			t.Errorf("find sent with $readPreference %s", mode)
		}
	}
	writes := append(sent.named("insert"), sent.named("update")...)
	if len(writes) == 0 {
		t.Fatal("no write command seen")
	}
	for _, cmd := range writes {
		wc, ok := cmd.Lookup("writeConcern").DocumentOK()
		if w, _ := wc.Lookup("w").StringValueOK(); !ok || w != "majority" || !wc.Lookup("j").Boolean() {
			t.Errorf("write sent with writeConcern %v, want {w: majority, j: true}", wc)
		}
	}
}

// New pins the same on a database opened elsewhere (tests, tools).
func TestNewPinsADatabaseOpenedElsewhere(t *testing.T) {
	t.Parallel()
	db := storetest.DB(t)
	loose := db.Client().Database(db.Name(), options.Database().
		SetReadPreference(readpref.SecondaryPreferred()).SetWriteConcern(writeconcern.W1()))
	st := store.New(loose)
	if rp := unexported[*readpref.ReadPref](st.DB(), "readPreference"); rp.Mode() != readpref.PrimaryMode {
		t.Errorf("read preference %v, want primary", rp)
	}
	if wc := unexported[*writeconcern.WriteConcern](st.DB(), "writeConcern"); wc.W != writeconcern.WCMajority {
		t.Errorf("write concern %+v, want majority", wc)
	}
}
