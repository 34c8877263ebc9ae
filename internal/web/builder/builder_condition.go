package builder

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/candorhq/candor/internal/survey"
)

// conditionField is a question's "Show this question only if…" section.
// It is chosen in two steps that work without JavaScript: the question to
// depend on, then ("Choose condition" shows them for that question) how
// its answer is tested and against what.
type conditionField struct {
	Number   int    // of the question
	ID       string // of the section's fieldset
	HelpID   string
	Question selectField // "Always show", then the earlier questions
	// NoCandidates says why no earlier question can be chosen.
	NoCandidates string
	Choose       string // the "Choose condition" action value
	ChooseID     string
	Always       string // the "Always show" action value; "" when there is no condition

	// Chosen: a question of the survey is chosen, and the operator and
	// values below are for it (For is that choice, posted back).
	Chosen   bool
	For      string
	ForName  string
	Op       selectField
	Scale    bool
	Min, Max selectField
	Choice   bool
	Options  optionChecks
	// Kept carries a condition on a question the survey lacks, unchanged,
	// until it is fixed or removed.
	Kept []hiddenField

	Summary string // the condition in words: "Shown when ‘…’ is 0–6"
	Locked  string // why it may not change (an open survey)
}

type optionChecks struct {
	ID, Legend, Error string
	Choices           []checkField
}

type hiddenField struct{ Name, Value string }

// opLabel is how the builder offers an operator, after "the answer".
func opLabel(op survey.Op) string {
	switch op {
	case survey.OpBetween:
		return "score is between"
	case survey.OpAnyOf:
		return "chose any of"
	case survey.OpNoneOf:
		return "chose none of"
	case survey.OpAnswered:
		return "was answered"
	case survey.OpNotAnswered:
		return "was not answered"
	}
	return string(op) + " (unknown)"
}

// conditionFields lays out the condition of question i of sv, as typed;
// filled is sv as saving would make it (keys made), for the choices.
func conditionFields(b *builderErrors, i int, sv, filled survey.Survey, open bool, focus string) *conditionField {
	q := sv.Questions[i]
	if i == 0 && q.ShowIf == nil {
		return nil // nothing comes before the first question
	}
	prefix := QuestionPrefix(i) + showIfSuffix
	title := "Question " + strconv.Itoa(i+1) + " condition"
	cf := &conditionField{
		Number: i + 1, ForName: prefix + condFor,
		ID: fieldID(prefix), HelpID: fieldID(prefix) + "-help",
		Choose: fmt.Sprintf("%s:%d", actionCondition, i), ChooseID: fieldID(prefix + ".choose"),
	}
	if open {
		cf.Locked = "On an open survey, a question that has answers keeps its condition: changing it would mix answers asked under different rules."
	}
	c := q.ShowIf
	current := "" // the value of the chosen question in the select
	target, targetAt := survey.Question{}, -1
	if c != nil {
		cf.Always = fmt.Sprintf("%s:%d", actionAlwaysShow, i)
		current = c.Question
		for j, fq := range filled.Questions {
			if fq.Key == c.Question {
				target, targetAt, current = fq, j, conditionRef(j)
				break
			}
		}
	}

	cf.Question = selectField{Name: prefix + condQuestion, ID: fieldID(prefix + condQuestion), Label: "Depends on the answer to"}
	cf.Question.Options = append(cf.Question.Options, selectChoice{Value: "", Label: "Always show (no condition)", Selected: c == nil})
	candidates := 0
	for j := range i {
		fq := filled.Questions[j]
		if fq.Confidential {
			continue
		}
		candidates++
		cf.Question.Options = append(cf.Question.Options, selectChoice{
			Value: conditionRef(j), Label: questionChoiceLabel(filled, j), Selected: current == conditionRef(j),
		})
	}
	if c != nil && !slices.ContainsFunc(cf.Question.Options, func(o selectChoice) bool { return o.Selected }) {
		// Chosen before it moved, turned confidential or went away: kept
		// on show, so that saving says what is wrong with it.
		label := "“" + c.Question + "” (not in the survey)"
		switch {
		case targetAt == i:
			label = questionChoiceLabel(filled, targetAt) + " (this question itself)"
		case targetAt > i:
			label = questionChoiceLabel(filled, targetAt) + " (comes after this one)"
		case targetAt >= 0:
			label = questionChoiceLabel(filled, targetAt) + " (confidential)"
		case c.Question == "":
			label = "(no question chosen)"
		}
		cf.Question.Options = append(cf.Question.Options, selectChoice{Value: current, Label: label, Selected: true})
	}
	switch {
	case i == 0:
		cf.NoCandidates = "This is the first question: there is no earlier one it could depend on."
	case candidates == 0:
		cf.NoCandidates = "No earlier question can be chosen: the questions before this one are all confidential."
	}
	cf.Question.Error = b.take(cf.Question.ID, title, prefix+condQuestion, prefix)
	if fieldID(prefix+condQuestion) == focus {
		cf.Question.Autofocus = true
	}

	switch {
	case c == nil:
	case targetAt < 0:
		cf.Kept = keptCondition(prefix, *c)
	default:
		cf.Chosen, cf.For = true, current
		chosenControls(b, cf, prefix, title, *c, target, filled.DefaultLocale, focus)
		if fc := filled.Questions[i].ShowIf; fc != nil && fc.Op.Valid() {
			cf.Summary = "Shown when " + filled.DescribeCondition(*fc, filled.DefaultLocale)
		}
	}
	return cf
}

