package builder

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/authoring"
	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/policy"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/problem"
)

type surveyViewPage struct {
	ID, Href    string
	Title       string
	Intro       string
	Status      survey.Status
	StatusLabel string
	Owner       string
	Languages   []languageView
	Default     string
	Questions   []questionSummary
	Steps       int // the steps a respondent without JavaScript sees
	Consent     string
	Versions    []consentView
	Survey      survey.Survey
	Notice      string

	CanEdit, CanOpen, CanClose, CanDuplicate bool
}

type languageView struct{ Code, English, Native string }

type questionSummary struct {
	Number                           int
	Key, Type, Prompt                string
	Required, Confidential, Quotable bool
	MaxLength                        int
	Options                          []string
	Step                             int
	Condition                        string // when it is shown, in words; "" when always
}

type consentView struct {
	Version   int
	CreatedAt time.Time
	Current   bool
	Hashes    []consentHash
}

type consentHash struct{ Locale, Short, Full string }

// Notices after a redirect, by query parameter.
func surveyNotice(c *fiber.Ctx) string {
	switch {
	case c.Query("created") == "1":
		return "The survey was created as a draft. Preview it in each language, then open it when it is ready."
	case c.Query("saved") == "1":
		return "Your changes were saved."
	case c.Query("opened") == "1":
		return "The survey is open and accepts answers."
	case c.Query("closed") == "1":
		return "The survey is closed. It accepts no more answers; its reports remain."
	case c.Query("copied") == "1":
		return "This is a new draft copied from the survey you duplicated."
	}
	return ""
}

// View shows a survey: its settings, consent versions and questions,
// with the actions the user may take.
func (s *Pages) View(c *fiber.Ctx) error {
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	u, _ := identity.User(c)
	owner, err := ownerNames{s: s, c: c, me: u, names: map[string]string{}}.name(sv.OwnerID)
	if err != nil {
		return err
	}
	def, mayEdit := sv.DefaultLocale, policy.CanEditSurvey(policy.Of(u), sv.OwnerID)
	page := surveyViewPage{
		ID:           sv.ID,
		Href:         "/surveys/" + url.PathEscape(sv.ID),
		Title:        sv.Title.Get(def, survey.DefaultLocale),
		Intro:        sv.Intro.Get(def, ""),
		Status:       sv.Status,
		StatusLabel:  labels.Status(sv.Status),
		Owner:        owner,
		Default:      localeLabel(def),
		Consent:      sv.ConsentText.Get(def, ""),
		Survey:       sv,
		Notice:       surveyNotice(c),
		CanEdit:      mayEdit && sv.Status != survey.StatusClosed,
		CanOpen:      mayEdit && sv.Status == survey.StatusDraft,
		CanClose:     mayEdit && sv.Status == survey.StatusOpen,
		CanDuplicate: policy.CanWriteSurveys(policy.Of(u)),
	}
	for _, l := range sv.Locales {
		page.Languages = append(page.Languages, languageView{Code: l, English: localeLabel(l), Native: i18n.Name(l)})
	}
	stepOf, steps := stepNumbers(sv)
	page.Steps = steps
	for i, q := range sv.Questions {
		qs := questionSummary{
			Number: i + 1, Key: q.Key, Type: labels.QuestionType(q.Type), Prompt: q.Prompt.Get(def, ""),
			Required: q.Required, Confidential: q.Confidential, Quotable: q.Quotable,
			Step: stepOf[i], Condition: shownWhen(sv, q, def),
		}
		if q.Type == survey.TypeText {
			qs.MaxLength = q.MaxLength
		}
		for _, o := range q.Options {
			qs.Options = append(qs.Options, o.Label.Get(def, o.Key))
		}
		page.Questions = append(page.Questions, qs)
	}
	// Newest first: the current version is the one that matters most.
	for _, v := range slices.Backward(sv.ConsentHistory) {
		cv := consentView{Version: v.Version, CreatedAt: v.CreatedAt, Current: v.Version == sv.ConsentVersion}
		for _, l := range sv.Locales {
			if h, ok := v.Hashes[l]; ok {
				cv.Hashes = append(cv.Hashes, consentHash{Locale: l, Short: shortHash(h), Full: h})
			}
		}
		page.Versions = append(page.Versions, cv)
	}
	return s.views.Render(c, fiber.StatusOK, "survey_view", page.Title, page)
}

