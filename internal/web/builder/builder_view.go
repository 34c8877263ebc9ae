package builder

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/survey"
	"github.com/candorhq/candor/internal/web/labels"
	"github.com/candorhq/candor/internal/web/problem"
	"github.com/candorhq/candor/internal/web/respondent"
)

// builderPage is the survey builder, for a new survey and for editing one.
// Every input carries its value as typed and the message of the error at
// its field path, and Summary lists every error with a link to its input.
type builderPage struct {
	Heading, Lead string
	Action        string // where the form posts
	Cancel, Crumb string // the page to go back to, and its name
	Editing       bool
	Open          bool // an open survey, on which some fields are fixed
	Status        survey.Status
	StatusLabel   string
	Revision      int
	Notice        string
	Conflict      *builderConflict
	Summary       []errorLink
	FocusSummary  bool

	DefaultLocale selectField
	Languages     languagesField
	Title, Intro  []textField
	Consent       []textField
	Anonymity     textField
	Comment       textField
	Validity      textField
	NamedMonths   textField

	Questions      []questionField
	QuestionsError string
	Steps          int // the steps a respondent without JavaScript sees
	NewType        selectField
	CanAdd         bool

	Branding brandingFields
	// Preview is the answer form as respondents would get it with what the
	// form holds now, saved or not, in the default language.
	Preview         respondent.AnswerForm
	PreviewBrand    *respondent.Brand
	PreviewLanguage string
	PreviewAction   string // where the live preview's script posts the form
}

// brandingFields are the inputs of a survey's branding.
type brandingFields struct {
	Logo       fileField
	LogoID     string // the logo uploaded already, posted again with the form
	LogoURL    string
	RemoveLogo checkField
	Accent     textField
	SenderName textField
	ReplyTo    textField
}

type fileField struct {
	Name, ID, Label, Accept, Help, Error string
}

// builderConflict describes the version someone else saved meanwhile.
type builderConflict struct {
	Revision  int
	UpdatedAt time.Time
	Href      string
}

type errorLink struct{ Href, Text string }

type textField struct {
	Name, ID, Label, Value string
	Lang                   string // of the value, for spelling and screen readers
	HintID                 string // of a hint shared with other inputs, such as the placeholders
	Type                   string // of a single-line input; "" is text
	Min                    int
	Multiline              bool
	Rows                   int
	Help, Error            string
	Locked                 string // why the field cannot change; "" when it can
	Autofocus              bool
}

