package privacy

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
)

// Consent is a respondent's consent to have their name attached to one
// response, as shown to them.
type Consent struct {
	ContactID   string
	SurveyID    string
	ResponseID  string
	TextVersion int    // the consent text's version
	TextHash    string // hex SHA-256 of the exact text shown
	Locale      string // the language it was shown in
	Method      string // MethodSurveyForm
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (c Consent) validate() error {
	switch {
	case c.ContactID == "" || c.SurveyID == "" || c.ResponseID == "":
		return errors.New("privacy: a consent names a contact, a survey and a response")
	case c.TextVersion < 1 || !sha256Hex.MatchString(c.TextHash):
		return errors.New("privacy: a consent names the version and SHA-256 of the text shown")
	case c.Locale == "" || c.Method == "":
		return errors.New("privacy: a consent names the locale and method")
	}
	return nil
}

// refContext binds a sealed response reference to its id.
func refContext(refID string) string { return "consent-ref:" + refID }

// refSecretSize is the random part of a response reference, which makes
// its commitment in the record impossible to reverse once the reference
// is destroyed.
const refSecretSize = 32

// Consent appends a consent record and returns its id. The record commits
// to the response; the response id itself is sealed apart, where
// withdrawal destroys it.
func (s *Service) Consent(ctx context.Context, c Consent) (string, error) {
	if err := c.validate(); err != nil {
		return "", err
	}
	plain := make([]byte, refSecretSize, refSecretSize+len(c.ResponseID))
	if _, err := rand.Read(plain); err != nil {
		return "", fmt.Errorf("privacy: %w", err)
	}
	plain = append(plain, c.ResponseID...)
	refID := store.NewID()
	box, err := s.sealer.Seal(plain, refContext(refID))
	if err != nil {
		return "", fmt.Errorf("privacy: %w", err)
	}
	// The reference first: a record whose reference was never stored
	// would read as withdrawn from the start.
	if err := s.consents.PutRef(ctx, refID, box); err != nil {
		return "", fmt.Errorf("privacy: %w", err)
	}
	commitment := sha256.Sum256(plain)
	rec, err := s.chain.Append(ctx, consents.Record{
		Kind:        consents.Given,
		ContactID:   c.ContactID,
		SurveyID:    c.SurveyID,
		RefID:       refID,
		ResponseRef: commitment[:],
		TextVersion: c.TextVersion,
		TextHash:    c.TextHash,
		Locale:      c.Locale,
		Method:      c.Method,
		At:          s.now(),
	})
	if err != nil {
		return "", err
	}
	return rec.ID, nil
}

// responseOf returns the response a consent record names; "" once its
// reference was destroyed. A reference that does not match the record's
// commitment was tampered with.
func (s *Service) responseOf(ctx context.Context, rec consents.Record) (string, error) {
	if rec.RefID == "" {
		return "", nil
	}
	box, err := s.consents.Ref(ctx, rec.RefID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("privacy: %w", err)
	}
	plain, err := s.sealer.Open(box, refContext(rec.RefID))
	if err != nil {
		return "", fmt.Errorf("privacy: consent %s: %w", rec.ID, err)
	}
	if sum := sha256.Sum256(plain); len(plain) <= refSecretSize || !bytes.Equal(sum[:], rec.ResponseRef) {
		return "", fmt.Errorf("privacy: consent %s: its response reference does not match the record", rec.ID)
	}
	return string(plain[refSecretSize:]), nil
}

// Withdraw withdraws a contact's consent: the name comes off the response
// at once, a withdrawal record is appended, and the record's response
// reference is destroyed, so that nothing joins the answers to the person
// any more. Withdrawing again is harmless, and finishes a withdrawal that
// was interrupted.
func (s *Service) Withdraw(ctx context.Context, contactID, consentID string, by Requester) error {
	rec, err := s.consents.ByID(ctx, consentID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (rec.Kind != consents.Given || rec.ContactID != contactID)) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	if err := s.record(ctx, by, audit.PrivacyWithdraw, contactID, consentID); err != nil {
		return err
	}
	history, err := s.consents.ByContact(ctx, contactID)
	if err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	responseID, err := s.responseOf(ctx, rec)
	if err != nil {
		return err
	}
	if responseID != "" {
		if _, err := s.responses.Unname(ctx, responseID, contactID, consentID); err != nil {
			return fmt.Errorf("privacy: %w", err)
		}
		if err := s.forget(ctx, responseID); err != nil {
			return err
		}
	}
	if endOf(history, rec) == nil {
		// Two withdrawals may race (two tabs, a retry, two processes): the
		// withdrawal of a consent is unique on the chain, so the one that
		// comes second appends nothing and succeeds all the same.
		if _, _, err := s.chain.AppendOnce(ctx, "withdrawal:"+rec.ID, consents.Record{
			Kind:      consents.Withdrawn,
			ContactID: contactID,
			SurveyID:  rec.SurveyID,
			Refers:    rec.ID,
			Method:    by.via(),
			At:        s.now(),
		}, func(h consents.Record) bool { return ends(h, rec) }); err != nil {
			return err
		}
	}
	if err := s.consents.DeleteRef(ctx, rec.RefID); err != nil {
		return fmt.Errorf("privacy: %w", err)
	}
	return nil
}

// endOf returns the record that ended consent rec: its withdrawal, or the
// erasure of the person; nil while the consent stands.
func endOf(history []consents.Record, rec consents.Record) *consents.Record {
	for i, h := range history {
		if ends(h, rec) {
			return &history[i]
		}
	}
	return nil
}

// ends reports whether record h ended consent rec.
func ends(h, rec consents.Record) bool {
	return h.Kind == consents.Withdrawn && h.Refers == rec.ID ||
		h.Kind == consents.Erasure && after(h, rec)
}

// after reports whether record h was appended after rec: by their numbers
// on one shard; across shards, where nothing orders appends, by their
// times.
func after(h, rec consents.Record) bool {
	if h.Shard == rec.Shard {
		return h.Seq > rec.Seq
	}
	return !h.At.Before(rec.At) // a tie ends the consent: the safer reading
}

// ConsentInfo is one consent of a person's history.
type ConsentInfo struct {
	ID          string    `json:"id"`
	SurveyID    string    `json:"surveyId"`
	SurveyTitle string    `json:"survey"`
	TextVersion int       `json:"textVersion"`
	TextSHA256  string    `json:"textSha256"`
	Text        string    `json:"text,omitempty"` // the consent text shown, when the survey still has it
	Locale      string    `json:"locale"`
	Method      string    `json:"method"`
	GivenAt     time.Time `json:"givenAt"`
	// Set once the consent ended, by withdrawal or erasure.
	EndedAt  *time.Time `json:"endedAt,omitempty"`
	EndedHow string     `json:"endedHow,omitempty"` // "withdrawal" or "erasure"
	EndedVia string     `json:"endedVia,omitempty"`
}

// Active reports whether the consent stands.
func (c ConsentInfo) Active() bool { return c.EndedAt == nil }

// consentHistory describes a person's consent records in the locale given.
func (s *Service) consentHistory(ctx context.Context, history []consents.Record, locale string, titles *surveyCache) ([]ConsentInfo, error) {
	out := []ConsentInfo{}
	for _, rec := range history {
		if rec.Kind != consents.Given {
			continue
		}
		info := ConsentInfo{
			ID: rec.ID, SurveyID: rec.SurveyID, TextVersion: rec.TextVersion, TextSHA256: rec.TextHash,
			Locale: rec.Locale, Method: rec.Method, GivenAt: rec.At,
		}
		if sv, ok, err := titles.get(ctx, rec.SurveyID); err != nil {
			return nil, err
		} else if ok {
			info.SurveyTitle = sv.Title.Get(locale, sv.DefaultLocale)
			if v, ok := sv.ConsentAt(rec.TextVersion); ok {
				info.Text = v.Text[rec.Locale]
			}
		}
		if end := endOf(history, rec); end != nil {
			at := end.At
			info.EndedAt, info.EndedHow, info.EndedVia = &at, string(end.Kind), end.Method
		}
		out = append(out, info)
	}
	return out, nil
}

// erasedAt returns when a person was erased, from their history.
func erasedAt(history []consents.Record) *time.Time {
	for _, h := range history {
		if h.Kind == consents.Erasure {
			at := h.At
			return &at
		}
	}
	return nil
}

// refIDs lists a person's response references, so that erasure can
// destroy them all.
func refIDs(history []consents.Record) []string {
	var out []string
	for _, h := range history {
		if h.RefID != "" {
			out = append(out, h.RefID)
		}
	}
	return out
}
