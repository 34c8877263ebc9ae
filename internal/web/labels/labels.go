// Package labels names domain values on staff pages.
package labels

import (
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// Status names a survey status for staff.
func Status(st survey.Status) string {
	switch st {
	case survey.StatusDraft:
		return "Draft"
	case survey.StatusOpen:
		return "Open"
	case survey.StatusClosed:
		return "Closed"
	}
	return string(st)
}

// QuestionTypes are the question types in the order the builder offers them.
func QuestionTypes() []survey.QuestionType {
	return []survey.QuestionType{survey.TypeNPS, survey.TypeCSAT, survey.TypeCES, survey.TypeSingle, survey.TypeMulti, survey.TypeText}
}

// QuestionType names a question type for staff.
func QuestionType(t survey.QuestionType) string {
	switch t {
	case survey.TypeNPS:
		return "NPS — likelihood to recommend, 0–10"
	case survey.TypeCSAT:
		return "CSAT — satisfaction, 1–5"
	case survey.TypeCES:
		return "CES — customer effort, 1–7"
	case survey.TypeSingle:
		return "Single choice"
	case survey.TypeMulti:
		return "Multiple choice"
	case survey.TypeText:
		return "Free text"
	}
	return string(t)
}

// ShortQuestionType is typeLabel for tight spaces.
func ShortQuestionType(t survey.QuestionType) string {
	switch t {
	case survey.TypeNPS:
		return "NPS 0–10"
	case survey.TypeCSAT:
		return "CSAT 1–5"
	case survey.TypeCES:
		return "CES 1–7"
	}
	return QuestionType(t)
}

func Role(r store.Role) string {
	switch r {
	case store.RoleAdmin:
		return "Admin"
	case store.RoleManager:
		return "Manager"
	case store.RoleAnalyst:
		return "Analyst"
	}
	return string(r)
}

// CampaignState names a campaign state for staff.
func CampaignState(st store.CampaignState) string {
	switch st {
	case store.CampaignScheduled:
		return "Scheduled"
	case store.CampaignSending:
		return "Sending"
	case store.CampaignSent:
		return "Sent"
	case store.CampaignCancelled:
		return "Cancelled"
	}
	return string(st)
}

// Due says how a follow-up stands against its due time, in dueIn from
// now: a class for its colour (due-overdue, due-soon within a day,
// due-later, due-closed once resolved) and the words, empty when closed.
func Due(active, overdue bool, dueIn time.Duration) (class, text string) {
	switch {
	case !active:
		return "due-closed", ""
	case overdue:
		return "due-overdue", "Overdue by " + Duration(-dueIn)
	case dueIn <= 24*time.Hour:
		return "due-soon", "Due in " + Duration(dueIn)
	}
	return "due-later", "Due in " + Duration(dueIn)
}

// Duration says d in the largest units that matter: minutes under an
// hour, hours under two days, then days and hours.
func Duration(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if hours == 0 {
		return plural(days, "day")
	}
	return plural(days, "day") + " " + plural(hours, "hour")
}