// questionChoiceLabel names question j in the builder's menus.
func questionChoiceLabel(filled survey.Survey, j int) string {
	prompt := filled.ShortPrompt(filled.Questions[j], filled.DefaultLocale)
	if prompt == "" {
		prompt = "(no prompt yet)"
	}
	return "Question " + strconv.Itoa(j+1) + ": " + prompt
}

// chosenControls lays out the operator and the values for a condition on
// target.
func chosenControls(b *builderErrors, cf *conditionField, prefix, title string, c survey.Condition, target survey.Question, locale, focus string) {
	op := c.Op
	var fitting []survey.Op
	for _, o := range survey.Ops() {
		if o.Fits(target.Type) {
			fitting = append(fitting, o)
		}
	}
	if op == "" && len(fitting) > 0 {
		op = fitting[0]
	}
	cf.Op = selectField{Name: prefix + condOp, ID: fieldID(prefix + condOp), Label: "Condition", Autofocus: fieldID(prefix+condOp) == focus}
	if !slices.Contains(fitting, op) {
		cf.Op.Options = append(cf.Op.Options, selectChoice{Value: string(op), Label: opLabel(op) + " (does not apply to this question)", Selected: true})
	}
	for _, o := range fitting {
		cf.Op.Options = append(cf.Op.Options, selectChoice{Value: string(o), Label: opLabel(o), Selected: o == op})
	}
	cf.Op.Error = b.take(cf.Op.ID, title, prefix+condOp)

	if lo, hi, ok := target.Type.Scale(); ok {
		cf.Scale = true
		cf.Min = scoreSelect(prefix+condMin, "Lowest score", lo, hi, c.Min, lo)
		cf.Max = scoreSelect(prefix+condMax, "Highest score", lo, hi, c.Max, hi)
		cf.Min.Error = b.take(cf.Min.ID, title+" lowest score", prefix+condMin)
		cf.Max.Error = b.take(cf.Max.ID, title+" highest score", prefix+condMax)
	}
	if target.Type.IsChoice() {
		cf.Choice = true
		name := prefix + condOptions
		cf.Options = optionChecks{ID: fieldID(name), Legend: "Options"}
		for k, o := range target.Options {
			label := o.Label.Get(locale, locale)
			if label == "" {
				label = o.Key
			}
			cf.Options.Choices = append(cf.Options.Choices, checkField{
				Name: name, ID: fieldID(name + "-" + strconv.Itoa(k)), Label: label, Value: conditionRef(k),
				Checked: slices.Contains(c.Options, o.Key),
			})
		}
		for _, key := range c.Options {
			if _, ok := target.Option(key); !ok {
				// Removed from the question, or never in it: shown ticked,
				// so that saving says so and unticking drops it.
				cf.Options.Choices = append(cf.Options.Choices, checkField{
					Name: name, ID: fieldID(name + "-" + key), Label: "“" + key + "” (not an option of this question)", Value: key, Checked: true,
				})
			}
		}
		cf.Options.Error = b.take(cf.Options.ID, title+" options", name)
	}
}

// scoreSelect offers the scores lo…hi, v (or def) selected.
func scoreSelect(name, label string, lo, hi int, v *int, def int) selectField {
	chosen := def
	if v != nil {
		chosen = *v
	}
	f := selectField{Name: name, ID: fieldID(name), Label: label}
	if chosen < lo || chosen > hi {
		f.Options = append(f.Options, selectChoice{Value: strconv.Itoa(chosen), Label: strconv.Itoa(chosen) + " (outside the scale)", Selected: true})
	}
	for n := lo; n <= hi; n++ {
		f.Options = append(f.Options, selectChoice{Value: strconv.Itoa(n), Label: strconv.Itoa(n), Selected: n == chosen})
	}
	return f
}

// keptCondition carries a condition on a question the survey lacks as
// hidden inputs.
func keptCondition(prefix string, c survey.Condition) []hiddenField {
	kept := []hiddenField{{Name: prefix + condOp, Value: string(c.Op)}}
	if c.Min != nil {
		kept = append(kept, hiddenField{Name: prefix + condMin, Value: strconv.Itoa(*c.Min)})
	}
	if c.Max != nil {
		kept = append(kept, hiddenField{Name: prefix + condMax, Value: strconv.Itoa(*c.Max)})
	}
	for _, o := range c.Options {
		kept = append(kept, hiddenField{Name: prefix + condOptions, Value: o})
	}
	return kept
}

// placeholder is one a prompt may hold, with what it is replaced by.
type placeholder struct{ Code, Means string }

// placeholders lists those question i's prompt may hold: the company's
// name, and the answers to the earlier questions that are not
// confidential.
func placeholders(filled survey.Survey, i int) []placeholder {
	list := []placeholder{{Code: survey.PipeAccount, Means: "the name of the respondent's company"}}
	for j := range i {
		fq := filled.Questions[j]
		if fq.Confidential || fq.Key == "" {
			continue
		}
		list = append(list, placeholder{Code: survey.PipeAnswer(fq.Key), Means: "their answer to " + questionChoiceLabel(filled, j)})
	}
	return list
}

// stepNumbers returns, by question position, the step of the survey a
// respondent without JavaScript sees it on, and the number of steps.
func stepNumbers(filled survey.Survey) ([]int, int) {
	steps := filled.Steps()
	at := make([]int, 0, len(filled.Questions))
	for n, step := range steps {
		for range step {
			at = append(at, n+1)
		}
	}
	return at, len(steps)
}
