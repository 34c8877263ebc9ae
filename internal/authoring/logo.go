package authoring

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Limits of an uploaded logo.
const (
	MaxLogoBytes = 256 << 10
	// MaxLogoSide bounds the pixels a respondent's browser must decode.
	MaxLogoSide = 4096
)

// logoField is the field a logo's problems are reported at, as survey
// validation reports the logo of a survey's branding.
const logoField = "branding.logo"

func logoProblem(format string, args ...any) error {
	return fault.Fields(fault.Invalid, "authoring", map[string]string{logoField: fmt.Sprintf(format, args...)})
}

// UploadLogo keeps an image for surveys' branding and returns it; its ID
// goes into survey.Branding.LogoID. Only PNG and JPEG images of at most
// MaxLogoBytes are taken, judged by their content, not by what the
// browser called them.
func (s *Service) UploadLogo(ctx context.Context, actor store.User, data []byte) (store.Logo, error) {
	if !policy.CanWriteSurveys(policy.Of(actor)) {
		return store.Logo{}, ErrForbidden
	}
	switch {
	case len(data) == 0:
		return store.Logo{}, logoProblem("is an empty file")
	case len(data) > MaxLogoBytes:
		return store.Logo{}, logoProblem("is %d KB; a logo may be at most %d KB", (len(data)+1023)>>10, MaxLogoBytes>>10)
	}
	contentType := http.DetectContentType(data)
	var decode func(r *bytes.Reader) (image.Config, error)
	switch contentType {
	case "image/png":
		decode = func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
	case "image/jpeg":
		decode = func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
	default:
		return store.Logo{}, logoProblem("must be a PNG or JPEG image")
	}
	cfg, err := decode(bytes.NewReader(data))
	switch {
	case err != nil:
		return store.Logo{}, logoProblem("could not be read as a PNG or JPEG image")
	case cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide:
		return store.Logo{}, logoProblem("is %d×%d pixels; a logo may be at most %d on each side", cfg.Width, cfg.Height, MaxLogoSide)
	}
	sum := sha256.Sum256(data)
	l := store.Logo{ID: hex.EncodeToString(sum[:]), ContentType: contentType, Data: data, CreatedAt: s.now().UTC()}
	if err := s.store.PutLogo(ctx, l); err != nil {
		return store.Logo{}, fmt.Errorf("authoring: %w", err)
	}
	return l, nil
}

// Logo returns an uploaded logo for anyone to see: it appears on
// respondent pages and in emails. A stored logo whose bytes no longer look
// like what it claims to be is not found.
func (s *Service) Logo(ctx context.Context, id string) (store.Logo, error) {
	if len(id) != sha256.Size*2 {
		return store.Logo{}, ErrNotFound
	}
	l, err := s.store.Logo(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Logo{}, ErrNotFound
	case err != nil:
		return store.Logo{}, fmt.Errorf("authoring: %w", err)
	case http.DetectContentType(l.Data) != l.ContentType:
		return store.Logo{}, ErrNotFound
	}
	return l, nil
}

// checkLogo reports a branding logo that was never uploaded.
func (s *Service) checkLogo(ctx context.Context, sv survey.Survey) error {
	if sv.Branding.LogoID == "" {
		return nil
	}
	_, err := s.Logo(ctx, sv.Branding.LogoID)
	if errors.Is(err, ErrNotFound) {
		return logoProblem("is not an uploaded logo; upload it again")
	}
	return err
}
