package reports

import (
	"testing"

	"github.com/candorhq/candor/internal/survey"
)

func TestDescribeCondition(t *testing.T) {
	t.Parallel()
	sv := survey.Survey{DefaultLocale: "en", Questions: []survey.Question{
		{Key: "nps", Type: survey.TypeNPS, Prompt: survey.Text{"en": "How likely are you to recommend {{account}} to a colleague?"}},
		{Key: "channel", Type: survey.TypeSingle, Prompt: survey.Text{"en": "How do you reach us?"},
			Options: []survey.Option{{Key: "email", Label: survey.Text{"en": "Email"}}, {Key: "phone", Label: survey.Text{"en": "Phone"}}, {Key: "web", Label: survey.Text{"en": "Web"}}}},
		{Key: "services", Type: survey.TypeMulti, Prompt: survey.Text{"en": "Which services?"},
			Options: []survey.Option{{Key: "repair", Label: survey.Text{"en": "Repair"}}, {Key: "care", Label: survey.Text{"en": "Care"}}}},
	}}
	tests := []struct {
		name string
		c    *survey.Condition
		want string
	}{
		{"none", nil, ""},
		{"a range", &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)},
			"Asked when ‘How likely are you to recommend…’ is 0–6"},
		{"one score", &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(10), Max: new(10)},
			"Asked when ‘How likely are you to recommend…’ is 10"},
		{"any of one", &survey.Condition{Question: "channel", Op: survey.OpAnyOf, Options: []string{"phone"}},
			"Asked when ‘How do you reach us?’ is “Phone”"},
		{"any of several", &survey.Condition{Question: "channel", Op: survey.OpAnyOf, Options: []string{"email", "phone", "web"}},
			"Asked when ‘How do you reach us?’ is “Email”, “Phone” or “Web”"},
		{"none of", &survey.Condition{Question: "channel", Op: survey.OpNoneOf, Options: []string{"web"}},
			"Asked when ‘How do you reach us?’ is answered, but not “Web”"},
		{"multi includes", &survey.Condition{Question: "services", Op: survey.OpAnyOf, Options: []string{"repair", "care"}},
			"Asked when ‘Which services?’ includes “Repair” or “Care”"},
		{"answered", &survey.Condition{Question: "channel", Op: survey.OpAnswered}, "Asked when ‘How do you reach us?’ is answered"},
		{"not answered", &survey.Condition{Question: "channel", Op: survey.OpNotAnswered}, "Asked when ‘How do you reach us?’ is not answered"},
	}
	for _, tt := range tests {
		if got := describeCondition(sv, survey.Question{Key: "x", ShowIf: tt.c}); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
