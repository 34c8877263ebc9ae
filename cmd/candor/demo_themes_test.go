package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/demo"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/reports"
)

// demoLocales are the languages the demo's comments come in, each of
// which must have themes of its own.
var demoLocales = []string{"en", "fi", "sv", "de", "fr", "es"}

// checkDemoThemes reads the demo survey's comments as its analyst does,
// through the page and the API, right after candor demo: themes in every
// language of the demo's comments, each of at least the threshold.
func checkDemoThemes(t *testing.T, st *store.Store, ring *keys.Ring, sv survey.Survey, uri, password string) {
	t.Helper()
	ctx := context.Background()
	env := map[string]string{"CANDOR_MONGODB_URI": uri, "CANDOR_SECRET_KEYS": ring.Encode(),
		"CANDOR_BASE_URL": "http://candor.test", "CANDOR_DATA_DIR": t.TempDir()}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := wireApp(cfg, st, ring, slog.New(slog.DiscardHandler), noMail)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(ctx, a, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.App())
	bearer := b.signIn(demo.AnalystEmail, password)

	req := httptest.NewRequest(http.MethodGet, "/api/v1/surveys/"+sv.ID+"/comments?question=comment", nil)
	req.Header.Set("Authorization", "Bearer "+bearer)
	resp, body := b.sendRead(req)
	var got reports.CommentsJSON
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &got) != nil {
		t.Fatalf("comments API: %d %s", resp.StatusCode, body)
	}
	perLocale := map[string]int{}
	for _, th := range got.Themes {
		perLocale[th.Locale]++
		if th.People < got.Threshold || len(th.Terms) == 0 {
			t.Errorf("theme %+v below the threshold %d", th, got.Threshold)
		}
	}
	t.Logf("demo themes: %d in all, per language %v", len(got.Themes), perLocale)
	for _, loc := range demoLocales {
		if perLocale[loc] < 2 {
			t.Errorf("%s: %d themes on demo data, want several: %+v", loc, perLocale[loc], got.Themes)
		}
	}
	resp, page := b.sendRead(httptest.NewRequest(http.MethodGet, "/surveys/"+sv.ID+"/comments", nil))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="themes"`) || strings.Contains(string(page), `id="themes-empty"`) {
		t.Errorf("comments page: %d, no themes:\n%.3000s", resp.StatusCode, page)
	}
	// A theme's own comments, as its link shows them.
	if len(got.Themes) > 0 {
		th := got.Themes[0]
		c, err := a.quotes.Comments(ctx, sv, quotes.Query{Question: "comment", Theme: th.ID})
		if err != nil || c.Suppressed || c.Total != th.People {
			t.Errorf("comments of theme %v: %+v, %v", th.Terms, c, err)
		}
	}
}
