package builder

import (
	"fmt"
	"iter"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/survey"
)

// The builder's field names are the paths survey validation reports
// errors at: "title.fi", "anonymityThreshold", "questions[2].prompt.fi",
// "questions[0].options[1].label.sv". An error thus finds its input by name.
const (
	fieldDefaultLocale = "defaultLocale"
	fieldLocales       = "locales"
	fieldTitle         = "title"
	fieldIntro         = "intro"
	fieldConsent       = "consentText"
	fieldAnonymity     = "anonymityThreshold"
	fieldComment       = "commentThreshold"
	fieldValidity      = "tokenValidityDays"
	fieldNamedMonths   = "namedRetentionMonths"
	fieldRevision      = "revision"
	fieldAction        = "action"
	fieldNewType       = "newType"

	// Branding. The logo file and a logo already uploaded travel apart:
	// the file is posted once, its id with every later post of the form.
	fieldLogoFile   = "branding.logo"
	fieldLogoID     = "branding.logoId"
	fieldRemoveLogo = "branding.removeLogo"
	fieldAccent     = "branding.accent"
	fieldSender     = "branding.senderName"
	fieldReplyTo    = "branding.replyTo"
)

// Bounds on what a posted form can make the parser allocate. They sit just
// above the survey's own limits, so that validation still reports "too many".
const (
	maxFormIndex    = 1000
	maxFormLocales  = 16
	maxFormQuestion = survey.MaxQuestions + 1
	maxFormOptions  = survey.MaxOptions + 1
)

func QuestionPrefix(i int) string  { return "questions[" + strconv.Itoa(i) + "]" }
func optionPrefix(i, j int) string { return QuestionPrefix(i) + ".options[" + strconv.Itoa(j) + "]" }

// parseSurveyForm reads the builder form into a survey definition, as
// typed: Normalize and Validate come later, so that the form can be shown
// again exactly as it was. It returns, by field name, the inputs it could
// not read at all (a number that is not one).
//
// Texts are read in the declared languages only (the default language and
// the ticked ones), so unticking a language drops its translations. Fields
// that do not apply to a question's type (options, maximum length,
// quotable) are ignored, as the builder hides them. Option rows left blank
// are dropped. The form is untrusted input: parseSurveyForm never panics
// and allocates in proportion to the form.
func parseSurveyForm(form url.Values) (survey.Survey, map[string]string) {
	p := formReader{form: form, problems: map[string]string{}}
	sv := survey.Survey{DefaultLocale: strings.TrimSpace(form.Get(fieldDefaultLocale))}

	declared := make([]string, 0, 4)
	declare := func(l string) {
		if l = strings.TrimSpace(l); l != "" && len(declared) < maxFormLocales && !slices.Contains(declared, l) {
			declared = append(declared, l)
		}
	}
	if sv.DefaultLocale == "" {
		declare(survey.DefaultLocale)
	} else {
		declare(sv.DefaultLocale)
	}
	for _, l := range form[fieldLocales] {
		declare(l)
	}
	sv.Locales = declared
	p.locales = declared

	sv.Title = p.text(fieldTitle)
	sv.Intro = p.text(fieldIntro)
	sv.ConsentText = p.text(fieldConsent)
	sv.AnonymityThreshold = p.number(fieldAnonymity)
	sv.CommentThreshold = p.number(fieldComment)
	sv.TokenValidityDays = p.number(fieldValidity)
	sv.NamedRetentionMonths = p.number(fieldNamedMonths)
	sv.Revision = p.number(fieldRevision)

	refs := formRefs{questions: map[int]int{}}
	for i, opts := range formIndexes(form) {
		q, rows := p.question(QuestionPrefix(i), opts)
		refs.questions[i] = len(sv.Questions)
		refs.options = append(refs.options, rows)
		sv.Questions = append(sv.Questions, q)
	}
	refs.resolve(&sv)

	sv.Branding = survey.Branding{
		Accent:     form.Get(fieldAccent),
		SenderName: form.Get(fieldSender),
		ReplyTo:    form.Get(fieldReplyTo),
	}
	if !p.checked(fieldRemoveLogo) {
		sv.Branding.LogoID = form.Get(fieldLogoID)
	}
	return sv, p.problems
}

