package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// answerContext binds a sealed answer to its response and question, so a
// box copied elsewhere does not open.
func answerContext(responseID, questionKey string) string {
	return "response:" + responseID + ":" + questionKey
}

// sealedAnswer is the plaintext of a sealed answer.
type sealedAnswer struct {
	Score   *int     `json:"score,omitempty"`
	Choices []string `json:"choices,omitempty"`
	Text    string   `json:"text,omitempty"`
}

// SealAnswers returns answers in their stored form. Scores and choices of
// ordinary questions stay plain, for rollups; a text answer, and any
// answer to a confidential question, is sealed with the current key.
func SealAnswers(sealer *seal.Sealer, responseID string, sv survey.Survey, answers survey.Answers) ([]store.ResponseAnswer, error) {
	out := make([]store.ResponseAnswer, 0, len(answers))
	for _, a := range answers {
		q, _ := sv.Question(a.Key)
		if q.Type != survey.TypeText && !q.Confidential {
			out = append(out, store.ResponseAnswer{Key: a.Key, Score: a.Score, Choices: a.Choices})
			continue
		}
		plain, err := json.Marshal(sealedAnswer{Score: a.Score, Choices: a.Choices, Text: a.Text})
		if err != nil {
			return nil, fmt.Errorf("privacy: encode answer: %w", err)
		}
		box, err := sealer.Seal(plain, answerContext(responseID, a.Key))
		if err != nil {
			return nil, fmt.Errorf("privacy: %w", err)
		}
		out = append(out, store.ResponseAnswer{Key: a.Key, Sealed: &box})
	}
	return out, nil
}

// OpenAnswers returns a response's answers with sealed ones opened.
func OpenAnswers(sealer *seal.Sealer, resp store.Response) (survey.Answers, error) {
	out := make(survey.Answers, 0, len(resp.Answers))
	for _, a := range resp.Answers {
		if a.Sealed == nil {
			out = append(out, survey.Answer{Key: a.Key, Score: a.Score, Choices: a.Choices})
			continue
		}
		plain, err := sealer.Open(*a.Sealed, answerContext(resp.ID, a.Key))
		if err != nil {
			return nil, fmt.Errorf("privacy: response %s answer %s: %w", resp.ID, a.Key, err)
		}
		var sa sealedAnswer
		if err := json.Unmarshal(plain, &sa); err != nil {
			return nil, fmt.Errorf("privacy: response %s answer %s: %w", resp.ID, a.Key, err)
		}
		out = append(out, survey.Answer{Key: a.Key, Score: sa.Score, Choices: sa.Choices, Text: sa.Text})
	}
	return out, nil
}

// accountContext binds a response's sealed account to the response; it
// cannot meet an answer's context, whatever a question's key.
func accountContext(responseID string) string { return "response-account:" + responseID }

// SealAccount returns a response's account id sealed with the current
// key, nil for none.
func SealAccount(sealer *seal.Sealer, responseID, accountID string) (*seal.Box, error) {
	if accountID == "" {
		return nil, nil
	}
	box, err := sealer.Seal([]byte(accountID), accountContext(responseID))
	if err != nil {
		return nil, fmt.Errorf("privacy: %w", err)
	}
	return &box, nil
}

// OpenAccount returns a response's account id, "" when it carries none
// (stored before accounts were recorded).
func OpenAccount(sealer *seal.Sealer, resp store.Response) (string, error) {
	if resp.Account == nil {
		return "", nil
	}
	plain, err := sealer.Open(*resp.Account, accountContext(resp.ID))
	if err != nil {
		return "", fmt.Errorf("privacy: response %s account: %w", resp.ID, err)
	}
	return string(plain), nil
}

// OpenResponse returns a response's answers and account, opened, for
// counting it in reports.
func OpenResponse(sealer *seal.Sealer, resp store.Response) (survey.Answers, string, error) {
	answers, err := OpenAnswers(sealer, resp)
	if err != nil {
		return nil, "", err
	}
	account, err := OpenAccount(sealer, resp)
	return answers, account, err
}

// AnswerInfo is one answer in words, for people to read.
type AnswerInfo struct {
	Key      string `json:"key"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// describeAnswers puts answers in words in locale, in question order,
// each under its prompt as the respondent read it (account: the company's
// name, for prompts that pipe it).
func describeAnswers(sv survey.Survey, locale string, answers survey.Answers, account string) []AnswerInfo {
	out := make([]AnswerInfo, 0, len(answers))
	pc := survey.PipeContext{Locale: locale, Account: account, Answers: answers}
	for _, q := range sv.Questions {
		a, ok := answers.Get(q.Key)
		if !ok {
			continue
		}
		info := AnswerInfo{Key: q.Key, Question: sv.PromptFor(q, pc)}
		switch {
		case a.Score != nil:
			lo, hi, _ := q.Type.Scale()
			info.Answer = fmt.Sprintf("%d (%d–%d)", *a.Score, lo, hi)
		case len(a.Choices) > 0:
			labels := make([]string, len(a.Choices))
			for i, key := range a.Choices {
				labels[i] = key
				if o, ok := q.Option(key); ok {
					labels[i] = o.Label.Get(locale, sv.DefaultLocale)
				}
			}
			info.Answer = strings.Join(labels, "; ")
		default:
			info.Answer = a.Text
		}
		out = append(out, info)
	}
	return out
}

// Resealed counts what Reseal re-encrypted.
type Resealed struct {
	Responses   int // responses with at least one answer resealed
	ConsentRefs int
}

// Reseal re-encrypts, under the current key, every sealed answer and
// account and every consent record's response reference sealed with an
// older one, so that an old key can leave the ring. It is idempotent and
// may run while Candor serves.
func (s *Service) Reseal(ctx context.Context) (Resealed, error) {
	var n Resealed
	err := s.responses.All(ctx, func(resp store.Response) error {
		answers, changed := resp.Answers, false
		var account *seal.Box
		if resp.Account != nil {
			box, did, err := s.sealer.Reseal(*resp.Account, accountContext(resp.ID))
			if err != nil {
				return fmt.Errorf("privacy: reseal response %s account: %w", resp.ID, err)
			}
			if did {
				account, changed = &box, true
			}
		}
		for i, a := range answers {
			if a.Sealed == nil {
				continue
			}
			box, did, err := s.sealer.Reseal(*a.Sealed, answerContext(resp.ID, a.Key))
			if err != nil {
				return fmt.Errorf("privacy: reseal response %s answer %s: %w", resp.ID, a.Key, err)
			}
			if did {
				answers[i].Sealed, changed = &box, true
			}
		}
		if !changed {
			return nil
		}
		if err := s.responses.SetSealed(ctx, resp.ID, answers, account); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("privacy: %w", err)
		}
		n.Responses++
		return nil
	})
	if err != nil {
		return n, err
	}
	err = s.consents.EachRef(ctx, func(id string, ref seal.Box) (seal.Box, error) {
		box, did, err := s.sealer.Reseal(ref, refContext(id))
		if err != nil {
			return seal.Box{}, fmt.Errorf("privacy: reseal consent reference %s: %w", id, err)
		}
		if !did {
			return seal.Box{}, nil
		}
		n.ConsentRefs++
		return box, nil
	})
	return n, err
}
