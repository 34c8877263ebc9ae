package survey

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Op is how a condition tests an earlier answer.
type Op string

// Condition operators.
const (
	OpAnswered    Op = "answered"     // any answer at all
	OpNotAnswered Op = "not_answered" // no answer, or the question was not shown
	OpBetween     Op = "between"      // a score from Min to Max, both included
	OpAnyOf       Op = "any_of"       // at least one of Options chosen
	OpNoneOf      Op = "none_of"      // answered, and none of Options chosen
)

// Ops are the operators in the order the builder offers them.
func Ops() []Op { return []Op{OpBetween, OpAnyOf, OpNoneOf, OpAnswered, OpNotAnswered} }

// Valid reports whether o is a known operator.
func (o Op) Valid() bool { return slices.Contains(Ops(), o) }

// Fits reports whether o can test answers to questions of type t.
func (o Op) Fits(t QuestionType) bool {
	switch o {
	case OpAnswered, OpNotAnswered:
		return t.Valid()
	case OpBetween:
		_, _, ok := t.Scale()
		return ok
	case OpAnyOf, OpNoneOf:
		return t.IsChoice()
	}
	return false
}

// Condition shows a question only when an earlier question's answer meets
// it. The question it tests must come before, and must not be
// confidential: whether someone was asked would tell their answer.
type Condition struct {
	Question string   `bson:"question" json:"question"` // key of an earlier question
	Op       Op       `bson:"op" json:"op"`
	Min      *int     `bson:"min,omitempty" json:"min,omitempty"`         // OpBetween
	Max      *int     `bson:"max,omitempty" json:"max,omitempty"`         // OpBetween
	Options  []string `bson:"options,omitempty" json:"options,omitempty"` // OpAnyOf, OpNoneOf: option keys
}

// Holds reports whether the condition is met by a, the answer to its
// question; answered is false when there is none (unanswered, or not
// shown).
func (c Condition) Holds(a Answer, answered bool) bool {
	switch c.Op {
	case OpAnswered:
		return answered
	case OpNotAnswered:
		return !answered
	case OpBetween:
		return answered && a.Score != nil && c.Min != nil && c.Max != nil && *c.Min <= *a.Score && *a.Score <= *c.Max
	case OpAnyOf:
		return answered && slices.ContainsFunc(a.Choices, func(k string) bool { return slices.Contains(c.Options, k) })
	case OpNoneOf:
		return answered && len(a.Choices) > 0 && !slices.ContainsFunc(a.Choices, func(k string) bool { return slices.Contains(c.Options, k) })
	}
	return false
}

// Equal reports whether c and d test the same thing.
func (c *Condition) Equal(d *Condition) bool {
	if c == nil || d == nil {
		return c == d
	}
	return c.Question == d.Question && c.Op == d.Op && eqInt(c.Min, d.Min) && eqInt(c.Max, d.Max) &&
		slices.Equal(sortedCopy(c.Options), sortedCopy(d.Options))
}

func eqInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func (c *Condition) clone() *Condition {
	if c == nil {
		return nil
	}
	d := *c
	if c.Min != nil {
		d.Min = new(*c.Min)
	}
	if c.Max != nil {
		d.Max = new(*c.Max)
	}
	d.Options = slices.Clone(c.Options)
	return &d
}

func (c *Condition) normalize() {
	c.Question = normalizeKey(c.Question)
	c.Op = Op(strings.ToLower(strings.TrimSpace(string(c.Op))))
	var opts []string
	for _, o := range c.Options {
		if o = normalizeKey(o); o != "" && !slices.Contains(opts, o) {
			opts = append(opts, o)
		}
	}
	c.Options = opts
}

// String is the condition in the short form ParseCondition reads:
// "nps between 0 6", "reason any_of price,support", "comment answered".
func (c Condition) String() string {
	switch c.Op {
	case OpBetween:
		return fmt.Sprintf("%s %s %s %s", c.Question, c.Op, intText(c.Min), intText(c.Max))
	case OpAnyOf, OpNoneOf:
		return fmt.Sprintf("%s %s %s", c.Question, c.Op, strings.Join(c.Options, ","))
	}
	return c.Question + " " + string(c.Op)
}

func intText(n *int) string {
	if n == nil {
		return "?"
	}
	return strconv.Itoa(*n)
}

// ParseCondition reads a condition in the short form String writes. It
// checks only the form; Validate checks it against the survey.
func ParseCondition(s string) (Condition, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return Condition{}, fmt.Errorf("survey: a condition is a question key, an operator and its values, such as \"nps between 0 6\"")
	}
	c := Condition{Question: normalizeKey(f[0]), Op: Op(strings.ToLower(f[1]))}
	if !validKey(c.Question) {
		return Condition{}, fmt.Errorf("survey: %q is not a question key", f[0])
	}
	args := f[2:]
	want := 0
	switch c.Op {
	case OpAnswered, OpNotAnswered:
	case OpBetween:
		want = 2
	case OpAnyOf, OpNoneOf:
		want = 1
	default:
		return Condition{}, fmt.Errorf("survey: unknown condition %q; use %s", f[1], opList())
	}
	if len(args) != want {
		return Condition{}, fmt.Errorf("survey: %s takes %d values, not %d", c.Op, want, len(args))
	}
	switch c.Op {
	case OpBetween:
		lo, err1 := strconv.Atoi(args[0])
		hi, err2 := strconv.Atoi(args[1])
		if err1 != nil || err2 != nil {
			return Condition{}, fmt.Errorf("survey: between takes two whole numbers")
		}
		c.Min, c.Max = &lo, &hi
	case OpAnyOf, OpNoneOf:
		for o := range strings.SplitSeq(args[0], ",") {
			if o = normalizeKey(o); !validKey(o) {
				return Condition{}, fmt.Errorf("survey: %q is not an option key", o)
			}
			if !slices.Contains(c.Options, o) {
				c.Options = append(c.Options, o)
			}
		}
	}
	return c, nil
}

