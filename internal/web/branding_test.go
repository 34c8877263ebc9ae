package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/respond/respondtest"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/storetest"
	"github.com/candorhq/candor/internal/survey"
)

func logoImage(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 90, 30))
	img.Set(1, 1, color.RGBA{R: 122, G: 31, B: 92, A: 255})
	var buf bytes.Buffer
	var err error
	if format == "gif" {
		err = gif.Encode(&buf, img, nil)
	} else {
		err = png.Encode(&buf, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// postWithFile posts a builder form as a browser does with a file chosen:
// multipart, with the last CSRF token seen.
func (c *client) postWithFile(target string, form url.Values, field, fileName string, content []byte) response {
	c.t.Helper()
	form.Set("_csrf", c.csrf)
	ct, body := multipartBody(c.t, field, fileName, string(content), form)
	return c.send(http.MethodPost, target, "", ct, body)
}

var logoIDInput = regexp.MustCompile(`name="branding.logoId" value="([0-9a-f]{64})"`)

// TestBuilderBrandingAndPreview uploads a logo and sets the branding with
// "Update preview": the preview beside the form shows them with the unsaved
// prompt; saving stores them; the logo and colour are served to anyone,
// cached for good.
func TestBuilderBrandingAndPreview(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	form := builderFields(t, c.get("/surveys/new").body)
	form.Set("title.en", "Lift service survey")
	form.Set("questions[0].prompt.en", "How likely are you to recommend Acme Lifts?")
	form.Set("branding.accent", "#7A1F5C")
	form.Set("branding.senderName", "Acme Lifts")
	form.Set("branding.replyTo", "care@acme-lifts.example")
	form.Set("action", "refresh")
	logo := logoImage(t, "png")

	r := c.postWithFile("/surveys/new", form, "branding.logo", "logo.png", logo)
	wantStatus(t, r, http.StatusOK)
	m := logoIDInput.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("the uploaded logo is not carried in the form:\n%s", truncate(r.body))
	}
	logoURL := "/brand/logo/" + m[1]
	preview := r.body[strings.Index(r.body, `<section class="builder-preview" id="builder-preview"`):]
	wantBody(t, response{Response: r.Response, body: preview},
		`<h2 id="preview-heading">Preview</h2>`,
		`<button type="submit" form="builder-form" name="action" value="refresh" class="button" id="preview-refresh">Update preview</button>`,
		`<link rel="stylesheet" href="/brand/accent/7a1f5c.css">`,
		`class="builder-preview-body branded" id="preview-body"`,
		`<img class="brand-logo" src="`+logoURL+`" alt="Acme Lifts">`,
		`<h3 class="respondent-title">Lift service survey</h3>`,
		`How likely are you to recommend Acme Lifts?`,
		`name="q.how_likely_are_you_to_recommend_acme"`,
	)
	if strings.Contains(preview, "<h1") || strings.Contains(preview, "<form class=\"respondent-form\" method") {
		t.Errorf("the preview has a page heading or a form that sends")
	}

	form = builderFields(t, r.body)
	if form.Get("branding.accent") != "#7A1F5C" || form.Get("branding.logoId") != m[1] {
		t.Fatalf("the form lost the branding: %v", form)
	}
	form.Set("action", "save")
	r = c.post("/surveys/new", form)
	wantStatus(t, r, http.StatusSeeOther)
	id, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Location"), "/surveys/"), "?")
	sv, err := f.st.Surveys.ByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := survey.Branding{LogoID: m[1], Accent: "#7a1f5c", SenderName: "Acme Lifts", ReplyTo: "care@acme-lifts.example"}
	if sv.Branding != want || sv.Questions[0].Key != "how_likely_are_you_to_recommend_acme" {
		t.Fatalf("stored %+v, key %q", sv.Branding, sv.Questions[0].Key)
	}

	// The survey's page lists the branding, and its preview shows it.
	wantBody(t, c.get("/surveys/"+id), `<img class="brand-logo" src="`+logoURL+`" alt="Logo of Acme Lifts">`,
		"<dd><code>#7a1f5c</code></dd>", "<dd>care@acme-lifts.example</dd>")

	wantBody(t, c.get("/surveys/"+id+"/preview"), `<img class="brand-logo" src="`+logoURL+`" alt="Acme Lifts">`, `href="/brand/accent/7a1f5c.css"`)

	anyone := f.client(t)
	r = anyone.get(logoURL)
	wantStatus(t, r, http.StatusOK)
	if r.body != string(logo) || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(r.Header.Get("Cache-Control"), "immutable") || len(r.Header.Values("Set-Cookie")) > 0 {
		t.Errorf("logo served as %v", r.Header)
	}
	r = anyone.get("/brand/accent/7a1f5c.css")
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") || !strings.Contains(r.body, ".branded{--brand:#7a1f5c;") ||
		!strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("accent stylesheet = %v %q", r.Header, r.body)
	}
	for _, path := range []string{"/brand/accent/ffffff.css", "/brand/accent/7A1F5C.css", "/brand/accent/7a1f5c", "/brand/accent/x.css",
		"/brand/logo/" + strings.Repeat("0", 64), "/brand/logo/nope"} {
		if r := anyone.get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d", path, r.StatusCode)
		}
	}

	// Removing the logo keeps the rest.
	form = builderFields(t, c.get("/surveys/"+id+"/edit").body)
	form.Set("branding.removeLogo", "on")
	form.Set("action", "save")
	wantStatus(t, c.post("/surveys/"+id+"/edit", form), http.StatusSeeOther)
	if sv, _ := f.st.Surveys.ByID(context.Background(), id); sv.Branding.LogoID != "" || sv.Branding.Accent != "#7a1f5c" {
		t.Errorf("after removing the logo: %+v", sv.Branding)
	}
}

