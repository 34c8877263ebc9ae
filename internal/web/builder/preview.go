package builder

import (
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/respondent"
)

type surveyPreviewPage struct {
	Href, Title string
	Locales     []localeLink
	Form        respondent.AnswerForm
	Brand       *respondent.Brand
	Steps       []previewStep
}

// previewStep is one page a respondent without JavaScript answers, with
// when each of its questions is shown.
type previewStep struct {
	Number    int
	Questions []questionSummary
}

type localeLink struct {
	Code, Native, English, Href string
	Current                     bool
}

// Preview shows the answer form exactly as respondents get it, in
// one of the survey's languages (?locale=fi; the default otherwise), but
// without a way to send it.
func (s *Pages) Preview(c *fiber.Ctx) error {
	sv, err := s.surveys.Get(c.UserContext(), input.Param(c, "id"))
	if err != nil {
		return err
	}
	href := "/surveys/" + url.PathEscape(sv.ID)
	form := respondent.NewAnswerForm(sv, c.Query("locale"), nil, nil)
	form.Preview = true

	page := surveyPreviewPage{Href: href, Title: sv.Title.Get(sv.DefaultLocale, survey.DefaultLocale), Form: form,
		Brand: respondent.BrandOf(sv.Branding), Steps: previewSteps(sv, form.Locale)}
	for _, l := range sv.Locales {
		page.Locales = append(page.Locales, localeLink{
			Code: l, Native: i18n.Name(l), English: localeLabel(l),
			Href:    href + "/preview?locale=" + url.QueryEscape(l),
			Current: l == form.Locale,
		})
	}
	return s.views.Render(c, fiber.StatusOK, "survey_preview", "Preview: "+page.Title, page)
}

func previewSteps(sv survey.Survey, locale string) []previewStep {
	var steps []previewStep
	number := 0
	for n, step := range sv.Steps() {
		ps := previewStep{Number: n + 1}
		for _, q := range step {
			number++
			ps.Questions = append(ps.Questions, questionSummary{
				Number: number, Key: q.Key, Prompt: sv.ShortPrompt(q, locale), Condition: shownWhen(sv, q, locale),
			})
		}
		steps = append(steps, ps)
	}
	return steps
}

// LivePreviewPath is where the builder's script posts the form for a new
// preview.
const LivePreviewPath = "/surveys/preview"

// LivePreview answers the builder's script with the preview of the form as
// posted, saved or not: the preview's content alone, not a page. Nothing
// is stored, and a logo file, if sent, is ignored.
func (s *Pages) LivePreview(c *fiber.Ctx) error {
	form, err := postedForm(c)
	if err != nil {
		return err
	}
	sv, _ := parseSurveyForm(form)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.views.RenderBlock(c, fiber.StatusOK, "survey_edit", "builder_preview", newBuilderPage(sv, builderOptions{}))
}
