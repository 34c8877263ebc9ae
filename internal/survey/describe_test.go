package survey_test

import (
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func TestDescribeCondition(t *testing.T) {
	t.Parallel()
	s := adaptive()
	s.Questions = append(s.Questions, survey.Question{Key: "services", Type: survey.TypeMulti, Prompt: bi("Which of our services do you use at your sites today, and how often?", "Palvelut?"),
		Options: []survey.Option{opt("repair", "Repair", "Korjaus"), opt("maintenance", "Maintenance", "Huolto"), opt("modern", "Modernisation", "Modernisointi")}})
	tests := []struct {
		name   string
		c      survey.Condition
		locale string
		want   string
	}{
		{"a range", survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)}, "en", "‘How likely are you to recommend {{account}}?’ is 0–6"},
		{"one score", survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(7), Max: new(7)}, "en", "‘How likely are you to recommend {{account}}?’ is 7"},
		{"no range", survey.Condition{Question: "nps", Op: survey.OpBetween}, "en", "has a score (range not chosen)"},
		{"one option", survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"support"}}, "en", "‘What went wrong?’ is answered with “Support”"},
		{"two options", survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"price", "support"}}, "en", "is answered with “Price” or “Support”"},
		{"three options, shortened prompt", survey.Condition{Question: "services", Op: survey.OpAnyOf, Options: []string{"repair", "maintenance", "modern"}}, "en",
			"‘Which of our services do you use at your sites…’ is answered with “Repair”, “Maintenance” or “Modernisation”"},
		{"none of", survey.Condition{Question: "why_low", Op: survey.OpNoneOf, Options: []string{"price"}}, "en", "‘What went wrong?’ is answered, but not with “Price”"},
		{"answered", survey.Condition{Question: "why_high", Op: survey.OpAnswered}, "en", "‘What do you like most?’ is answered"},
		{"not answered", survey.Condition{Question: "why_high", Op: survey.OpNotAnswered}, "en", "‘What do you like most?’ is not answered (or was not asked)"},
		{"in another locale", survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"price"}}, "fi", "‘Mikä meni vikaan?’ is answered with “Hinta”"},
		{"a locale the survey lacks", survey.Condition{Question: "why_high", Op: survey.OpAnswered}, "de", "‘What do you like most?’ is answered"},
		{"a missing question", survey.Condition{Question: "gone", Op: survey.OpAnswered}, "en", "question “gone” is answered"},
		{"a missing option", survey.Condition{Question: "why_low", Op: survey.OpAnyOf, Options: []string{"weather"}}, "en", "is answered with “weather”"},
		{"an unknown operator", survey.Condition{Question: "nps", Op: "above"}, "en", "meets the unknown condition “above”"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := s.DescribeCondition(tt.c, tt.locale); !strings.Contains(got, tt.want) {
				t.Errorf("DescribeCondition = %q, want …%s…", got, tt.want)
			}
		})
	}
}

// TestDescribeConditionCoversEveryOp makes sure a new operator cannot be
// added without saying in words what it tests.
func TestDescribeConditionCoversEveryOp(t *testing.T) {
	t.Parallel()
	s := adaptive()
	seen := map[string]survey.Op{}
	for _, op := range survey.Ops() {
		c := survey.Condition{Question: "nps", Op: op, Min: new(0), Max: new(6), Options: []string{"price"}}
		if op == survey.OpAnyOf || op == survey.OpNoneOf {
			c.Question = "why_low"
		}
		got := s.DescribeCondition(c, "en")
		if strings.Contains(got, "unknown condition") || strings.Contains(got, "not chosen") {
			t.Errorf("%s is not described: %q", op, got)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%s and %s read the same: %q", op, other, got)
		}
		seen[got] = op
	}
}
