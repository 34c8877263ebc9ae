// Package report tells what customers think — response counts and rates,
// NPS, CSAT, CES, the distribution of every scale and choice question,
// trends by ISO week, calendar month or calendar quarter, breakdowns by a
// segment dimension (of every response or of one manager's accounts) and
// the change from the previous period — without telling who said what.
//
// Numbers come from rollups: counts per survey, week's part of a month
// (see part) and segment value, kept up to date with $inc upserts as
// responses are stored and deleted (Service.Add, Service.Remove) and
// recomputable from the responses (Service.Rebuild). A report reads a
// survey's index of parts and, per calendar quarter and rollup dimension,
// one snapshot plus the parts that changed since: a bounded number of _id
// look-ups, whatever the number of responses. Scan computes the same
// Report straight from responses. Withdrawing consent changes no answer,
// so no rollup; deleting a response (erasure) takes it away again.
//
// Anonymity. What any report may show is decided once per survey and
// version of its counts, for all reports together: the release (see
// package release). It is checked exactly on its atoms, so that no
// combination of reports — breakdowns, filters, managers' breakdowns,
// overlapping ranges, trends and their totals — lets anyone subtract their way to
// fewer than k respondents. A report shows a number when the release
// shows it or shown forms of the same group add up to it, and otherwise
// says why not. Two things remain visible by design: a change between
// two reports as responses arrive or are erased, and attributes shared by
// a whole shown group (everyone in it gave the same answer).
package report

import (
	"errors"
	"fmt"
	"time"

	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/survey"
)

// Errors callers branch on.
var (
	ErrInvalidQuery = fault.New(fault.Invalid, "report", "invalid query")
	ErrInvalidEntry = errors.New("report: invalid entry")
	ErrNoSurvey     = errors.New("report: no survey to report on")
)

// Dimension is a segment attribute responses can be broken down by.
type Dimension string

// Dimensions.
const (
	Region   Dimension = "region"
	Country  Dimension = "country"
	Industry Dimension = "industry"
	Tier     Dimension = "tier"
	Manager  Dimension = "manager" // the account manager's user id
	// Account is the customer account itself, by id: one account's
	// report, or a breakdown by account. Responses carry it sealed, so
	// only reports count by it; it is no segment of comments.
	Account Dimension = "account"
)

// Dimensions returns every segment dimension, in the order reports offer
// them; Account, a dimension too, is not among them.
func Dimensions() []Dimension { return []Dimension{Region, Country, Industry, Tier, Manager} }

// Valid reports whether d is a known dimension.
func (d Dimension) Valid() bool {
	switch d {
	case Region, Country, Industry, Tier, Manager, Account:
		return true
	}
	return false
}

// Segment is what a response is broken down by: attributes of the
// respondent's company, and the company. An empty value is a value like
// any other ("not recorded").
type Segment struct {
	Region    string
	Country   string
	Industry  string
	Tier      string
	ManagerID string
	AccountID string // only ever stored sealed
}

// Value returns the segment's value in dimension d.
func (s Segment) Value(d Dimension) string {
	switch d {
	case Region:
		return s.Region
	case Country:
		return s.Country
	case Industry:
		return s.Industry
	case Tier:
		return s.Tier
	case Manager:
		return s.ManagerID
	case Account:
		return s.AccountID
	}
	return ""
}

// Entry is what a stored response contributes to reports. Text answers
// count for nothing: quotes come from the responses themselves.
type Entry struct {
	// ResponseID names the stored response, so that it is counted once
	// however often counting it is tried; empty for an entry with no
	// stored response (Add then counts it under a random id).
	ResponseID string
	SurveyID   string
	Day        time.Time // the response's date; only its UTC day counts
	Segment    Segment
	Answers    []survey.Answer
	// Conditional says, of each of the survey's conditional scale and
	// choice questions, whether the respondent was shown it (see
	// ConditionalOf). An answer to one not shown counts for nothing.
	Conditional map[string]bool
}

// Source yields entries until it has no more or yield returns an error,
// which it returns.
type Source func(yield func(Entry) error) error

// Period is the unit of a report's range and trend: an ISO week (Monday
// to Sunday), a calendar month or a calendar quarter.
type Period string

// Periods.
const (
	Weekly    Period = "week"
	Monthly   Period = "month"
	Quarterly Period = "quarter"
)

// Valid reports whether p is a known period.
func (p Period) Valid() bool { return p == Weekly || p == Monthly || p == Quarterly }

// Filter narrows a report to the responses with one segment value.
type Filter struct {
	Dimension Dimension `json:"dimension"`
	Value     string    `json:"value"`
}

// Query asks for a report.
type Query struct {
	// From and To bound the range; either may be zero for the first or
	// last day with responses. The range widens to whole periods and ends
	// today at the latest.
	From, To time.Time
	// Period is the unit of the range and the trend; Monthly when empty.
	Period Period
	// By breaks the numbers down by one dimension (optional).
	By Dimension
	// Filter reports on one segment value only (optional; with By only
	// as one manager's accounts).
	Filter Filter
	// Invitations is how many people were invited, for the response rate;
	// zero when unknown.
	Invitations int
	// Today ends every range; the clock's day when zero.
	Today time.Time
}

// MaxPeriods limits how many periods a report's range may span.
const MaxPeriods = 1000

// Reason says why numbers are withheld.
type Reason string

