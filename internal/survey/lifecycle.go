package survey

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/candorhq/candor/internal/fault"
)

// Errors callers branch on.
var (
	ErrNotDraft = fault.New(fault.Conflict, "survey", "only a draft can be opened").ShownAs("only a draft survey can be opened")
	ErrNotOpen  = fault.New(fault.Conflict, "survey", "only an open survey can be closed")
	ErrClosed   = fault.New(fault.Conflict, "survey", "a closed survey cannot be edited").ShownAs("a closed survey cannot be changed")
	ErrStale    = fault.New(fault.Conflict, "survey", "the survey has changed since it was loaded")
)

// stamp is the time recorded for now. BSON dates keep milliseconds, so
// recording no more makes a stored survey equal to the one saved.
func stamp(now time.Time) time.Time { return now.UTC().Truncate(time.Millisecond) }

// New returns a draft made from a manager's definition: normalized,
// validated, and with every managed field set afresh.
func New(def Survey, id, ownerID string, now time.Time) (Survey, error) {
	s := def.Clone()
	s.reset(id, ownerID, now)
	s.Normalize()
	if err := s.Validate(); err != nil {
		return Survey{}, err
	}
	return s, nil
}

// Duplicate returns a new draft with src's definition and consent text,
// titled "Copy of …" in each locale, and none of src's history.
func Duplicate(src Survey, newID, ownerID string, now time.Time) Survey {
	s := src.Clone()
	s.reset(newID, ownerID, now)
	for locale, title := range s.Title {
		s.Title[locale] = truncate("Copy of "+title, MaxTitleLength)
	}
	return s
}

func (s *Survey) reset(id, ownerID string, now time.Time) {
	t := stamp(now)
	s.ID, s.OwnerID = id, ownerID
	s.Status = StatusDraft
	s.ConsentVersion, s.ConsentHistory = 1, nil
	s.CreatedAt, s.UpdatedAt = t, t
	s.OpenedAt, s.ClosedAt = nil, nil
	s.Revision = 1
}

func truncate(s string, runes int) string {
	if utf8.RuneCountInString(s) <= runes {
		return s
	}
	return string([]rune(s)[:runes])
}

// Open starts a valid draft accepting answers and publishes its consent
// text as the first version, unless one was published already.
func (s *Survey) Open(now time.Time) error {
	if s.Status != StatusDraft {
		return ErrNotDraft
	}
	if err := s.Validate(); err != nil {
		return err
	}
	t := stamp(now)
	if len(s.ConsentHistory) == 0 {
		s.ConsentHistory = []ConsentVersion{newConsentVersion(s.ConsentVersion, s.ConsentText, t)}
	}
	s.Status, s.OpenedAt = StatusOpen, &t
	s.touch(t)
	return nil
}

// Close stops an open survey accepting answers, for good.
func (s *Survey) Close(now time.Time) error {
	if s.Status != StatusOpen {
		return ErrNotOpen
	}
	t := stamp(now)
	s.Status, s.ClosedAt = StatusClosed, &t
	s.touch(t)
	return nil
}

func (s *Survey) touch(t time.Time) {
	s.UpdatedAt = t
	s.Revision++
}

