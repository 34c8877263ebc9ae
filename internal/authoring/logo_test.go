package authoring_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
)

func testImage(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 11, G: 92, B: 173, A: 255})
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUploadLogo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newService(t, nil)
	pngLogo := testImage(t, "png", 120, 40)
	big := append(bytes.Clone(pngLogo), make([]byte, authoring.MaxLogoBytes)...)
	for _, tc := range []struct {
		name, want string // want: part of the field message; "" for success
		data       []byte
		kind       string
	}{
		{name: "png", data: pngLogo, kind: "image/png"},
		{name: "jpeg", data: testImage(t, "jpeg", 64, 64), kind: "image/jpeg"},
		{name: "gif", data: testImage(t, "gif", 10, 10), want: "must be a PNG or JPEG"},
		{name: "svg", data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), want: "must be a PNG or JPEG"},
		{name: "html", data: []byte("<!doctype html><script>alert(1)</script>"), want: "must be a PNG or JPEG"},
		{name: "png header only", data: pngLogo[:16], want: "could not be read"},
		{name: "too large", data: big, want: "at most 256 KB"},
		{name: "empty", data: nil, want: "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := svc.UploadLogo(ctx, alice, tc.data)
			if tc.want != "" {
				if msg := fault.FieldsOf(err)["branding.logo"]; !strings.Contains(msg, tc.want) || fault.KindOf(err) != fault.Invalid {
					t.Fatalf("error = %v (%q), want %q", err, msg, tc.want)
				}
				return
			}
			if err != nil || l.ContentType != tc.kind || len(l.ID) != 64 {
				t.Fatalf("UploadLogo = %s %s, %v", l.ID, l.ContentType, err)
			}
			got, err := svc.Logo(ctx, l.ID)
			if err != nil || !bytes.Equal(got.Data, tc.data) || got.ContentType != tc.kind {
				t.Fatalf("Logo = %s, %v", got.ContentType, err)
			}
			// The same bytes again: the same logo.
			if again, err := svc.UploadLogo(ctx, bob, tc.data); err != nil || again.ID != l.ID {
				t.Errorf("again = %s, %v", again.ID, err)
			}
		})
	}
	if _, err := svc.UploadLogo(ctx, analyst, pngLogo); !errors.Is(err, authoring.ErrForbidden) {
		t.Errorf("an analyst uploaded a logo: %v", err)
	}
	for _, id := range []string{"", "nope", strings.Repeat("0", 64)} {
		if _, err := svc.Logo(ctx, id); !errors.Is(err, authoring.ErrNotFound) {
			t.Errorf("Logo(%q) = %v", id, err)
		}
	}
}

func TestBrandingThroughTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newService(t, nil)
	l, err := svc.UploadLogo(ctx, alice, testImage(t, "png", 20, 20))
	if err != nil {
		t.Fatal(err)
	}
	def := definition()
	def.Branding = survey.Branding{LogoID: strings.Repeat("1", 64), SenderName: "Acme Lifts", Accent: "#0b5cad", ReplyTo: "service@acme.example"}
	if _, err := svc.Create(ctx, alice, def); !strings.Contains(fault.FieldsOf(err)["branding.logo"], "not an uploaded logo") {
		t.Fatalf("a survey with a logo never uploaded: %v", err)
	}
	def.Branding.LogoID = l.ID
	created, err := svc.Create(ctx, alice, def)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, created.ID)
	if err != nil || got.Branding != def.Branding {
		t.Fatalf("stored branding = %+v, %v", got.Branding, err)
	}
	edit := got.Clone()
	edit.Branding.Accent = "#ffcc00"
	if _, err := svc.Update(ctx, alice, got.ID, edit); !strings.Contains(fault.FieldsOf(err)["branding.accent"], "darker") {
		t.Errorf("a light accent: %v", err)
	}
}

// TestKeysMadeFromPrompts: a definition without keys gets them from its
// prompts, and an edit keeps them.
func TestKeysMadeFromPrompts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := newService(t, answered{"recommend_us": true})
	def := definition()
	def.Questions[0].Key, def.Questions[1].Key = "", ""
	def.Questions[1].Options[0].Key = ""
	created, err := svc.Create(ctx, alice, def)
	if err != nil {
		t.Fatal(err)
	}
	if k0, k1, o0 := created.Questions[0].Key, created.Questions[1].Key, created.Questions[1].Options[0].Key; k0 != "recommend_us" || k1 != "channel" || o0 != "email" {
		t.Fatalf("keys = %s %s %s", k0, k1, o0)
	}
	opened, err := svc.Open(ctx, alice, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Rewording keeps the key; a new question without one gets its own.
	edit := opened.Clone()
	edit.Questions[0].Prompt = survey.Text{"en": "Would you recommend us to a colleague?", "fi": "Suosittelisitko meitä?"}
	edit.Questions = append(edit.Questions, survey.Question{Type: survey.TypeText, Prompt: survey.Text{"en": "Recommend us?", "fi": "Miksi?"}})
	saved, err := svc.Update(ctx, alice, opened.ID, edit)
	if err != nil {
		t.Fatal(err)
	}
	if k0, k2 := saved.Questions[0].Key, saved.Questions[2].Key; k0 != "recommend_us" || k2 != "recommend_us_2" {
		t.Errorf("keys after the edit = %s %s", k0, k2)
	}
	// A question with answers keeps its key.
	edit = saved.Clone()
	edit.Questions[0].Key = "renamed"
	if _, err := svc.Update(ctx, alice, saved.ID, edit); fault.FieldsOf(err)["questions"] == "" {
		t.Errorf("renamed the key of an answered question: %v", err)
	}
}
