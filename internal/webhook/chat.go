package webhook

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Slack and Teams messages. They carry what a person needs to act (the
// account, the survey, the score, the due time) and the link back, never
// the answer's text: the respondent consented to being named to their
// account managers, which does not cover a chat channel.

func (s FollowupSummary) headline(eventType string) string {
	switch eventType {
	case FollowupOverdue:
		return "Follow-up overdue: " + s.Account
	default:
		return "New detractor follow-up: " + s.Account
	}
}

func (s FollowupSummary) facts() [][2]string {
	facts := [][2]string{{"Account", s.Account}, {"Survey", s.SurveyTitle}}
	if s.Score != nil {
		facts = append(facts, [2]string{"Score", fmt.Sprint(*s.Score)})
	}
	if s.DueAt != nil {
		facts = append(facts, [2]string{"Due", s.DueAt.UTC().Format("Mon 2 Jan 2006 15:04") + " UTC"})
	}
	return facts
}

// slackEscape escapes what Slack's mrkdwn reads as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackBody is a Slack incoming-webhook message: text for notifications,
// blocks for the message itself.
func slackBody(e Event) ([]byte, error) {
	f := e.Followup
	if f == nil {
		return nil, fmt.Errorf("webhook: %s has no Slack message", e.Type)
	}
	title := f.headline(e.Type)
	var lines []string
	for _, kv := range f.facts() {
		lines = append(lines, "*"+kv[0]+":* "+slackEscape(kv[1]))
	}
	msg := map[string]any{
		"text": slackEscape(title) + " " + f.URL,
		"blocks": []any{
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*" + slackEscape(title) + "*\n" + strings.Join(lines, "\n")}},
			map[string]any{"type": "actions", "elements": []any{map[string]any{
				"type": "button", "text": map[string]any{"type": "plain_text", "text": "Open the follow-up"}, "url": f.URL,
			}}},
		},
	}
	return json.Marshal(msg)
}

// teamsBody is a Teams incoming-webhook message, as a MessageCard.
func teamsBody(e Event) ([]byte, error) {
	f := e.Followup
	if f == nil {
		return nil, fmt.Errorf("webhook: %s has no Teams message", e.Type)
	}
	var facts []map[string]string
	for _, kv := range f.facts() {
		facts = append(facts, map[string]string{"name": kv[0], "value": kv[1]})
	}
	color := "D83B01"
	if e.Type == FollowupOverdue {
		color = "A4262C"
	}
	card := map[string]any{
		"@type": "MessageCard", "@context": "https://schema.org/extensions",
		"summary": f.headline(e.Type), "themeColor": color, "title": f.headline(e.Type),
		"sections": []any{map[string]any{"facts": facts}},
		"potentialAction": []any{map[string]any{
			"@type": "OpenUri", "name": "Open the follow-up",
			"targets": []any{map[string]string{"os": "default", "uri": f.URL}},
		}},
	}
	return json.Marshal(card)
}
