package respondent

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/problem"
)

// Fields of a survey of several steps, besides the answers.
const (
	StepField   = "step"   // the sealed state of the answers so far
	ActionField = "action" // ActionNext, ActionBack or ActionSubmit
	// WholeField marks a post of every step's answers at once: the
	// script's, which navigates the steps in the browser.
	WholeField = "whole"
)

// The buttons of a step.
const (
	ActionNext   = "next"
	ActionBack   = "back"
	ActionSubmit = "submit"
)

// stepsScript navigates the steps in the browser, where it runs.
const stepsScript = "js/respond-steps.js"

// StepNav is where a respondent is in a survey of several steps.
type StepNav struct {
	Heading string // "Step 2 of 3"; on the finishing page, what is left to do
	Format  string // the heading with two %d verbs, for the script
	Index   int    // the current step (len(steps): the finishing page)
	State   string // the sealed answers so far
	// Final steps carry the consent box and the submit button; Back, a
	// way to the step before.
	Final, Back bool
	// All are every step, with every question, for the script.
	All []formStep

	StateField, ActionField, WholeField string
}

// formStep is one step of a survey as the script shows it.
type formStep struct {
	Index     int
	Questions []answerQuestion
}

// stepPlan is how a survey splits into steps.
type stepPlan struct {
	sv     survey.Survey
	steps  [][]survey.Question
	stepOf map[string]int // question key → its step
}

func newStepPlan(sv survey.Survey) stepPlan {
	p := stepPlan{sv: sv, steps: sv.Steps(), stepOf: map[string]int{}}
	for i, step := range p.steps {
		for _, q := range step {
			if _, ok := p.stepOf[q.Key]; !ok {
				p.stepOf[q.Key] = i
			}
		}
	}
	return p
}

// stepped reports whether a survey is answered in several steps.
func stepped(sv survey.Survey) bool { return len(sv.Steps()) > 1 }

// visible returns which questions someone at step current with values is
// shown: for sure on the steps up to current, and possibly on later steps
// whose conditions test answers not given yet.
func (p stepPlan) visible(values map[string][]string, current int) map[string]bool {
	known := map[string][]string{}
	for _, q := range p.sv.Questions {
		if p.stepOf[q.Key] < current {
			if v, ok := values[survey.FormField(q.Key)]; ok {
				known[survey.FormField(q.Key)] = v
			}
		}
	}
	answers, _ := p.sv.ParseAnswers(known)
	shown := p.sv.Shown(answers)
	for _, q := range p.sv.Questions {
		if p.stepOf[q.Key] <= current || q.ShowIf == nil {
			continue
		}
		// An answer still to come may meet the condition; a question
		// hidden for sure gives none, and Shown has decided that already.
		if t, ok := p.stepOf[q.ShowIf.Question]; ok && t >= current && shown[q.ShowIf.Question] {
			shown[q.Key] = true
		}
	}
	return shown
}

// shows reports whether step i shows a question among vis.
func (p stepPlan) shows(vis map[string]bool, i int) bool {
	if i < 0 || i >= len(p.steps) {
		return false
	}
	for _, q := range p.steps[i] {
		if vis[q.Key] {
			return true
		}
	}
	return false
}

// next returns the first step after i that shows a question; -1 when none
// does.
func (p stepPlan) next(values map[string][]string, i int) int {
	for j := i + 1; j < len(p.steps); j++ {
		if p.shows(p.visible(values, j), j) {
			return j
		}
	}
	return -1
}

// previous returns the last step before i that shows a question; i when
// none does.
func (p stepPlan) previous(values map[string][]string, i int) int {
	for j := min(i, len(p.steps)) - 1; j >= 0; j-- {
		if p.shows(p.visible(values, j), j) {
			return j
		}
	}
	return i
}

// prune drops the answers to questions no longer shown: the respondent
// went back and changed an answer a condition tests.
func (p stepPlan) prune(values map[string][]string) {
	answers, _ := p.sv.ParseAnswers(values)
	shown := p.sv.Shown(answers)
	for _, q := range p.sv.Questions {
		if !shown[q.Key] {
			delete(values, survey.FormField(q.Key))
		}
	}
}

// problems returns what is wrong with the answers to step i's shown
// questions; other steps' problems are for their own pages.
func (p stepPlan) problems(values map[string][]string, i int) map[string]survey.FieldError {
	_, errs := p.sv.ParseAnswers(values)
	out := map[string]survey.FieldError{}
	for key, fe := range errs {
		if p.stepOf[key] == i {
			out[key] = fe
		}
	}
	return out
}

