package builder

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/problem"
)

// defaultConsentText starts a new survey's consent text, which the
// respondent sees next to the unticked "Attach my name" checkbox.
const defaultConsentText = "I agree that my name is attached to my answers, so that the team responsible for " +
	"my company's account can see them and follow up with me. I can withdraw this consent at any time " +
	"with the link in the survey email."

// blankSurvey is the definition a new survey starts from.
func blankSurvey() survey.Survey {
	return survey.Survey{
		DefaultLocale:      survey.DefaultLocale,
		Locales:            []string{survey.DefaultLocale},
		Questions:          []survey.Question{{Type: survey.TypeNPS, Required: true}},
		ConsentText:        survey.Text{survey.DefaultLocale: defaultConsentText},
		AnonymityThreshold: survey.DefaultAnonymityThreshold,
		CommentThreshold:   survey.DefaultCommentThreshold,
		TokenValidityDays:  survey.DefaultTokenValidityDays,
	}
}

func newSurveyOptions() builderOptions {
	return builderOptions{
		heading: "New survey",
		lead:    "Write the survey in each language your customers will answer in. It stays a draft, visible only to staff, until you open it.",
		action:  "/surveys/new",
		cancel:  "/surveys",
		crumb:   "Surveys",
	}
}

func editSurveyOptions(stored survey.Survey) builderOptions {
	href := "/surveys/" + url.PathEscape(stored.ID)
	o := builderOptions{
		heading: "Edit survey",
		action:  href + "/edit",
		cancel:  href,
		crumb:   stored.Title.Get(stored.DefaultLocale, survey.DefaultLocale),
		editing: true,
		stored:  &stored,
	}
	if stored.Status == survey.StatusOpen {
		o.lead = "This survey is open and may have answers, so some changes are not possible; see below."
	}
	return o
}

// New shows the builder for a new survey.
func (s *Pages) New(c *fiber.Ctx) error {
	return s.renderBuilder(c, fiber.StatusOK, blankSurvey(), newSurveyOptions())
}

