package respondent

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// respondentAnswerPage is respond.html: the survey's answer form.
type respondentAnswerPage struct {
	Form           AnswerForm
	Problems       []answerSummaryItem // for the summary above the form
	ConsentChanged bool
	Note           string // why the steps started again; empty when they did not
}

// answerSummaryItem links the error summary to a question.
type answerSummaryItem struct {
	Anchor, Prompt, Message string
}

// resolveLink reads the link token of the request.
func (s *Pages) resolveLink(c *fiber.Ctx) (string, respond.Link, error) {
	token := input.Param(c, "token")
	l, err := s.respondents.Resolve(c.UserContext(), token)
	return token, l, err
}

// AnswerPage shows the survey to answer, or what the link may still do.
// It only reads: mail scanners open links before people do.
func (s *Pages) AnswerPage(c *fiber.Ctx) error {
	token, l, err := s.resolveLink(c)
	if err != nil {
		return err
	}
	v := surveyView(c, token, l, "")
	if l.State != respond.StateOpen {
		return s.linkState(c, v, l)
	}
	// A score link from the email selects its score; a value the question
	// cannot take is ignored, and the form is shown as from the plain link.
	values, prefilled := map[string][]string(nil), ""
	if q, n, ok := l.Survey.ScorePrefill(c.Query(link.ScoreQuestionParam), c.Query(link.ScoreValueParam)); ok {
		values, prefilled = map[string][]string{survey.FormField(q.Key): {strconv.Itoa(n)}}, q.Key
		v.keep = "&" + link.ScoreQuestionParam + "=" + url.QueryEscape(q.Key) + "&" + link.ScoreValueParam + "=" + strconv.Itoa(n)
	}
	if stepped(l.Survey) {
		return s.renderStep(c, v, l, fiber.StatusOK, respond.StepState{Values: values}, stepExtras{prefilled: prefilled})
	}
	return s.renderAnswerForm(c, v, l, fiber.StatusOK, values, stepExtras{prefilled: prefilled})
}

// renderAnswerForm shows the form with what was posted and the problems
// with it, in the respondent's language; x.prefilled is the key of a
// question whose value came from a score link, which the form says.
func (s *Pages) renderAnswerForm(c *fiber.Ctx, v respondentView, l respond.Link, status int, values map[string][]string, x stepExtras) error {
	messages := make(map[string]string, len(x.problems))
	for key, fe := range x.problems {
		messages[key] = answerProblem(v.msg, fe)
	}
	form := NewAnswerForm(l.Survey, v.locale, values, messages)
	form.Action = v.url("")
	answers, _ := l.Survey.ParseAnswers(values)
	pc := survey.PipeContext{Locale: form.Locale, Account: s.accountName(c, l), Answers: answers}
	for i, q := range l.Survey.Questions {
		form.Questions[i].Prompt = l.Survey.PromptFor(q, pc)
	}
	for i, q := range form.Questions {
		if q.Key == x.prefilled && len(values[q.Field]) == 1 {
			n, _ := strconv.Atoi(values[q.Field][0])
			form.Questions[i].Hint = fmt.Sprintf(v.msg.T("answer.prefilled"), n)
		}
	}
	return s.renderAnswerPage(c, v, l, status, form, x, "")
}

// renderAnswerPage shows a form, one page or one step, with its notes and
// the summary of its problems; script is the page's own script, if any.
func (s *Pages) renderAnswerPage(c *fiber.Ctx, v respondentView, l respond.Link, status int, form AnswerForm, x stepExtras, script string) error {
	page := respondentAnswerPage{Form: form, ConsentChanged: x.consentChanged}
	if x.note != "" {
		page.Note = v.msg.T(x.note)
	}
	for _, q := range form.Questions {
		if q.Error != "" {
			page.Problems = append(page.Problems, answerSummaryItem{Anchor: q.ID + "-error", Prompt: q.Prompt, Message: q.Error})
		}
	}
	data := v.layout(form.Title, page)
	data.Script = script
	if l.Manage {
		data.Privacy = v.url("/privacy")
	}
	return s.renderRespondent(c, status, "respond", data)
}

// answerProblem is a rejected answer's reason in the respondent's language.
func answerProblem(msg i18n.Catalog, fe survey.FieldError) string {
	switch fe.Code {
	case survey.CodeNotANumber, survey.CodeOutOfRange:
		return fmt.Sprintf(msg.T("answer."+fe.Code), fe.Params["min"], fe.Params["max"])
	case survey.CodeTooLong:
		return fmt.Sprintf(msg.T("answer."+fe.Code), fe.Params["max"], fe.Params["length"])
	case survey.CodeRequired, survey.CodeUnknownOption, survey.CodeMultipleValues:
		return msg.T("answer." + fe.Code)
	}
	return msg.T("answer.invalid")
}

// postedAnswers copies the posted form, which Fiber's buffers would
// otherwise reuse once the handler returns.
func postedAnswers(c *fiber.Ctx) map[string][]string {
	values := map[string][]string{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		values[key] = append(values[key], string(v))
	})
	return values
}