// firstWith returns the first step holding one of the questions keyed in
// errs, and those of its problems.
func (p stepPlan) firstWith(errs map[string]survey.FieldError) (int, map[string]survey.FieldError) {
	first := len(p.steps)
	for key := range errs {
		if i, ok := p.stepOf[key]; ok && i < first {
			first = i
		}
	}
	out := map[string]survey.FieldError{}
	for key, fe := range errs {
		if p.stepOf[key] == first {
			out[key] = fe
		}
	}
	return min(first, len(p.steps)-1), out
}

// answerValues returns the answers among a posted form, without blanks.
func (p stepPlan) answerValues(posted map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, q := range p.sv.Questions {
		if v := nonBlank(posted[survey.FormField(q.Key)]); len(v) > 0 {
			out[survey.FormField(q.Key)] = v
		}
	}
	return out
}

func nonBlank(vals []string) []string {
	var out []string
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}

// answerSteps takes one step of a survey of several: the answers are kept
// in the page, sealed, and nothing is stored until the final submission.
func (s *Pages) answerSteps(c *fiber.Ctx, v respondentView, l respond.Link, posted map[string][]string) error {
	p := newStepPlan(l.Survey)
	sealed := first(posted[StepField])
	if first(posted[WholeField]) != "" || sealed == "" {
		// Every answer at once: the script's post, or a whole form.
		return s.submitSteps(c, v, l, p, p.answerValues(posted), posted)
	}
	st, err := s.respondents.OpenStep(l, sealed)
	if err == nil && st.Step > len(p.steps) {
		err = respond.ErrStepInvalid
	}
	if err != nil {
		return s.restartSteps(c, v, l, err)
	}
	if st.Values == nil {
		st.Values = map[string][]string{}
	}
	delete(st.Values, ConsentField)
	if st.Step < len(p.steps) {
		for _, q := range p.steps[st.Step] {
			field := survey.FormField(q.Key)
			delete(st.Values, field)
			if vals := nonBlank(posted[field]); len(vals) > 0 {
				st.Values[field] = vals
			}
		}
	}
	p.prune(st.Values)

	action := first(posted[ActionField])
	if action == ActionBack {
		// What was entered is kept, and nothing is required of it.
		st.Step = p.previous(st.Values, st.Step)
		return s.renderStep(c, v, l, fiber.StatusOK, st, stepExtras{})
	}
	if errs := p.problems(st.Values, st.Step); len(errs) > 0 {
		return s.renderStep(c, v, l, fiber.StatusUnprocessableEntity, st, stepExtras{problems: errs})
	}
	if next := p.next(st.Values, st.Step); next >= 0 {
		// Also after a submission from a step that, with its answers,
		// turned out not to be the last.
		st.Step = next
		return s.renderStep(c, v, l, fiber.StatusOK, st, stepExtras{})
	}
	if action == ActionSubmit || st.Step == len(p.steps) {
		return s.submitSteps(c, v, l, p, st.Values, posted)
	}
	// The last step with questions did not know it was: the finishing
	// page carries the consent box.
	st.Step = len(p.steps)
	return s.renderStep(c, v, l, fiber.StatusOK, st, stepExtras{})
}

// submitSteps submits the answers of every step with the consent posted
// last; respond.Submit parses them all again, conditions included.
func (s *Pages) submitSteps(c *fiber.Ctx, v respondentView, l respond.Link, p stepPlan, answers, posted map[string][]string) error {
	form := maps.Clone(answers)
	for _, f := range []string{ConsentField, ConsentVersionField, LocaleField} {
		if vals, ok := posted[f]; ok {
			form[f] = vals
		}
	}
	res, err := s.submit(c, v, l, form)
	var invalid *respond.InvalidAnswers
	switch {
	case errors.As(err, &invalid):
		step, errs := p.firstWith(invalid.Fields)
		values := maps.Clone(answers)
		p.prune(values)
		if posted[ConsentField] != nil {
			values[ConsentField] = posted[ConsentField]
		}
		return s.renderStep(c, v, l, fiber.StatusUnprocessableEntity, respond.StepState{Step: step, Values: values}, stepExtras{problems: errs})
	case errors.Is(err, respond.ErrConsentChanged):
		values := maps.Clone(answers)
		p.prune(values)
		return s.renderStep(c, v, l, fiber.StatusConflict, respond.StepState{Step: len(p.steps), Values: values}, stepExtras{consentChanged: true})
	}
	return s.submitted(c, v, l, res, err)
}