// ApplyEdit returns current changed to edited's definition, or the reasons it
// may not be, as field errors, ErrClosed or ErrStale. edited's managed
// fields are ignored, except that a non-zero Revision must match current's
// (the edit was made to what is stored now). Neither argument is changed.
//
// A draft takes any valid edit. An open survey has answers that must keep
// their meaning, so it takes wording fixes (titles, intro, prompts, option
// labels) and additions, nothing that reinterprets an answer already given:
//   - a question with answers keeps its type and options (adding options
//     is fine) and cannot be removed; hasAnswers says which questions have
//     any, and a nil hasAnswers means all do;
//   - nor can it become quotable, or stop being confidential: respondents
//     answered under the old promise; nor change its condition, which says
//     whom its answers (and its report's denominator) come from;
//   - a new question must be optional, since earlier respondents never saw it;
//   - locales may be added, fully translated, but not removed, and the
//     default locale stays;
//   - the anonymity and comment thresholds are fixed: respondents answered
//     under them, and reports over the survey's life must agree; token
//     validity, which only affects new invitations, may change;
//   - a changed consent text is published as a new version; earlier
//     versions stay in ConsentHistory for the consents given under them.
func ApplyEdit(current, edited Survey, hasAnswers func(questionKey string) bool, now time.Time) (Survey, error) {
	switch current.Status {
	case StatusDraft, StatusOpen:
	case StatusClosed:
		return Survey{}, ErrClosed
	default:
		return Survey{}, fmt.Errorf("survey: cannot edit a survey with status %q", current.Status)
	}
	if edited.Revision != 0 && edited.Revision != current.Revision {
		return Survey{}, ErrStale
	}
	if hasAnswers == nil {
		hasAnswers = func(string) bool { return true }
	}

	next := edited.Clone()
	managed := current.Clone()
	next.ID, next.OwnerID, next.Status = managed.ID, managed.OwnerID, managed.Status
	next.ConsentVersion, next.ConsentHistory = managed.ConsentVersion, managed.ConsentHistory
	next.CreatedAt, next.OpenedAt, next.ClosedAt = managed.CreatedAt, managed.OpenedAt, managed.ClosedAt
	next.Revision = managed.Revision
	next.Normalize()

	p := next.problems()
	if current.Status == StatusOpen {
		openEditProblems(p, current, next, hasAnswers)
	}
	if err := p.err(); err != nil {
		return Survey{}, err
	}

	t := stamp(now)
	if current.Status == StatusOpen && !next.ConsentText.Equal(current.ConsentText) {
		next.ConsentVersion++
		next.ConsentHistory = append(next.ConsentHistory, newConsentVersion(next.ConsentVersion, next.ConsentText, t))
	}
	next.touch(t)
	return next, nil
}

// openEditProblems adds to p what an open survey may not take from the edit
// cur → next (see ApplyEdit); a field p already has keeps its message.
func openEditProblems(p problems, cur, next Survey, hasAnswers func(string) bool) {
	if next.DefaultLocale != cur.DefaultLocale {
		p.add("defaultLocale", "cannot change once the survey is open (it is %s)", describe(cur.DefaultLocale))
	}
	var dropped []string
	for _, l := range cur.Locales {
		if !slices.Contains(next.Locales, l) {
			dropped = append(dropped, describe(l))
		}
	}
	if len(dropped) > 0 {
		p.add("locales", "cannot remove %s once the survey is open", strings.Join(dropped, ", "))
	}
	if next.AnonymityThreshold != cur.AnonymityThreshold {
		p.add("anonymityThreshold", "is fixed at %d once the survey is open", cur.AnonymityThreshold)
	}
	if next.CommentThreshold != cur.CommentThreshold {
		p.add("commentThreshold", "is fixed at %d once the survey is open", cur.CommentThreshold)
	}

	kept := make(map[string]bool, len(next.Questions))
	for i, q := range next.Questions {
		path := fmt.Sprintf("questions[%d]", i)
		old, existed := cur.Question(q.Key)
		if !existed {
			if q.Required {
				p.add(path+".required", "a question added to an open survey must be optional: earlier respondents never saw it")
			}
			continue
		}
		kept[q.Key] = true
		if !hasAnswers(q.Key) {
			continue
		}
		if q.Type != old.Type {
			p.add(path+".type", "cannot change from %s to %s: the question already has answers", old.Type, q.Type)
		} else if removed := removedOptions(old, q); len(removed) > 0 {
			p.add(path+".options", "cannot remove %s: the question already has answers", strings.Join(removed, ", "))
		}
		if old.Confidential && !q.Confidential {
			p.add(path+".confidential", "cannot be turned off: the question already has answers given in confidence")
		}
		if q.Quotable && !old.Quotable {
			p.add(path+".quotable", "cannot be turned on: the question already has answers given without being quotable")
		}
		if !q.ShowIf.Equal(old.ShowIf) {
			p.add(path+".showIf", "cannot change: the question already has answers from those it was shown to under its condition")
		}
	}

	var removed []string
	for _, q := range cur.Questions {
		if !kept[q.Key] && hasAnswers(q.Key) {
			removed = append(removed, fmt.Sprintf("%q", q.Key))
		}
	}
	if len(removed) > 0 {
		p.add("questions", "cannot remove %s: already answered", strings.Join(removed, ", "))
	}
}

// removedOptions returns the quoted keys of old's options that q lacks.
func removedOptions(old, q Question) []string {
	var removed []string
	for _, o := range old.Options {
		if _, ok := q.Option(o.Key); !ok {
			removed = append(removed, fmt.Sprintf("%q", o.Key))
		}
	}
	return removed
}