func opList() string {
	names := make([]string, 0, len(Ops()))
	for _, o := range Ops() {
		names = append(names, string(o))
	}
	return strings.Join(names, ", ")
}

// Shown returns which questions someone with these answers is shown, in
// question order. A question with a condition is shown when the question
// it tests was shown and the condition holds; one without is always shown.
func (s Survey) Shown(answers Answers) map[string]bool {
	shown := make(map[string]bool, len(s.Questions))
	for _, q := range s.Questions {
		shown[q.Key] = s.showsTo(q, answers, shown)
	}
	return shown
}

// ShownKeys returns the keys of the questions Shown says are shown, in
// question order.
func (s Survey) ShownKeys(answers Answers) []string {
	shown := s.Shown(answers)
	keys := make([]string, 0, len(s.Questions))
	for _, q := range s.Questions {
		if shown[q.Key] && !slices.Contains(keys, q.Key) {
			keys = append(keys, q.Key)
		}
	}
	return keys
}

// showsTo decides q given what was decided for the questions before it.
func (s Survey) showsTo(q Question, answers Answers, shown map[string]bool) bool {
	c := q.ShowIf
	if c == nil {
		return true
	}
	var a Answer
	answered := false
	if shown[c.Question] {
		a, answered = answers.Get(c.Question)
	}
	return c.Holds(a, answered)
}

// Steps splits the questions into the pages a respondent without
// JavaScript answers one after the other: a step ends before a question
// whose condition or piped prompt depends on an answer given on the same
// step, since the server learns that answer only when the step is sent.
// Each step holds at least one question; a survey without conditions or
// piping is one step.
func (s Survey) Steps() [][]Question {
	var (
		steps   [][]Question
		current []Question
		onStep  = map[string]bool{}
	)
	for _, q := range s.Questions {
		depends := q.ShowIf != nil && onStep[q.ShowIf.Question]
		for _, key := range q.pipedKeys() {
			depends = depends || onStep[key]
		}
		if depends && len(current) > 0 {
			steps = append(steps, current)
			current, onStep = nil, map[string]bool{}
		}
		current = append(current, q)
		onStep[q.Key] = true
	}
	if len(current) > 0 {
		steps = append(steps, current)
	}
	return steps
}

// checkCondition reports a condition that tests a missing, later or
// confidential question, or that does not fit the question it tests.
// before are the questions before q, by key.
func (c checker) condition(path string, q Question, before map[string]Question) {
	cond := q.ShowIf
	if cond == nil {
		return
	}
	path += ".showIf"
	if cond.Question == "" {
		c.add(path+".question", "choose the question this one depends on")
		return
	}
	if cond.Question == q.Key {
		c.add(path+".question", "a question cannot depend on its own answer")
		return
	}
	target, ok := before[cond.Question]
	if !ok {
		c.add(path+".question", "%q is not a question before this one; a question can only depend on an earlier one", cond.Question)
		return
	}
	if target.Confidential {
		c.add(path+".question", "%q is confidential: showing a question depending on its answer would tell who gave which answer", cond.Question)
		return
	}
	switch {
	case !cond.Op.Valid():
		c.add(path+".op", "unknown condition %q; use %s", cond.Op, opList())
		return
	case !cond.Op.Fits(target.Type):
		c.add(path+".op", "%s does not apply to a %s question", cond.Op, target.Type)
		return
	}
	switch cond.Op {
	case OpBetween:
		lo, hi, _ := target.Type.Scale()
		switch {
		case cond.Min == nil || cond.Max == nil:
			c.add(path+".min", "choose the lowest and the highest score")
		case *cond.Min < lo || *cond.Max > hi:
			c.add(path+".min", "scores of %q run from %d to %d", cond.Question, lo, hi)
		case *cond.Min > *cond.Max:
			c.add(path+".max", "must be at least the lowest score (%d)", *cond.Min)
		}
	case OpAnyOf, OpNoneOf:
		if len(cond.Options) == 0 {
			c.add(path+".options", "choose at least one option")
		}
		for _, o := range cond.Options {
			if _, ok := target.Option(o); !ok {
				c.add(path+".options", "%q is not an option of %q", o, cond.Question)
			}
		}
	}
	if cond.Op != OpBetween && (cond.Min != nil || cond.Max != nil) {
		c.add(path+".min", "only between takes scores")
	}
	if cond.Op != OpAnyOf && cond.Op != OpNoneOf && len(cond.Options) > 0 {
		c.add(path+".options", "only any_of and none_of take options")
	}
}