// TestBuilderBrandingErrors: branding that does not fit shows the form
// again with every value typed and a message at each field; nothing is
// stored.
func TestBuilderBrandingErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	form := builderFields(t, c.get("/surveys/new").body)
	form.Set("title.en", "Lift service survey")
	form.Set("questions[0].prompt.en", "How likely are you to recommend us?")
	form.Set("branding.accent", "#a0c4ff")
	form.Set("branding.senderName", "Acme Lifts")
	form.Set("branding.replyTo", "care at acme")
	form.Set("action", "save")

	r := c.postWithFile("/surveys/new", form, "branding.logo", "logo.png", logoImage(t, "gif"))
	wantStatus(t, r, http.StatusBadRequest)
	wantBody(t, r,
		`<a href="#f-branding-logo">Logo must be a PNG or JPEG image.</a>`,
		`#a0c4ff has a contrast of only 1.7:1 with white`, `choose a darker colour, such as #`,
		`<a href="#f-branding-replyTo">Reply-to address must be one email address`,
		`id="f-branding-accent" name="branding.accent" type="text" value="#a0c4ff"`,
		`value="care at acme"`, `value="How likely are you to recommend us?"`, `value="Acme Lifts"`,
	)
	if n, _ := f.st.Surveys.Collection().CountDocuments(context.Background(), map[string]any{}); n != 0 {
		t.Errorf("%d surveys stored", n)
	}

	// An oversized file is refused before it is read as an image.
	form.Set("branding.accent", "#0b5cad")
	form.Set("branding.replyTo", "")
	form.Set("action", "refresh")
	r = c.postWithFile("/surveys/new", form, "branding.logo", "logo.png", append(logoImage(t, "png"), make([]byte, 300<<10)...))
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, "a logo may be at most 256 KB")
}

// TestBuilderKeysAndMoveButtons: keys sit under a closed Advanced per
// question; on an open survey with answers they are read-only; the move
// buttons name their question.
func TestBuilderKeysAndMoveButtons(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	svc := authoring.New(f.st.Surveys, everyQuestionAnswered{})
	def := survey.Survey{
		Title: survey.Text{"en": "Keys"}, ConsentText: survey.Text{"en": "Attach my name."},
		Questions: []survey.Question{
			{Type: survey.TypeNPS, Prompt: survey.Text{"en": "Recommend us?"}, Required: true},
			{Type: survey.TypeText, Prompt: survey.Text{"en": "Why?"}},
		},
	}
	sv, err := svc.Create(context.Background(), f.manager, def)
	if err != nil {
		t.Fatal(err)
	}
	r := c.get("/surveys/" + sv.ID + "/edit")
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r,
		`<details class="question-advanced" id="f-questions-0-advanced">`,
		`<summary>Advanced<span class="visually-hidden">: keys of question 1</span></summary>`,
		`id="f-questions-0-key" name="questions[0].key" type="text" value="recommend_us"`,
		`<button type="submit" name="action" value="down:0" id="f-questions-0-down" class="button button-quiet">Move<span class="visually-hidden"> question 1</span> down</button>`,
		`<button type="submit" name="action" value="up:1" id="f-questions-1-up" class="button button-quiet">Move<span class="visually-hidden"> question 2</span> up</button>`,
		"Leave it empty to make it from the prompt.",
	)
	if strings.Contains(r.body, `id="f-questions-0-key" name="questions[0].key" type="text" value="recommend_us" autocomplete="off" aria-describedby="f-questions-0-key-help" readonly`) {
		t.Error("a draft's key is read-only")
	}
	// Moving keeps the focus on the button pressed.
	form := builderFields(t, r.body)
	form.Set("action", "down:0")
	r = c.post("/surveys/"+sv.ID+"/edit", form)
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, `id="f-questions-1-up" class="button button-quiet" autofocus>Move<span class="visually-hidden"> question 2</span> up`)
	if got := strings.Join(questionKeys(builderFields(t, r.body)), ","); got != "why,recommend_us" {
		t.Errorf("after moving down: %s", got)
	}

	if _, err := svc.Open(context.Background(), f.manager, sv.ID); err != nil {
		t.Fatal(err)
	}
	r = c.get("/surveys/" + sv.ID + "/edit")
	wantBody(t, r, `value="recommend_us" autocomplete="off" aria-describedby="f-questions-0-key-help" readonly`, "Fixed: answers are filed under it.")
	// A key error opens Advanced, so that the message can be seen.
	form = builderFields(t, r.body)
	form.Set("action", "add")
	form = builderFields(t, c.post("/surveys/"+sv.ID+"/edit", form).body)
	form.Set("questions[2].key", "Not a key!")
	form.Set("questions[2].prompt.en", "Anything else?")
	form.Set("action", "save")
	r = c.post("/surveys/"+sv.ID+"/edit", form)
	wantStatus(t, r, http.StatusBadRequest)
	wantBody(t, r, `<details class="question-advanced" id="f-questions-2-advanced" open>`)
}