// AnswerSubmit stores a submission and sends the respondent to the
// thank-you page; a second submission goes there too, changing nothing.
func (s *Pages) AnswerSubmit(c *fiber.Ctx) error {
	token, l, err := s.resolveLink(c)
	if err != nil {
		return err
	}
	v := surveyView(c, token, l, "")
	switch l.State {
	case respond.StateOpen:
	case respond.StateAnswered:
		// Stored before (a double click, a retry, the back button): the
		// thank-you page says so, and nothing changes.
		return c.Redirect(v.url("/thanks")+"&again=1", fiber.StatusSeeOther)
	default:
		return s.linkState(c, v, l)
	}

	values := postedAnswers(c)
	if stepped(l.Survey) {
		return s.answerSteps(c, v, l, values)
	}
	if values[StepField] != nil {
		// A step of a survey that has since become one page: the answers
		// of the earlier steps are not at hand, so it starts again.
		return s.renderAnswerForm(c, v, l, fiber.StatusConflict, values, stepExtras{note: "answer.restart.changed"})
	}
	res, err := s.submit(c, v, l, values)
	var invalid *respond.InvalidAnswers
	switch {
	case errors.As(err, &invalid):
		return s.renderAnswerForm(c, v, l, fiber.StatusUnprocessableEntity, values, stepExtras{problems: invalid.Fields})
	case errors.Is(err, respond.ErrConsentChanged):
		delete(values, ConsentField) // they agree to the new text afresh, or not
		return s.renderAnswerForm(c, v, l, fiber.StatusConflict, values, stepExtras{consentChanged: true})
	}
	return s.submitted(c, v, l, res, err)
}

// submit submits a whole answer form.
func (s *Pages) submit(c *fiber.Ctx, v respondentView, l respond.Link, values map[string][]string) (respond.Result, error) {
	version, _ := strconv.Atoi(first(values[ConsentVersionField]))
	return s.respondents.Submit(c.UserContext(), l, respond.Submission{
		Values:         values,
		Locale:         v.locale,
		Named:          first(values[ConsentField]) != "",
		ConsentVersion: version,
	})
}

// submitted answers a submission that was not refused for its answers or
// its consent: the thank-you page, or what the link is now.
func (s *Pages) submitted(c *fiber.Ctx, v respondentView, l respond.Link, res respond.Result, err error) error {
	switch {
	case errors.Is(err, respond.ErrNotOpen):
		// Revoked while the form was open: show what it is now.
		if notOpen := (*respond.NotOpenError)(nil); errors.As(err, &notOpen) {
			l.State = notOpen.State
		}
		return s.linkState(c, v, l)
	case err != nil:
		return err
	}
	if res.TallyErr != nil {
		s.logger.Warn("report counters not updated; run candor rollup rebuild", "request_id", problem.RequestID(c), "err", res.TallyErr)
	}
	if res.QuoteErr != nil {
		// The answer is stored; only its comment is missing from the comments page.
		s.logger.Warn("quotable comment not kept", "request_id", problem.RequestID(c), "err", res.QuoteErr)
	}
	if res.CountErr != nil {
		// The answer is stored; the campaign's census counts it later.
		s.logger.Warn("campaign answered count not raised", "request_id", problem.RequestID(c), "err", res.CountErr)
	}
	target := v.url("/thanks")
	if res.Again {
		target += "&again=1"
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// respondentThanks is respond_thanks.html.
type respondentThanks struct {
	Named     bool
	Again     bool // the answers had been received before
	Withdrawn bool // the name was just removed
	Withdraw  string
	Manage    string
}

// ThanksPage thanks the respondent and says whether their name is
// attached, with a one-click way to remove it.
func (s *Pages) ThanksPage(c *fiber.Ctx) error {
	token, l, err := s.resolveLink(c)
	if err != nil {
		return err
	}
	v := surveyView(c, token, l, "/thanks")
	switch l.State {
	case respond.StateAnswered:
	case respond.StateOpen:
		return c.Redirect(v.url(""), fiber.StatusSeeOther)
	default:
		return s.linkState(c, v, l)
	}
	page := respondentThanks{
		Named:     l.Named(),
		Again:     c.Query("again") == "1",
		Withdrawn: c.Query("withdrawn") == "1" && !l.Named(),
		Withdraw:  v.url("/withdraw"),
	}
	if l.Manage {
		page.Manage = v.url("/privacy")
	}
	data := v.layout(v.msg.T("thanks.title"), page)
	data.Privacy = page.Manage
	return s.renderRespondent(c, fiber.StatusOK, "respond_thanks", data)
}

// ThanksWithdraw removes the respondent's name from their answers, one
// click from the thank-you page.
func (s *Pages) ThanksWithdraw(c *fiber.Ctx) error {
	token, l, err := s.resolveLink(c)
	if err != nil {
		return err
	}
	v := surveyView(c, token, l, "/thanks")
	if l.State != respond.StateAnswered {
		return s.linkState(c, v, l)
	}
	if err := s.respondents.Withdraw(c.UserContext(), l, privacy.ViaThanksPage); err != nil {
		return err
	}
	return c.Redirect(v.url("/thanks")+"&withdrawn=1", fiber.StatusSeeOther)
}
