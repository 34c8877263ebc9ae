// Package labels names domain values on staff pages.
package labels

import (
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
