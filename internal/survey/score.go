package survey

// Category is where an NPS score puts a respondent.
type Category string

// NPS categories.
const (
	Promoter  Category = "promoter"  // 9–10
	Passive   Category = "passive"   // 7–8
	Detractor Category = "detractor" // 0–6
)

// NPSCategory returns the category of an NPS score, or "" for a score
// outside 0–10.
func NPSCategory(score int) Category {
	switch {
	case score < 0 || score > 10:
		return ""
	case score >= 9:
		return Promoter
	case score >= 7:
		return Passive
	}
	return Detractor
}

// NPS returns the Net Promoter Score, from -100 (all detractors) to 100
// (all promoters); ok is false when there are no respondents.
func NPS(promoters, passives, detractors int) (score float64, ok bool) {
	total := promoters + passives + detractors
	if total <= 0 {
		return 0, false
	}
	return float64(promoters-detractors) * 100 / float64(total), true
}

// CSATSatisfied reports whether a CSAT score counts as satisfied (4–5).
func CSATSatisfied(score int) bool { return score == 4 || score == 5 }

// CSAT returns the percentage of satisfied respondents; ok is false when
// there are none.
func CSAT(satisfied, total int) (percent float64, ok bool) {
	if total <= 0 {
		return 0, false
	}
	return float64(satisfied) * 100 / float64(total), true
}
