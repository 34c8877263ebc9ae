package api

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// ListSurveys returns a page of surveys, newest first:
// ?status=open&mine=true&offset=0&limit=50.
func (s *API) ListSurveys(c *fiber.Ctx) error {
	fields := map[string]string{}
	var f authoring.Filter
	if raw := c.Query("status"); raw != "" {
		if f.Status = survey.Status(raw); !f.Status.Valid() {
			fields["status"] = "must be draft, open or closed"
		}
	}
	if raw := c.Query("mine"); raw != "" {
		mine, err := strconv.ParseBool(raw)
		if err != nil {
			fields["mine"] = "must be true or false"
		}
		f.Mine = mine
	}
	page := apiPage(c, fields)
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}

	u, _ := identity.User(c)
	items, total, err := s.surveys.List(c.UserContext(), u, f, page)
	if err != nil {
		return err
	}
	if items == nil {
		items = []survey.Survey{}
	}
	return c.JSON(ListJSON[survey.Survey]{Items: items, Total: total, Offset: page.Offset, Limit: page.Limit})
}

// CreateSurvey stores a new draft owned by the caller. Read-only fields
// in the body (id, status, timestamps, …) are ignored.
func (s *API) CreateSurvey(c *fiber.Ctx) error {
	var def survey.Survey
	if err := decodeJSON(c, &def); err != nil {
		return err
	}
	u, _ := identity.User(c)
	sv, err := s.surveys.Create(c.UserContext(), u, def)
	if err != nil {
		return err
	}
	c.Location("/api/v1/surveys/" + url.PathEscape(sv.ID))
	return c.Status(fiber.StatusCreated).JSON(sv)
}

// Survey returns one survey.
func (s *API) Survey(c *fiber.Ctx) error {
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(sv)
}

// UpdateSurvey changes a survey. Each top-level field in the body
// replaces the stored one whole (a text with all its translations, the
// question list); fields not in the body stay. With "revision" in the body
// the change applies only to that revision; without it, to the revision
// read here, so that a concurrent change is never silently overwritten.
func (s *API) UpdateSurvey(c *fiber.Ctx) error {
	var present map[string]json.RawMessage
	if err := json.Unmarshal(c.Body(), &present); err == nil && len(present) == 0 {
		return problem.BadRequest("nothing to change: give the fields to replace", nil)
	}
	id := input.Param(c, "id")
	current, err := s.surveys.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	edited := current.Clone()
	if _, ok := present["questions"]; ok {
		// Decoding a list into a non-empty slice would merge each question
		// into the one stored at its position.
		edited.Questions = nil
	}
	if _, ok := present["branding"]; ok {
		edited.Branding = survey.Branding{} // replaced whole, like every field
	}
	edited.Revision = 0
	if err := decodeJSON(c, &edited); err != nil {
		return err
	}
	if edited.Revision == 0 {
		edited.Revision = current.Revision
	}

	u, _ := identity.User(c)
	sv, err := s.surveys.Update(c.UserContext(), u, id, edited)
	if err != nil {
		return err
	}
	return c.JSON(sv)
}

// OpenSurvey opens a draft for answers.
func (s *API) OpenSurvey(c *fiber.Ctx) error {
	return s.transition(c, s.surveys.Open)
}

// CloseSurvey closes an open survey for good.
func (s *API) CloseSurvey(c *fiber.Ctx) error {
	return s.transition(c, s.surveys.Close)
}

func (s *API) transition(c *fiber.Ctx, step func(ctx context.Context, actor store.User, id string) (survey.Survey, error)) error {
	u, _ := identity.User(c)
	sv, err := step(c.UserContext(), u, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(sv)
}

// DuplicateSurvey copies a survey into a new draft owned by the caller.
func (s *API) DuplicateSurvey(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	dup, err := s.surveys.Duplicate(c.UserContext(), u, input.Param(c, "id"))
	if err != nil {
		return err
	}
	c.Location("/api/v1/surveys/" + url.PathEscape(dup.ID))
	return c.Status(fiber.StatusCreated).JSON(dup)
}