// Reasons.
const (
	// FewResponses: fewer respondents than the anonymity threshold.
	FewResponses Reason = "few_responses"
	// Complement: hidden so that a smaller group next to it cannot be
	// worked out by subtraction.
	Complement Reason = "complement"
	// PartHidden: it spans a week, month or survey whose numbers are hidden.
	PartHidden Reason = "part_hidden"
	// SparseWeeks: segments are released by month and quarter only; a
	// week, or a range that starts or ends within a month, is not theirs.
	SparseWeeks Reason = "sparse_weeks"
	// Unchecked: at this detail the groups are too many and too small to
	// check that none can be worked out; a coarser breakdown shows.
	Unchecked Reason = "unchecked"
)

// Text describes the reason in English for threshold k.
func (r Reason) Text(k int) string {
	switch r {
	case FewResponses:
		return fmt.Sprintf("fewer than %d responses", k)
	case Complement:
		return "hidden so that a smaller group cannot be worked out by subtraction"
	case PartHidden:
		return "includes a period or group whose numbers are hidden"
	case SparseWeeks:
		return "groups are shown by whole months and quarters, not by week"
	case Unchecked:
		return "too many small groups at this detail to check that none can be worked out; choose a coarser breakdown"
	}
	return "hidden"
}

// NPS is the Net Promoter Score of those who answered the NPS question.
type NPS struct {
	Score      float64 `json:"score"` // -100..100
	Promoters  int     `json:"promoters"`
	Passives   int     `json:"passives"`
	Detractors int     `json:"detractors"`
	Answered   int     `json:"answered"`
}

// CSAT is the share of satisfied (4–5) among those who answered the CSAT
// question.
type CSAT struct {
	Percent   float64 `json:"percent"`
	Satisfied int     `json:"satisfied"`
	Answered  int     `json:"answered"`
}

// CES is the average customer effort score (1–7) of those who answered.
type CES struct {
	Average  float64 `json:"average"`
	Answered int     `json:"answered"`
}

// Cell is the numbers of one group: every response in the range, a
// segment value or a period. A suppressed cell carries a reason and no
// numbers; a metric is absent when nobody in the group answered it.
type Cell struct {
	Label      string `json:"label,omitempty"` // the segment value or the period
	Suppressed bool   `json:"suppressed,omitempty"`
	Reason     Reason `json:"reason,omitempty"`
	Responses  *int   `json:"responses,omitempty"`
	NPS        *NPS   `json:"nps,omitempty"`
	CSAT       *CSAT  `json:"csat,omitempty"`
	CES        *CES   `json:"ces,omitempty"`
}

// Point is one period of a trend, or the previous period.
type Point struct {
	Cell
	From time.Time `json:"from"` // its first day
	To   time.Time `json:"to"`   // its last day
	// Breakdown is the period's cells by the query's dimension, unless
	// BreakdownReason says why there are none.
	Breakdown       []Cell `json:"breakdown,omitempty"`
	BreakdownReason Reason `json:"breakdownReason,omitempty"`
}

// Bucket is one answer value of a question and how many gave it; Share is
// its share of those who answered, in percent (multi questions may add up
// to more than 100).
type Bucket struct {
	Value string  `json:"value"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// Question is the distribution of one scale or choice question's answers
// over the report's range. Scale values are listed from low to high,
// options in the survey's order, then any values the survey no longer has.
type Question struct {
	Key        string              `json:"key"`
	Type       survey.QuestionType `json:"type"`
	Suppressed bool                `json:"suppressed,omitempty"`
	Reason     Reason              `json:"reason,omitempty"`
	// Shown is how many were shown the question: every response, but for
	// a conditional question. Its response rate and those who skipped it
	// are of those shown; its distribution, mean and scores of those who
	// answered.
	Shown        *int     `json:"shown,omitempty"`
	Answered     *int     `json:"answered,omitempty"`
	Mean         *float64 `json:"mean,omitempty"` // scale questions
	NPS          *NPS     `json:"nps,omitempty"`
	CSAT         *CSAT    `json:"csat,omitempty"`
	Distribution []Bucket `json:"distribution,omitempty"`
}

// Change is the difference from the previous period, where both are shown.
type Change struct {
	Responses *int     `json:"responses,omitempty"`
	NPS       *float64 `json:"nps,omitempty"`  // points
	CSAT      *float64 `json:"csat,omitempty"` // percentage points
	CES       *float64 `json:"ces,omitempty"`
}

// Report is what a query shows. Reports never hold personal data: only
// counts of groups at or above the threshold, and segment values.
type Report struct {
	Surveys   []string `json:"surveys"`
	Threshold int      `json:"threshold"` // the largest k of the surveys
	Period    Period   `json:"period"`
	// From and To are the first and last day of the range, whole periods;
	// zero when there are no responses.
	From   time.Time `json:"from,omitzero"`
	To     time.Time `json:"to,omitzero"`
	Filter *Filter   `json:"filter,omitempty"`

	Overall      Cell     `json:"overall"`
	Invitations  int      `json:"invitations,omitempty"`
	ResponseRate *float64 `json:"responseRate,omitempty"` // percent

	// Questions is filled for a report on one survey.
	Questions []Question `json:"questions,omitempty"`

	By              Dimension `json:"by,omitempty"`
	Breakdown       []Cell    `json:"breakdown,omitempty"` // sorted by value
	BreakdownReason Reason    `json:"breakdownReason,omitempty"`

	Trend    []Point `json:"trend,omitempty"`
	Previous *Point  `json:"previous,omitempty"` // the periods just before, as many, when they had responses
	Change   *Change `json:"change,omitempty"`
}