// formIndexes yields, in order, the question indexes the form names and,
// for each, its option row indexes. It reads every key once; cutIndex
// bounds the indexes, and the body limit the number of keys.
func formIndexes(form url.Values) iter.Seq2[int, []int] {
	rows := map[int]map[int]bool{}
	for key := range form {
		i, rest, ok := cutIndex(key, "questions[")
		if !ok {
			continue
		}
		if rows[i] == nil {
			rows[i] = map[int]bool{}
		}
		if j, _, ok := cutIndex(rest, ".options["); ok {
			rows[i][j] = true
		}
	}
	return func(yield func(int, []int) bool) {
		for n, i := range slices.Sorted(maps.Keys(rows)) {
			if n >= maxFormQuestion || !yield(i, slices.Sorted(maps.Keys(rows[i]))) {
				return
			}
		}
	}
}

// cutIndex reads "prefix<n>]" at the start of s, for a canonical decimal
// n below maxFormIndex, and returns n and what follows.
func cutIndex(s, prefix string) (int, string, bool) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, "", false
	}
	digits, rest, ok := strings.Cut(rest, "]")
	if !ok || digits == "" || len(digits) > 3 || (digits[0] == '0' && len(digits) > 1) {
		return 0, "", false
	}
	n := 0
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, "", false
		}
		n = n*10 + int(c-'0')
	}
	return n, rest, n < maxFormIndex
}

// formReader reads fields of one posted builder form.
type formReader struct {
	form     url.Values
	locales  []string
	problems map[string]string
}

// text reads name.<locale> for each declared locale.
func (p formReader) text(name string) survey.Text {
	var t survey.Text
	for _, l := range p.locales {
		if v := p.form.Get(name + "." + l); v != "" {
			if t == nil {
				t = survey.Text{}
			}
			t[l] = v
		}
	}
	return t
}

// number reads a whole number; blank is 0, which takes the default.
func (p formReader) number(name string) int {
	v := strings.TrimSpace(p.form.Get(name))
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		p.problems[name] = "must be a whole number"
		return 0
	}
	return n
}

func (p formReader) checked(name string) bool { return p.form.Get(name) != "" }

// question reads one question, and returns with it, for each option row
// it kept, the option's position in the question.
func (p formReader) question(prefix string, optionRows []int) (survey.Question, map[int]int) {
	rows := map[int]int{}
	q := survey.Question{
		Key:          p.form.Get(prefix + ".key"),
		Type:         survey.QuestionType(strings.TrimSpace(p.form.Get(prefix + ".type"))),
		Prompt:       p.text(prefix + ".prompt"),
		Required:     p.checked(prefix + ".required"),
		Confidential: p.checked(prefix + ".confidential"),
	}
	switch {
	case q.Type == survey.TypeText:
		q.MaxLength = p.number(prefix + ".maxLength")
		q.Quotable = p.checked(prefix + ".quotable")
	case q.Type.IsChoice():
		for _, j := range optionRows {
			row := prefix + ".options[" + strconv.Itoa(j) + "]"
			o := survey.Option{Key: p.form.Get(row + ".key"), Label: p.text(row + ".label")}
			if strings.TrimSpace(o.Key) == "" && len(o.Label) == 0 {
				continue // a blank row: the builder always offers one more
			}
			if len(q.Options) == maxFormOptions {
				break
			}
			rows[j] = len(q.Options)
			q.Options = append(q.Options, o)
		}
	}
	q.ShowIf = p.condition(prefix + showIfSuffix)
	return q, rows
}

// The inputs of a question's condition, after the question's prefix. The
// tested question and its options are posted as references to their rows
// in the form ("#2", see conditionRef), so that a condition holds while
// keys are still made from the wording; a key stands for a question not
// on the form. "for" is the tested question the operator and values were
// shown for: when the question was chosen anew, they belong to another.
const (
	showIfSuffix   = ".showIf"
	condQuestion   = ".question"
	condFor        = ".for"
	condOp         = ".op"
	condMin        = ".min"
	condMax        = ".max"
	condOptions    = ".options"
	conditionRefAt = "#"
)

// conditionRef is how the form refers to the question or option row n.
func conditionRef(n int) string { return conditionRefAt + strconv.Itoa(n) }

func parseConditionRef(v string) (int, bool) {
	digits, ok := strings.CutPrefix(v, conditionRefAt)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 0 && n < maxFormIndex
}