// TestRespondentPagesShowTheBranding: the survey's logo heads every page of
// its link, with the sender name as its text, and its accent stylesheet
// colours the page.
func TestRespondentPagesShowTheBranding(t *testing.T) {
	t.Parallel()
	st := store.New(storetest.DB(t))
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := respondtest.New(t, st)
	surveys := authoring.New(st.Surveys, nil)
	ts := newTestServer(t, testOptions{users: st.Users, db: st, now: w.Now, respondents: w.Respond, privacy: w.Privacy, surveys: surveys})
	l, err := surveys.UploadLogo(ctx, w.Admin, logoImage(t, "png"))
	if err != nil {
		t.Fatal(err)
	}
	def := respondtest.Definition()
	def.Branding = survey.Branding{LogoID: l.ID, Accent: "#7a1f5c", SenderName: "Acme Lifts"}
	sv := w.OpenSurvey(t, &def)
	p := w.Invite(t, sv, "Bea Branded", "bea@example.com", "en")
	c := ts.client(t)
	for _, suffix := range []string{"", "/privacy"} {
		r := c.get(respondentPath(p.Token, suffix))
		wantStatus(t, r, http.StatusOK)
		wantBody(t, r,
			`<link rel="stylesheet" href="/brand/accent/7a1f5c.css">`,
			`<body class="respondent-page branded">`,
			`<header class="respondent-bar"><img class="brand-logo" src="/brand/logo/`+l.ID+`" alt="Acme Lifts">`,
		)
	}
	if r := c.get("/brand/logo/" + l.ID); r.StatusCode != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("logo: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}

	// A survey without branding looks as before.
	plain := w.OpenSurvey(t, nil)
	r := c.get(respondentPath(w.Invite(t, plain, "Pia Plain", "pia@example.com", "en").Token, ""))
	if strings.Contains(r.body, "brand") {
		t.Errorf("an unbranded survey's page mentions branding")
	}
}

// TestLivePreview: the builder page loads its same-origin script, and the
// endpoint that script posts to answers with the preview of the unsaved
// form, and only to a writer with a CSRF token.
func TestLivePreview(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.signIn(t, f.manager)
	page := c.get("/surveys/new")
	wantBody(t, page, `data-preview="/surveys/preview"`, `<script src="/static/js/builder-preview.`, `<div id="preview-live">`)
	if regexp.MustCompile(`<script>|<script [^>]*src="(https?:)?//|\son[a-z]+="`).MatchString(page.body) {
		t.Error("the builder has an inline or foreign script")
	}
	script := c.get(regexp.MustCompile(`/static/js/builder-preview\.[0-9a-f]+\.js`).FindString(page.body))
	wantStatus(t, script, http.StatusOK)
	if !strings.HasPrefix(script.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(script.body, "X-CSRF-Token") {
		t.Errorf("script served as %q", script.Header.Get("Content-Type"))
	}

	form := builderFields(t, page.body)
	form.Set("title.en", "Typed, not saved")
	form.Set("questions[0].prompt.en", "Would you recommend our lifts?")
	form.Set("branding.accent", "#7a1f5c")
	r := c.post("/surveys/preview", form)
	wantStatus(t, r, http.StatusOK)
	wantBody(t, r, `<h3 class="respondent-title">Typed, not saved</h3>`, "Would you recommend our lifts?",
		`name="q.would_you_recommend_our_lifts"`, `href="/brand/accent/7a1f5c.css"`)
	if strings.Contains(r.body, "<html") || strings.Contains(r.body, "<h1") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the live preview is not a bare fragment: %s", truncate(r.body))
	}
	if n, _ := f.st.Surveys.Collection().CountDocuments(context.Background(), map[string]any{}); n != 0 {
		t.Errorf("the preview stored %d surveys", n)
	}

	form.Del("_csrf")
	req := c.post("/surveys/preview", url.Values{"title.en": {"x"}, "_csrf": {"nope~nope"}})
	wantStatus(t, req, http.StatusForbidden)
	analyst := f.signIn(t, f.analyst)
	analyst.get("/")
	wantStatus(t, analyst.post("/surveys/preview", url.Values{"title.en": {"x"}}), http.StatusForbidden)
}