// shownWhen says when q is shown, in words; "" when it always is.
func shownWhen(sv survey.Survey, q survey.Question, locale string) string {
	if q.ShowIf == nil {
		return ""
	}
	return "Shown when " + sv.DescribeCondition(*q.ShowIf, locale)
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// confirmPage asks before a step that cannot be undone.
type confirmPage struct {
	Href, Title  string
	Heading      string
	Consequences []string
	Action       string // where the form posts
	Button       string
	Danger       bool
	Errors       []string
}

// ConfirmOpen asks before opening a draft, saying what opening fixes.
func (s *Pages) ConfirmOpen(c *fiber.Ctx) error {
	sv, err := s.changeableSurvey(c)
	if err != nil {
		return err
	}
	if sv.Status != survey.StatusDraft {
		return survey.ErrNotDraft
	}
	return s.views.Render(c, fiber.StatusOK, "survey_confirm", "Open survey", openConfirmation(sv, nil))
}

func openConfirmation(sv survey.Survey, errs []string) confirmPage {
	href := "/surveys/" + url.PathEscape(sv.ID)
	return confirmPage{
		Href: href, Title: sv.Title.Get(sv.DefaultLocale, survey.DefaultLocale),
		Heading: "Open this survey?",
		Consequences: []string{
			fmt.Sprintf("Opening fixes the anonymity threshold at %d and the comment threshold at %d: reports will never show a group smaller than %d, nor quote comments from a group smaller than %d.",
				sv.AnonymityThreshold, sv.CommentThreshold, sv.AnonymityThreshold, sv.CommentThreshold),
			fmt.Sprintf("The consent text is published as version %d; every consent given records that version and the exact text.", sv.ConsentVersion),
			"Invited contacts can answer from then on. You can still fix wording, add languages and add optional questions, but not remove questions that have answers, change their type or change when they are shown.",
		},
		Action: href + "/open",
		Button: "Open survey",
		Errors: errs,
	}
}

// Open opens a draft.
func (s *Pages) Open(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	u, _ := identity.User(c)
	_, err := s.surveys.Open(c.UserContext(), u, id)
	if p := problem.WithFields(err); p != nil {
		sv, err := s.surveys.Get(c.UserContext(), id)
		if err != nil {
			return err
		}
		return s.views.Render(c, p.Status, "survey_confirm", "Open survey", openConfirmation(sv, problem.Summary(p.Fields)))
	}
	if err != nil {
		return err
	}
	return c.Redirect("/surveys/"+url.PathEscape(id)+"?opened=1", fiber.StatusSeeOther)
}

// ConfirmClose asks before closing an open survey.
func (s *Pages) ConfirmClose(c *fiber.Ctx) error {
	sv, err := s.changeableSurvey(c)
	if err != nil {
		return err
	}
	if sv.Status != survey.StatusOpen {
		return survey.ErrNotOpen
	}
	href := "/surveys/" + url.PathEscape(sv.ID)
	return s.views.Render(c, fiber.StatusOK, "survey_confirm", "Close survey", confirmPage{
		Href: href, Title: sv.Title.Get(sv.DefaultLocale, survey.DefaultLocale),
		Heading: "Close this survey?",
		Consequences: []string{
			"Closing stops the survey accepting answers, for good: links already sent stop working, and a closed survey cannot be reopened or edited.",
			"Answers given so far stay, and so do the reports on them. To ask again, duplicate the survey and open the copy.",
		},
		Action: href + "/close",
		Button: "Close survey",
		Danger: true,
	})
}

// Close closes an open survey.
func (s *Pages) Close(c *fiber.Ctx) error {
	id := input.Param(c, "id")
	u, _ := identity.User(c)
	if _, err := s.surveys.Close(c.UserContext(), u, id); err != nil {
		return err
	}
	return c.Redirect("/surveys/"+url.PathEscape(id)+"?closed=1", fiber.StatusSeeOther)
}

// Duplicate copies a survey into a new draft owned by the user.
func (s *Pages) Duplicate(c *fiber.Ctx) error {
	u, _ := identity.User(c)
	dup, err := s.surveys.Duplicate(c.UserContext(), u, input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.Redirect("/surveys/"+url.PathEscape(dup.ID)+"?copied=1", fiber.StatusSeeOther)
}

// changeableSurvey loads the survey named in the path, if the user may
// change it.
func (s *Pages) changeableSurvey(c *fiber.Ctx) (survey.Survey, error) {
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return survey.Survey{}, err
	}
	if u, _ := identity.User(c); !policy.CanEditSurvey(policy.Of(u), sv.OwnerID) {
		return survey.Survey{}, authoring.ErrForbidden
	}
	return sv, nil
}
