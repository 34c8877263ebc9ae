package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
	"github.com/candorhq/candor/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// seededEnv returns a world with two named answers over a fresh database,
// and the environment that points candor at that database.
func seededEnv(t *testing.T) (*respondtest.World, map[string]string) {
	t.Helper()
	db := storetest.DB(t)
	st := store.New(db)
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	sv := w.OpenSurvey(t, nil)
	for _, who := range []string{"Ville", "Vera"} {
		p := w.Invite(t, sv, who+" Verify", strings.ToLower(who)+"@example.com", "en")
		l, err := w.Respond.Resolve(ctx, p.Token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Respond.Submit(ctx, l, respond.Submission{
			Values: respondtest.Answers(), Locale: "en", Named: true, ConsentVersion: sv.ConsentVersion,
		}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := url.Parse(storetest.URI(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db.Name()
	return w, map[string]string{"CANDOR_MONGODB_URI": u.String(), "CANDOR_SECRET_KEYS": w.Ring.Encode()}
}

func runCandor(env map[string]string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(""), &out, &errOut, func(k string) string { return env[k] })
	return out.String() + errOut.String(), err
}

func TestConsentVerify(t *testing.T) {
	t.Parallel()
	w, env := seededEnv(t)
	ctx := context.Background()
	out, err := runCandor(env, "consent", "verify")
	if err != nil || !strings.HasPrefix(out, "consent chain verified: 2 records in ") || !strings.Contains(out, "latest anchor: 1:") {
		t.Fatalf("verify = %q, %v", out, err)
	}
	noted := strings.TrimSpace(out[strings.Index(out, "latest anchor: ")+len("latest anchor: "):])
	if out, err := runCandor(env, "consent", "verify", "-anchor", noted); err != nil || !strings.Contains(out, "1 anchors\nlatest anchor: "+noted) {
		t.Fatalf("verify against the noted anchor = %q, %v", out, err)
	}

	// A hand-edited record: the command fails, naming it.
	var recs []consents.Record
	if err := w.Store.Consents.Each(ctx, func(r consents.Record) error { recs = append(recs, r); return nil }); err != nil || len(recs) != 2 {
		t.Fatalf("records = %+v, %v", recs, err)
	}
	recs = recs[1:]
	if _, err := w.Store.DB().Collection("consents").UpdateOne(ctx,
		bson.D{{Key: "_id", Value: recs[0].ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "textVersion", Value: 7}}}}); err != nil {
		t.Fatal(err)
	}
	out, err = runCandor(env, "consent", "verify")
	want := fmt.Sprintf("record %d of shard %d", recs[0].Seq, recs[0].Shard)
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(out, "verified:") {
		t.Fatalf("verify after tampering = %q, %v; want an error naming %s", out, err, want)
	}

	// The anchors cut off: a noted anchor shows it.
	if _, err := w.Store.DB().Collection("consent_anchors").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Store.DB().Collection("consent_chain").DeleteOne(ctx, bson.D{{Key: "_id", Value: "anchors"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := runCandor(env, "consent", "verify", "-anchor", noted); err == nil {
		t.Error("verify passed without the noted anchor")
	}
	for _, args := range [][]string{{"consent"}, {"consent", "verify", "-anchor", "x"}} {
		if _, err := runCandor(env, args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

func TestKeysReseal(t *testing.T) {
	t.Parallel()
	w, env := seededEnv(t)
	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	env["CANDOR_SECRET_KEYS"] = fresh.Encode() + "," + w.Ring.Encode()
	out, err := runCandor(env, "keys", "reseal")
	if err != nil || !strings.Contains(out, "resealed under key k2: 2 responses, 2 consent references") {
		t.Fatalf("reseal = %q, %v", out, err)
	}
	out, err = runCandor(env, "keys", "reseal")
	if err != nil || !strings.Contains(out, "0 responses, 0 consent references, 0 comments, 0 follow-up notes") {
		t.Errorf("second reseal = %q, %v; want nothing left", out, err)
	}
}

func TestServeResealsInTheBackgroundAfterARotation(t *testing.T) {
	t.Parallel()
	w, env := seededEnv(t)
	if stop := startReseal(context.Background(), appOver(t, w.Store, w.Ring, discardLogger())); stop == nil {
		t.Fatal("no stop func for a ring of one key")
	} else {
		stop() // one key: nothing to do, and nothing left running
	}
	fresh, err := keys.Generate("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := keys.Parse(fresh.Encode() + "," + w.Ring.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	stop := startReseal(context.Background(), appOver(t, w.Store, rotated, slog.New(slog.NewTextHandler(&logs, nil))))
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "re-encrypted under the current key") {
		if time.Now().After(deadline) {
			t.Fatalf("no reseal logged within 30 s: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if k, err := w.Store.Markers.Marker(context.Background(), resealMarker); err != nil || k != "k2" {
		t.Errorf("reseal recorded for key %q, %v; want k2, so that later starts skip it", k, err)
	}
	if !strings.Contains(logs.String(), "responses=2") {
		t.Errorf("logged %q, want 2 responses resealed", logs.String())
	}
	env["CANDOR_SECRET_KEYS"] = rotated.Encode()
	out, err := runCandor(env, "keys", "reseal")
	if err != nil || !strings.Contains(out, "0 responses, 0 consent references") {
		t.Errorf("reseal after the background one = %q, %v; want nothing left", out, err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// appOver wires an app over st, as candor serve does over the store it
// opens.
func appOver(t *testing.T, st *store.Store, ring *keys.Ring, logger *slog.Logger) *app {
	t.Helper()
	cfg, err := loadConfig(func(k string) string { return map[string]string{"CANDOR_BASE_URL": "https://candor.example"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := wireApp(cfg, st, ring, logger, noMail)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// syncBuffer is a bytes.Buffer that a logger in another goroutine may
// write while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeAnchorsTheConsentChainInTheBackground(t *testing.T) {
	t.Parallel()
	w, _ := seededEnv(t)
	ctx := context.Background()
	stop := inBackground(ctx, func(ctx context.Context) { anchorConsents(ctx, w.Privacy, 10*time.Millisecond, discardLogger()) })
	defer stop()
	deadline := time.Now().Add(30 * time.Second)
	for {
		head, err := w.Store.Consents.AnchorHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if head.Seq > 0 {
			a, err := w.Store.Consents.AnchorBySeq(ctx, head.Seq)
			if err != nil || len(a.Heads) == 0 {
				t.Fatalf("anchor = %+v, %v", a, err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no anchor within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	// Nothing moved since: later ticks wrote nothing more.
	if head, _ := w.Store.Consents.AnchorHead(ctx); head.Seq != 1 {
		t.Errorf("anchors' head at %d, want 1: an anchor per tick without appends", head.Seq)
	}
}
