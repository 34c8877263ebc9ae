package survey

import "strconv"

// EmailScore returns the question an invitation email may offer as a row
// of score links: the first question, when it is NPS or CSAT and its
// answer is not confidential. A score in a link passes through mail
// clients, link scanners and browser history, which a confidential answer
// must not.
func (s Survey) EmailScore() (Question, bool) {
	if len(s.Questions) == 0 {
		return Question{}, false
	}
	q := s.Questions[0]
	if (q.Type != TypeNPS && q.Type != TypeCSAT) || q.Confidential {
		return Question{}, false
	}
	return q, true
}

// ScorePrefill reads the score a survey link asks to pre-select: key names
// a scale question whose answer is not confidential, and value is a whole
// number in its range written plainly ("7"; not "07", "+7" or "7.0"). ok is
// false for anything else, which the form then ignores.
func (s Survey) ScorePrefill(key, value string) (q Question, score int, ok bool) {
	q, found := s.Question(key)
	if !found || q.Confidential {
		return Question{}, 0, false
	}
	lo, hi, scaled := q.Type.Scale()
	if !scaled || len(value) > 2 {
		return Question{}, 0, false
	}
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi || strconv.Itoa(n) != value {
		return Question{}, 0, false
	}
	return q, n, true
}