// Create handles the new-survey builder: an action button changes
// the form and shows it again; Save creates the draft.
func (s *Pages) Create(c *fiber.Ctx) error {
	post, err := s.readBuilderPost(c)
	if err != nil {
		return err
	}
	o := newSurveyOptions()
	o.newType = post.newType
	if !post.saves() {
		return s.rework(c, post, o)
	}
	if len(post.unreadable) > 0 {
		return s.renderBuilder(c, fiber.StatusBadRequest, post.survey, post.withErrors(o))
	}
	actor, _ := identity.User(c)
	created, err := s.surveys.Create(c.UserContext(), actor, post.survey)
	if p := problem.WithFields(err); p != nil {
		o.errs = p.Fields
		return s.renderBuilder(c, p.Status, post.survey, o)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/surveys/"+url.PathEscape(created.ID)+"?created=1", fiber.StatusSeeOther)
}

// Edit shows the builder for a stored survey.
func (s *Pages) Edit(c *fiber.Ctx) error {
	stored, err := s.editableSurvey(c)
	if err != nil {
		return err
	}
	return s.renderBuilder(c, fiber.StatusOK, stored, editSurveyOptions(stored))
}

// Save handles the edit builder. Saving over a version someone else
// stored meanwhile shows the form again, unsaved, with what happened.
func (s *Pages) Save(c *fiber.Ctx) error {
	stored, err := s.editableSurvey(c)
	if err != nil {
		return err
	}
	post, err := s.readBuilderPost(c)
	if err != nil {
		return err
	}
	o := editSurveyOptions(stored)
	o.newType = post.newType
	if !post.saves() {
		return s.rework(c, post, o)
	}
	if len(post.unreadable) > 0 {
		return s.renderBuilder(c, fiber.StatusBadRequest, post.survey, post.withErrors(o))
	}
	actor, _ := identity.User(c)
	_, err = s.surveys.Update(c.UserContext(), actor, stored.ID, post.survey)
	switch p := problem.WithFields(err); {
	case err == nil:
		return c.Redirect(o.cancel+"?saved=1", fiber.StatusSeeOther)
	case p != nil:
		o.errs = p.Fields
		return s.renderBuilder(c, p.Status, post.survey, o)
	case errors.Is(err, authoring.ErrConflict):
		latest, err := s.surveys.Get(c.UserContext(), stored.ID)
		if err != nil {
			return err
		}
		// Saving the form again now replaces their version, knowingly.
		post.survey.Revision = latest.Revision
		o.conflict = &builderConflict{Revision: latest.Revision, UpdatedAt: latest.UpdatedAt, Href: o.cancel}
		o.stored = &latest
		return s.renderBuilder(c, fiber.StatusConflict, post.survey, o)
	}
	return err
}

// editableSurvey loads the survey named in the path for the builder: one
// the user may change and that is not closed.
func (s *Pages) editableSurvey(c *fiber.Ctx) (survey.Survey, error) {
	sv, err := s.changeableSurvey(c)
	if err != nil {
		return survey.Survey{}, err
	}
	if sv.Status == survey.StatusClosed {
		return survey.Survey{}, survey.ErrClosed
	}
	return sv, nil
}

// builderPost is a posted builder form: the survey as typed, the button
// pressed, and the inputs that could not be read at all.
type builderPost struct {
	survey     survey.Survey
	action     builderAction
	newType    survey.QuestionType
	unreadable map[string]string
}

func (s *Pages) readBuilderPost(c *fiber.Ctx) (builderPost, error) {
	form, err := postedForm(c)
	if err != nil {
		return builderPost{}, err
	}
	p := builderPost{
		action:  parseBuilderAction(form.Get(fieldAction)),
		newType: survey.QuestionType(strings.TrimSpace(form.Get(fieldNewType))),
	}
	p.action.prepare(form)
	p.survey, p.unreadable = parseSurveyForm(form)
	pinReferencedKeys(&p.survey)
	if p.saves() {
		for i, q := range p.survey.Questions {
			if q.ShowIf != nil && q.ShowIf.Question != "" && q.ShowIf.Op == "" {
				p.unreadable[QuestionPrefix(i)+showIfSuffix+condOp] = "choose what the answer must be, then save"
			}
		}
	}
	if err := s.uploadLogo(c, &p); err != nil {
		return builderPost{}, err
	}
	return p, nil
}

// uploadLogo keeps a logo file posted with the form, whatever button was
// pressed, so that the preview shows it and later posts carry only its id.
// A file that is not a fitting image is a problem of the form's.
func (s *Pages) uploadLogo(c *fiber.Ctx, p *builderPost) error {
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return nil
	}
	fh, err := c.FormFile(fieldLogoFile)
	if err != nil || fh.Size == 0 {
		return nil // no file chosen
	}
	if fh.Size > authoring.MaxLogoBytes {
		p.unreadable[fieldLogoFile] = fmt.Sprintf("is %d KB; a logo may be at most %d KB", (fh.Size+1023)>>10, authoring.MaxLogoBytes>>10)
		return nil
	}
	f, err := fh.Open()
	if err != nil {
		return fmt.Errorf("builder: logo: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, authoring.MaxLogoBytes+1))
	if err != nil {
		return fmt.Errorf("builder: logo: %w", err)
	}
	actor, _ := identity.User(c)
	l, err := s.surveys.UploadLogo(c.UserContext(), actor, data)
	if fields := fault.FieldsOf(err); fields != nil {
		maps.Copy(p.unreadable, fields)
		return nil
	}
	if err != nil {
		return err
	}
	p.survey.Branding.LogoID = l.ID
	return nil
}

func (p builderPost) saves() bool { return p.action.kind == actionSave }

// withErrors returns o showing the unreadable inputs and everything else
// wrong with the survey too, so that one round trip reports every mistake.
func (p builderPost) withErrors(o builderOptions) builderOptions {
	check := p.survey.Clone()
	check.Normalize()
	errs := map[string]string{}
	maps.Copy(errs, fault.FieldsOf(check.Validate()))
	maps.Copy(errs, p.unreadable)
	o.errs = errs
	return o
}

// rework carries out a builder action other than Save and shows the
// changed form; nothing is stored.
func (s *Pages) rework(c *fiber.Ctx, p builderPost, o builderOptions) error {
	o.focus, o.notice = p.action.apply(&p.survey, p.newType)
	if len(p.unreadable) > 0 {
		// Such as a logo that is not an image: said now, not only on saving.
		o.errs = p.unreadable
	}
	return s.renderBuilder(c, fiber.StatusOK, p.survey, o)
}

func (s *Pages) renderBuilder(c *fiber.Ctx, status int, sv survey.Survey, o builderOptions) error {
	title := o.heading
	if t := sv.Title.Get(sv.DefaultLocale, survey.DefaultLocale); t != "" && o.editing {
		title = "Edit " + t
	}
	return s.views.Render(c, status, "survey_edit", title, newBuilderPage(sv, o))
}

// postedForm returns the posted form fields, copied out of Fiber's buffers.
func postedForm(c *fiber.Ctx) (url.Values, error) {
	form := url.Values{}
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		mf, err := c.MultipartForm()
		if err != nil {
			return nil, problem.BadRequest("the form could not be read", nil)
		}
		for k, vs := range mf.Value {
			form[k] = append([]string(nil), vs...)
		}
		return form, nil
	}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		form.Add(string(k), string(v))
	})
	return form, nil
}