// restartSteps starts again at the first step, saying why: the answers so
// far could not be read, were too old, or were for the survey as it was.
func (s *Pages) restartSteps(c *fiber.Ctx, v respondentView, l respond.Link, err error) error {
	note, status := "answer.restart.invalid", fiber.StatusBadRequest
	switch {
	case errors.Is(err, respond.ErrStepExpired):
		note, status = "answer.restart.expired", fiber.StatusConflict
	case errors.Is(err, respond.ErrStepStale):
		note, status = "answer.restart.changed", fiber.StatusConflict
	case !errors.Is(err, respond.ErrStepInvalid):
		return err
	}
	s.logger.Info("respondent steps restarted", "request_id", problem.RequestID(c), "reason", err)
	return s.renderStep(c, v, l, status, respond.StepState{}, stepExtras{note: note})
}

// stepExtras is what an answer form or a step's page shows besides its
// questions.
type stepExtras struct {
	problems       map[string]survey.FieldError
	note           string // a message key: why the answers started again
	consentChanged bool
	prefilled      string // the key of a question a score link answered
}

// renderStep shows step st.Step with the answers so far, and the whole
// survey for the script.
func (s *Pages) renderStep(c *fiber.Ctx, v respondentView, l respond.Link, status int, st respond.StepState, x stepExtras) error {
	sv := l.Survey
	p := newStepPlan(sv)
	if st.Values == nil {
		st.Values = map[string][]string{}
	}
	messages := make(map[string]string, len(x.problems))
	for key, fe := range x.problems {
		messages[key] = answerProblem(v.msg, fe)
	}
	values := maps.Clone(st.Values)
	if x.consentChanged {
		delete(values, ConsentField)
	}
	form := NewAnswerForm(sv, v.locale, values, messages)
	form.Action = v.url("")
	answers, _ := sv.ParseAnswers(st.Values)
	pc := survey.PipeContext{Locale: form.Locale, Account: s.accountName(c, l), Answers: answers}

	nav := &StepNav{Index: st.Step, StateField: StepField, ActionField: ActionField, WholeField: WholeField,
		Format: v.msg.T("form.step")}
	vis := p.visible(st.Values, st.Step)
	number, total := 1, 1
	for j := range p.steps {
		switch {
		case j < st.Step && p.shows(vis, j):
			number++
			total++
		case j > st.Step && p.shows(vis, j):
			total++
		}
	}
	byKey := map[string]answerQuestion{}
	for _, q := range form.Questions {
		byKey[q.Key] = q
	}
	var current []answerQuestion
	for j, step := range p.steps {
		fs := formStep{Index: j}
		for _, q := range step {
			aq := byKey[q.Key]
			aq.Prompt = sv.PromptFor(q, pc)
			aq.Pipe = pipeTemplate(sv, q, pc)
			if q.ShowIf != nil {
				if js, err := json.Marshal(q.ShowIf); err == nil {
					aq.ShowIf = string(js)
				}
			}
			if j == st.Step && vis[q.Key] {
				if q.Key == x.prefilled && len(values[aq.Field]) == 1 {
					n, _ := strconv.Atoi(values[aq.Field][0])
					aq.Hint = fmt.Sprintf(v.msg.T("answer.prefilled"), n)
				}
				current = append(current, aq)
			}
			if j != st.Step {
				aq.Error = ""
			}
			fs.Questions = append(fs.Questions, aq)
		}
		nav.All = append(nav.All, fs)
	}
	form.Questions = current
	if st.Step >= len(p.steps) {
		nav.Heading, nav.Final, nav.Back = v.msg.T("form.step.finish"), true, true
	} else {
		nav.Heading = fmt.Sprintf(nav.Format, number, total)
		nav.Final, nav.Back = number == total, number > 1
	}
	st.Locale = form.Locale
	delete(st.Values, ConsentField)
	sealed, err := s.respondents.SealStep(l, st)
	if err != nil {
		return err
	}
	nav.State = sealed
	form.Steps = nav
	return s.renderAnswerPage(c, v, l, status, form, x, stepsScript)
}

// pipeTemplate is q's prompt with each piped answer as {{answer:key}},
// for the script to fill in as answers change; "" when it pipes none.
func pipeTemplate(sv survey.Survey, q survey.Question, pc survey.PipeContext) string {
	if !strings.Contains(q.Prompt.Get(pc.Locale, sv.DefaultLocale), "{{") {
		return ""
	}
	marks := make(survey.Answers, 0, len(sv.Questions))
	for _, other := range sv.Questions {
		// A text answer is piped as it is: the placeholder stays.
		marks = append(marks, survey.Answer{Key: other.Key, Text: survey.PipeAnswer(other.Key)})
	}
	pc.Answers = marks
	t := sv.PromptFor(q, pc)
	if !strings.Contains(t, "{{answer:") {
		return ""
	}
	return t
}

func first(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}