// DescribedBy lists the ids of the help and error texts for aria-describedby.
func (f textField) DescribedBy() string {
	var ids []string
	if f.HintID != "" {
		ids = append(ids, f.HintID)
	}
	if f.Help != "" || f.Locked != "" {
		ids = append(ids, f.ID+"-help")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

type selectField struct {
	Name, ID, Label string
	Options         []selectChoice
	Error           string
	Locked          string
	Value           string // the selected value, for a locked select's hidden input
	Autofocus       bool
}

type selectChoice struct {
	Value, Label string
	Selected     bool
}

type checkField struct {
	Name, ID, Label, Help string
	Value                 string // posted when ticked; "" is "on"
	Checked               bool
	Error                 string
}

type languagesField struct {
	ID, Error string
	Choices   []languageChoice
	Locked    string
}

type languageChoice struct {
	Code, English, Native, ID string
	Checked, Default, Fixed   bool // Fixed: always declared, submitted as a hidden input
}

type questionField struct {
	Number           int
	ID               string
	Title            string
	Key              textField
	AdvancedID       string
	AdvancedOpen     bool // a key has an error, which must be seen
	Type             selectField
	Prompts          []textField
	Required         checkField
	Confidential     checkField
	Quotable         checkField
	MaxLength        textField
	IsChoice, IsText bool
	Options          []optionField
	OptionsError     string
	OptionsID        string
	AddOption        string // the action value
	First, Last      bool
	Up, Down, Remove string // action values
	UpID, DownID     string
	FocusUp          bool
	FocusDown        bool
	Condition        *conditionField
	Placeholders     []placeholder
	PlaceholdersID   string
	Step             int // on which step a respondent without JavaScript answers it
}

type optionField struct {
	Number int
	Key    textField
	Labels []textField
	Remove string // the action value; "" for a blank row
}

// builderOptions are what the page needs beyond the survey as typed.
type builderOptions struct {
	heading, lead, action, cancel, crumb string
	editing                              bool
	stored                               *survey.Survey // when editing: the survey as stored
	errs                                 map[string]string
	focus                                string
	notice                               string
	conflict                             *builderConflict
	newType                              survey.QuestionType
}

// builderErrors hands each error to the first input that claims its path,
// and collects the summary in page order.
type builderErrors struct {
	all     map[string]string
	used    map[string]bool
	summary []errorLink
}

// take returns the message for the first of paths that has an error,
// phrased with label, and lists it in the summary with a link to id.
func (b *builderErrors) take(id, label string, paths ...string) string {
	for _, p := range paths {
		msg, ok := b.all[p]
		if !ok || b.used[p] {
			continue
		}
		b.used[p] = true
		text := problem.FieldMessage(label, msg)
		b.summary = append(b.summary, errorLink{Href: "#" + id, Text: text})
		return text
	}
	return ""
}

// takeAll is take for every path matching match, the messages joined.
func (b *builderErrors) takeAll(id, label string, match func(string) bool) string {
	var msgs []string
	for _, p := range slices.Sorted(maps.Keys(b.all)) {
		if match(p) {
			if m := b.take(id, label, p); m != "" {
				msgs = append(msgs, m)
			}
		}
	}
	return strings.Join(msgs, " ")
}

// rest lists the errors no input claimed, such as a path the form has no
// input for.
func (b *builderErrors) rest() {
	for _, p := range slices.Sorted(maps.Keys(b.all)) {
		if !b.used[p] {
			b.used[p] = true
			b.summary = append(b.summary, errorLink{Text: problem.FieldMessage(p, b.all[p])})
		}
	}
}

// newBuilderPage lays out sv, as typed or stored, for the builder.
func newBuilderPage(sv survey.Survey, o builderOptions) builderPage {
	b := &builderErrors{all: o.errs, used: map[string]bool{}}
	open := o.stored != nil && o.stored.Status == survey.StatusOpen
	p := builderPage{
		Heading: o.heading, Lead: o.lead, Action: o.action, Cancel: o.cancel, Crumb: o.crumb,
		Editing: o.editing, Open: open, Revision: sv.Revision,
		Notice: o.notice, Conflict: o.conflict,
	}
	if o.stored != nil {
		p.Status, p.StatusLabel = o.stored.Status, labels.Status(o.stored.Status)
	}

	def := sv.DefaultLocale
	if def == "" {
		def = survey.DefaultLocale
	}
	locales := sv.Locales
	if len(locales) == 0 {
		locales = []string{def}
	}
	var fixedLocales []string
	if open {
		fixedLocales = o.stored.Locales
	}

	// Languages come first: the texts below are asked for in each of them.
	p.DefaultLocale = selectField{Name: fieldDefaultLocale, ID: fieldID(fieldDefaultLocale), Label: "Default language", Value: def}
	for _, code := range i18n.Supported() {
		p.DefaultLocale.Options = append(p.DefaultLocale.Options, selectChoice{Value: code, Label: localeLabel(code), Selected: code == def})
	}
	p.DefaultLocale.Error = b.take(p.DefaultLocale.ID, "Default language", fieldDefaultLocale)
	if open {
		p.DefaultLocale.Locked = "Fixed once the survey is open."
	}
	p.Languages = languagesField{ID: fieldID(fieldLocales + "-" + i18n.Supported()[0])}
	for _, code := range i18n.Supported() {
		p.Languages.Choices = append(p.Languages.Choices, languageChoice{
			Code: code, English: localeLabel(code), Native: i18n.Name(code), ID: fieldID(fieldLocales + "-" + code),
			Checked: slices.Contains(locales, code),
			Default: code == def,
			Fixed:   code == def || slices.Contains(fixedLocales, code),
		})
	}
	p.Languages.Error = b.takeAll(p.Languages.ID, "Languages", func(path string) bool {
		return path == fieldLocales || strings.HasPrefix(path, fieldLocales+"[")
	})
	if open {
		p.Languages.Locked = "Languages can be added to an open survey, not removed."
	}

	p.Title = textFields(b, fieldTitle, "Title", sv.Title, locales, false, o.focus)
	p.Intro = textFields(b, fieldIntro, "Introduction", sv.Intro, locales, true, o.focus)

	// The survey as saving would make it: its missing keys made, for the
	// hints and the preview.
	filled := sv.Clone()
	filled.Normalize()
	var fixed func(key string) (survey.Question, bool)
	if open {
		fixed = o.stored.Question
	}

	p.QuestionsError = b.take("questions", "Questions", "questions")
	stepOf, steps := stepNumbers(filled)
	p.Steps = steps
	for i, q := range sv.Questions {
		qf := questionFields(b, i, len(sv.Questions), q, locales, o.focus, placeholders(filled, i))
		qf.Condition = conditionFields(b, i, sv, filled, open && isStored(fixed, q.Key), o.focus)
		if i < len(stepOf) {
			qf.Step = stepOf[i]
		}
		fixKeys(&qf, q, filled.Questions[i], fixed)
		p.Questions = append(p.Questions, qf)
	}
	p.CanAdd = len(sv.Questions) < survey.MaxQuestions
	newType := o.newType
	if !newType.Valid() {
		newType = survey.TypeSingle
	}
	p.NewType = selectField{Name: fieldNewType, ID: fieldID(fieldNewType), Label: "New question type"}
	for _, t := range labels.QuestionTypes() {
		p.NewType.Options = append(p.NewType.Options, selectChoice{Value: string(t), Label: labels.QuestionType(t), Selected: t == newType})
	}

	p.Consent = textFields(b, fieldConsent, "Consent text", sv.ConsentText, locales, true, o.focus)

	p.Anonymity = numberField(b, fieldAnonymity, "Anonymity threshold", sv.AnonymityThreshold, survey.MinAnonymityThreshold,
		fmt.Sprintf("Reports hide every group smaller than this. At least %d; usually %d.", survey.MinAnonymityThreshold, survey.DefaultAnonymityThreshold))
	p.Comment = numberField(b, fieldComment, "Comment threshold", sv.CommentThreshold, survey.MinAnonymityThreshold,
		"Free-text answers are quoted only from groups at least this large. At least the anonymity threshold.")
	p.Validity = numberField(b, fieldValidity, "Link validity (days)", sv.TokenValidityDays, 1,
		fmt.Sprintf("How long an invitation link works, 1 to %d days. Changing it affects only invitations sent afterwards.", survey.MaxTokenValidityDays))
	p.NamedMonths = numberField(b, fieldNamedMonths, "Keep names on answers (months)", sv.NamedRetentionMonths, 0,
		fmt.Sprintf("Named answers become anonymous after this many months, 0 to %d; empty or 0 follows the retention policy, which a survey can shorten but not extend.", survey.MaxRetentionMonths))
	if open {
		why := "Fixed once the survey is open: respondents answered under it."
		p.Anonymity.Locked, p.Comment.Locked = why, why
	}

	p.Branding = brandingFieldsOf(b, sv.Branding, o.focus)

	b.rest()
	p.Summary = b.summary
	p.Preview = respondent.NewAnswerForm(filled, filled.DefaultLocale, nil, nil)
	p.Preview.Preview, p.Preview.Embedded = true, true
	// Texts not written yet show as such, so that no heading or question
	// of the preview is empty.
	if p.Preview.Title == "" {
		p.Preview.Title = "(No title yet)"
	}
	for i := range p.Preview.Questions {
		if p.Preview.Questions[i].Prompt == "" {
			p.Preview.Questions[i].Prompt = fmt.Sprintf("(Question %d has no prompt yet)", i+1)
		}
	}
	p.PreviewBrand = respondent.BrandOf(filled.Branding)
	p.PreviewLanguage = localeLabel(p.Preview.Locale)
	p.PreviewAction = LivePreviewPath
	p.FocusSummary = len(p.Summary) > 0 && o.focus == ""
	return p
}

// textFields lays out one input per locale for a translated text. An error
// about the text as a whole ("is required") shows at the first input.
func textFields(b *builderErrors, name, label string, t survey.Text, locales []string, multiline bool, focus string) []textField {
	fields := make([]textField, len(locales))
	for k, l := range locales {
		fname := name + "." + l
		id := fieldID(fname)
		paths := []string{fname}
		if k == 0 {
			paths = append(paths, name)
		}
		f := textField{
			Name: fname, ID: id, Label: localeLabel(l), Lang: l, Value: t[l],
			Multiline: multiline, Rows: 3, Autofocus: id == focus,
		}
		f.Error = b.take(id, label+" ("+localeLabel(l)+")", paths...)
		fields[k] = f
	}
	return fields
}

func numberField(b *builderErrors, name, label string, v, minimum int, help string) textField {
	f := textField{Name: name, ID: fieldID(name), Label: label, Type: "number", Min: minimum, Help: help}
	if v != 0 {
		f.Value = strconv.Itoa(v)
	}
	f.Error = b.take(f.ID, label, name)
	return f
}

func questionFields(b *builderErrors, i, n int, q survey.Question, locales []string, focus string, pipes []placeholder) questionField {
	prefix := QuestionPrefix(i)
	title := "Question " + strconv.Itoa(i+1)
	qf := questionField{
		Number: i + 1, ID: fieldID(prefix), Title: title,
		IsChoice: q.Type.IsChoice(), IsText: q.Type == survey.TypeText,
		First: i == 0, Last: i == n-1,
		Up:     fmt.Sprintf("%s:%d", actionUp, i),
		Down:   fmt.Sprintf("%s:%d", actionDown, i),
		Remove: fmt.Sprintf("%s:%d", actionRemove, i),
		UpID:   fieldID(prefix + ".up"), DownID: fieldID(prefix + ".down"),
		AdvancedID: fieldID(prefix + ".advanced"),
	}
	qf.FocusUp, qf.FocusDown = qf.UpID == focus, qf.DownID == focus
	qf.Key = textField{
		Name: prefix + ".key", ID: fieldID(prefix + ".key"), Label: "Key", Value: q.Key,
		Autofocus: fieldID(prefix+".key") == focus,
	}
	qf.Key.Error = b.take(qf.Key.ID, title+" key", prefix+".key")
	qf.Type = selectField{Name: prefix + ".type", ID: fieldID(prefix + ".type"), Label: "Type", Value: string(q.Type)}
	for _, t := range labels.QuestionTypes() {
		qf.Type.Options = append(qf.Type.Options, selectChoice{Value: string(t), Label: labels.QuestionType(t), Selected: t == q.Type})
	}
	qf.Type.Error = b.take(qf.Type.ID, title+" type", prefix+".type")
	qf.Placeholders, qf.PlaceholdersID = pipes, fieldID(prefix+".prompt")+"-placeholders"
	qf.Prompts = textFields(b, prefix+".prompt", title+" prompt", q.Prompt, locales, false, focus)
	for k := range qf.Prompts {
		qf.Prompts[k].HintID = qf.PlaceholdersID
	}

	if qf.IsChoice {
		qf.OptionsID = fieldID(prefix + ".options")
		qf.AddOption = fmt.Sprintf("%s:%d", actionAddOption, i)
		// Blank rows to fill in: enough for the minimum, and always one
		// unless the last row is a blank one "Add option" just made.
		spare := max(survey.MinOptions-len(q.Options), 0)
		if n := len(q.Options); spare == 0 && (n == 0 || !blankOption(q.Options[n-1])) {
			spare = 1
		}
		rows := len(q.Options) + spare
		for j := range rows {
			var o survey.Option
			if j < len(q.Options) {
				o = q.Options[j]
			}
			qf.Options = append(qf.Options, optionFields(b, i, j, o, locales, focus, j < len(q.Options)))
		}
		qf.OptionsError = b.take(qf.OptionsID, title+" options", prefix+".options")
	}
	qf.AdvancedOpen = qf.Key.Error != "" || qf.Key.Autofocus
	for _, of := range qf.Options {
		qf.AdvancedOpen = qf.AdvancedOpen || of.Key.Error != "" || of.Key.Autofocus
	}
	if qf.IsText {
		qf.MaxLength = numberField(b, prefix+".maxLength", title+" maximum length", q.MaxLength, 1,
			fmt.Sprintf("In characters; empty means %d.", survey.DefaultTextLength))
		qf.MaxLength.Label = "Maximum length"
	}
	qf.Required = checkField{Name: prefix + ".required", ID: fieldID(prefix + ".required"), Label: "Required", Checked: q.Required}
	qf.Required.Error = b.take(qf.Required.ID, title+" required", prefix+".required")
	qf.Confidential = checkField{
		Name: prefix + ".confidential", ID: fieldID(prefix + ".confidential"), Label: "Confidential", Checked: q.Confidential,
		Help: "Answers are encrypted at rest and never shown word for word.",
	}
	qf.Confidential.Error = b.take(qf.Confidential.ID, title+" confidential", prefix+".confidential")
	if qf.IsText {
		qf.Quotable = checkField{
			Name: prefix + ".quotable", ID: fieldID(prefix + ".quotable"), Label: "Quotable", Checked: q.Quotable,
			Help: "Answers may be quoted word for word in reports, from groups that meet the comment threshold.",
		}
		qf.Quotable.Error = b.take(qf.Quotable.ID, title+" quotable", prefix+".quotable")
	}
	return qf
}

// isStored reports whether the open survey being edited has a question
// with key, whose condition may thus be fixed by its answers.
func isStored(stored func(string) (survey.Question, bool), key string) bool {
	if stored == nil {
		return false
	}
	_, ok := stored(strings.ToLower(strings.TrimSpace(key)))
	return ok
}

func blankOption(o survey.Option) bool { return o.Key == "" && len(o.Label) == 0 }

func optionFields(b *builderErrors, i, j int, o survey.Option, locales []string, focus string, filled bool) optionField {
	row := optionPrefix(i, j)
	label := fmt.Sprintf("Question %d option %d", i+1, j+1)
	of := optionField{Number: j + 1}
	of.Key = textField{Name: row + ".key", ID: fieldID(row + ".key"), Label: fmt.Sprintf("Option %d key", j+1), Value: o.Key}
	of.Key.Autofocus = of.Key.ID == focus
	of.Key.Error = b.take(of.Key.ID, label+" key", row+".key")
	for k, l := range locales {
		name := row + ".label." + l
		f := textField{Name: name, ID: fieldID(name), Label: fmt.Sprintf("Option %d label in %s", j+1, localeLabel(l)), Lang: l, Value: o.Label[l]}
		f.Autofocus = f.ID == focus
		paths := []string{name}
		if k == 0 {
			paths = append(paths, row+".label")
		}
		f.Error = b.take(f.ID, label+" label ("+localeLabel(l)+")", paths...)
		of.Labels = append(of.Labels, f)
	}
	if filled {
		of.Remove = fmt.Sprintf("%s:%d:%d", actionRemoveOption, i, j)
	}
	return of
}

// fixKeys explains each key of a question: on an open survey, the keys
// stored already are fixed, since answers are filed under them; any other
// may be left empty, and filled shows what saving would make of it.
func fixKeys(qf *questionField, q, filled survey.Question, fixed func(string) (survey.Question, bool)) {
	const why = "Fixed: answers are filed under it."
	stored, isStored := survey.Question{}, false
	if fixed != nil {
		stored, isStored = fixed(strings.ToLower(strings.TrimSpace(q.Key)))
	}
	if isStored {
		qf.Key.Locked = why
	} else {
		qf.Key.Help = generatedHelp("prompt", q.Key, filled.Key)
	}
	for j := range qf.Options {
		k := &qf.Options[j].Key
		if _, ok := stored.Option(strings.ToLower(strings.TrimSpace(k.Value))); isStored && ok && k.Value != "" {
			k.Locked = why
			continue
		}
		generated := ""
		if j < len(filled.Options) && j < len(q.Options) {
			generated = filled.Options[j].Key
		}
		k.Help = generatedHelp("label", k.Value, generated)
	}
}

func generatedHelp(from, typed, generated string) string {
	help := "Names the answers in reports and exports: a–z, 0–9 and _, starting with a letter. Leave it empty to make it from the " + from + "."
	if strings.TrimSpace(typed) == "" && generated != "" {
		help += " Saving now makes “" + generated + "”."
	}
	return help
}

// brandingFieldsOf lays out a survey's branding.
func brandingFieldsOf(b *builderErrors, br survey.Branding, focus string) brandingFields {
	f := brandingFields{LogoID: br.LogoID}
	f.Logo = fileField{
		Name: fieldLogoFile, ID: fieldID(fieldLogoFile), Label: "Logo", Accept: "image/png,image/jpeg",
		Help: "A PNG or JPEG image of at most 256 KB, shown at the top of the survey's pages and emails.",
	}
	if br.LogoID != "" {
		f.LogoURL = respondent.LogoPath + url.PathEscape(br.LogoID)
		f.Logo.Label = "Replace the logo"
		f.RemoveLogo = checkField{Name: fieldRemoveLogo, ID: fieldID(fieldRemoveLogo), Label: "Remove the logo"}
	}
	f.Logo.Error = b.take(f.Logo.ID, "Logo", fieldLogoFile)
	text := func(name, label, typ, value, help string) textField {
		t := textField{Name: name, ID: fieldID(name), Label: label, Type: typ, Value: value, Help: help, Autofocus: fieldID(name) == focus}
		t.Error = b.take(t.ID, label, name)
		return t
	}
	f.Accent = text(fieldAccent, "Accent colour", "", br.Accent,
		"Colours the buttons and links of the survey's pages and emails, written #rrggbb, such as #0b5cad. "+
			"Buttons show white text on it, so it needs a contrast of at least 4.5:1 with white. Empty: Candor's blue.")
	f.SenderName = text(fieldSender, "Sender name", "", br.SenderName,
		"The name the survey's emails come from, and the logo's text for people who cannot see it; the sending address stays the same. Empty: the usual sender.")
	f.ReplyTo = text(fieldReplyTo, "Reply-to address", "email", br.ReplyTo,
		"Where replies to the survey's emails go. Empty: to the sending address.")
	return f
}