// condition reads a question's condition; nil when it is always shown.
// Only the values the chosen operator takes are read, since the form
// offers the others alongside.
func (p formReader) condition(name string) *survey.Condition {
	target := strings.TrimSpace(p.form.Get(name + condQuestion))
	if target == "" {
		return nil
	}
	c := &survey.Condition{Question: target}
	if shownFor, ok := p.form[name+condFor]; ok && (len(shownFor) == 0 || shownFor[0] != target) {
		return c // a question chosen anew: its condition is chosen next
	}
	c.Op = survey.Op(strings.TrimSpace(p.form.Get(name + condOp)))
	switch c.Op {
	case survey.OpBetween:
		c.Min, c.Max = p.optionalNumber(name+condMin), p.optionalNumber(name+condMax)
	case survey.OpAnyOf, survey.OpNoneOf:
		for _, o := range p.form[name+condOptions] {
			if len(c.Options) == maxFormOptions {
				break
			}
			if o = strings.TrimSpace(o); o != "" && !slices.Contains(c.Options, o) {
				c.Options = append(c.Options, o)
			}
		}
	}
	return c
}

// optionalNumber reads a whole number; blank is nil.
func (p formReader) optionalNumber(name string) *int {
	if strings.TrimSpace(p.form.Get(name)) == "" {
		return nil
	}
	n := p.number(name)
	if _, bad := p.problems[name]; bad {
		return nil
	}
	return &n
}

// formRefs maps the form's rows to the parsed survey: a question's index
// in the form to its position, and, by position, an option's row to its
// position in the question.
type formRefs struct {
	questions map[int]int
	options   []map[int]int
}

// resolve turns the row references of each condition into keys: those
// typed, or those saving the survey as it stands would make. An option row
// left blank or removed drops out of the condition.
func (r formRefs) resolve(sv *survey.Survey) {
	var filled *survey.Survey
	for i := range sv.Questions {
		c := sv.Questions[i].ShowIf
		if c == nil {
			continue
		}
		n, ok := parseConditionRef(c.Question)
		if !ok {
			continue
		}
		pos, ok := r.questions[n]
		if !ok {
			c.Question = ""
			continue
		}
		if filled == nil {
			f := sv.Clone()
			f.Normalize()
			filled = &f
		}
		target := filled.Questions[pos]
		c.Question = target.Key
		opts := c.Options[:0]
		for _, o := range c.Options {
			row, isRef := parseConditionRef(o)
			if !isRef {
				opts = append(opts, o)
			} else if at, ok := r.options[pos][row]; ok {
				opts = append(opts, target.Options[at].Key)
			}
		}
		c.Options = opts
	}
}

// builderAction is what a builder submit button asks for. Every button
// posts the whole form, so that nothing typed is lost; only "save" stores.
type builderAction struct {
	kind   string
	q, opt int // question and option index, for the actions that take them
}

// Builder actions, as posted in the action field: "save", "add", "refresh",
// "remove:2", "up:2", "down:2", "add-option:2", "remove-option:2:1",
// "condition:2" (show the choices for the question chosen to depend on),
// "always-show:2" (drop the condition).
const (
	actionSave         = "save"
	actionAdd          = "add"
	actionRefresh      = "refresh"
	actionRemove       = "remove"
	actionUp           = "up"
	actionDown         = "down"
	actionAddOption    = "add-option"
	actionRemoveOption = "remove-option"
	actionCondition    = "condition"
	actionAlwaysShow   = "always-show"
)

// parseBuilderAction reads the action field; anything unknown saves, as
// pressing Enter in a text field does.
func parseBuilderAction(v string) builderAction {
	parts := strings.Split(v, ":")
	index := func(k int) (int, bool) {
		if k >= len(parts) {
			return 0, false
		}
		n, err := strconv.Atoi(parts[k])
		return n, err == nil && n >= 0 && n < maxFormIndex
	}
	a := builderAction{kind: parts[0]}
	switch a.kind {
	case actionAdd, actionRefresh:
		if len(parts) == 1 {
			return a
		}
	case actionRemove, actionUp, actionDown, actionAddOption, actionCondition, actionAlwaysShow:
		if q, ok := index(1); ok && len(parts) == 2 {
			a.q = q
			return a
		}
	case actionRemoveOption:
		q, okQ := index(1)
		o, okO := index(2)
		if okQ && okO && len(parts) == 3 {
			a.q, a.opt = q, o
			return a
		}
	}
	return builderAction{kind: actionSave}
}

// prepare applies the actions that act on rows as posted, before parsing
// drops blank rows and renumbers the rest.
func (a builderAction) prepare(form url.Values) {
	if a.kind != actionRemoveOption {
		return
	}
	row := optionPrefix(a.q, a.opt) + "."
	for key := range form {
		if strings.HasPrefix(key, row) {
			delete(form, key)
		}
	}
}

// apply changes the parsed survey as the action asks and returns the id of
// the input to focus on the page shown next, and a notice when the action
// could not be done.
func (a builderAction) apply(sv *survey.Survey, newType survey.QuestionType) (focus, notice string) {
	qs := sv.Questions
	inRange := a.q < len(qs)
	switch a.kind {
	case actionAdd:
		if len(qs) >= survey.MaxQuestions {
			return "", fmt.Sprintf("A survey has at most %d questions.", survey.MaxQuestions)
		}
		if !newType.Valid() {
			newType = survey.TypeNPS
		}
		// No key: saving makes one from the prompt.
		sv.Questions = append(qs, survey.Question{Type: newType})
		return fieldID(QuestionPrefix(len(qs)) + ".prompt." + firstLocale(sv)), ""
	case actionRemove:
		if inRange {
			sv.Questions = slices.Delete(qs, a.q, a.q+1)
		}
	case actionUp:
		if inRange && a.q > 0 {
			qs[a.q-1], qs[a.q] = qs[a.q], qs[a.q-1]
			return moveFocus(a.q-1, len(qs), actionUp), ""
		}
	case actionDown:
		if inRange && a.q+1 < len(qs) {
			qs[a.q], qs[a.q+1] = qs[a.q+1], qs[a.q]
			return moveFocus(a.q+1, len(qs), actionDown), ""
		}
	case actionAddOption:
		if !inRange || !qs[a.q].Type.IsChoice() {
			break
		}
		if len(qs[a.q].Options) >= survey.MaxOptions {
			return "", fmt.Sprintf("A question has at most %d options.", survey.MaxOptions)
		}
		qs[a.q].Options = append(qs[a.q].Options, survey.Option{})
		// The label: the key is under Advanced, and may stay empty.
		return fieldID(optionPrefix(a.q, len(qs[a.q].Options)-1) + ".label." + firstLocale(sv)), ""
	case actionRemoveOption:
		if inRange && len(qs[a.q].Options) > 0 {
			return fieldID(optionPrefix(a.q, 0) + ".label." + firstLocale(sv)), ""
		}
	case actionCondition:
		if inRange && qs[a.q].ShowIf != nil {
			return fieldID(QuestionPrefix(a.q) + showIfSuffix + condOp), ""
		}
		if inRange {
			return fieldID(QuestionPrefix(a.q) + showIfSuffix + condQuestion), ""
		}
	case actionAlwaysShow:
		if inRange {
			qs[a.q].ShowIf = nil
			return fieldID(QuestionPrefix(a.q) + showIfSuffix + condQuestion), ""
		}
	}
	return "", ""
}

func firstLocale(sv *survey.Survey) string {
	if len(sv.Locales) > 0 {
		return sv.Locales[0]
	}
	return survey.DefaultLocale
}

// moveFocus is the button to focus on after a question moved to index i
// of n: the one just pressed (dir), so that pressing it again keeps moving
// the question, or the other one once the question reached an end.
func moveFocus(i, n int, dir string) string {
	switch {
	case dir == actionUp && i == 0:
		dir = actionDown
	case dir == actionDown && i == n-1:
		dir = actionUp
	}
	return fieldID(QuestionPrefix(i) + "." + dir)
}

// fieldID turns a field name into an element id: "questions[2].prompt.fi"
// becomes "f-questions-2-prompt-fi".
func fieldID(name string) string {
	var b strings.Builder
	b.WriteString("f")
	dash := true
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			if dash {
				b.WriteByte('-')
				dash = false
			}
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}

// localeLabel names a locale for staff: "Finnish".
func localeLabel(code string) string {
	if name := i18n.EnglishName(code); name != "" {
		return name
	}
	return code
}

// pinReferencedKeys writes down the keys that saving would make for the
// questions and options other questions refer to, by condition or
// placeholder, so that rewording them later does not break the reference.
func pinReferencedKeys(sv *survey.Survey) {
	filled := sv.Clone()
	filled.Normalize()
	referenced := map[string]bool{}
	options := map[string][]string{} // question key → option keys conditions name
	for _, q := range filled.Questions {
		for _, k := range q.DependsOn() {
			referenced[k] = true
		}
		if c := q.ShowIf; c != nil {
			options[c.Question] = append(options[c.Question], c.Options...)
		}
	}
	for i := range sv.Questions {
		q, f := &sv.Questions[i], filled.Questions[i]
		if !referenced[f.Key] {
			continue
		}
		if strings.TrimSpace(q.Key) == "" {
			q.Key = f.Key
		}
		for j := range q.Options {
			if strings.TrimSpace(q.Options[j].Key) == "" && slices.Contains(options[f.Key], f.Options[j].Key) {
				q.Options[j].Key = f.Options[j].Key
			}
		}
	}
}
