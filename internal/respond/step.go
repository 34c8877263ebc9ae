package respond

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/candorhq/candor/internal/keys"
)

// StepLife is how long a step's state may be carried to the next step:
// a respondent may leave a survey open for the day, not for the week.
const StepLife = 24 * time.Hour

// maxStepState bounds a sealed state read back from a form: the answers
// of a whole survey fit in well under the request body limit.
const maxStepState = 1 << 20

// Errors of OpenStep. Each means: start again at the first step.
var (
	// ErrStepInvalid means a state that is not genuine, or was made for
	// another link.
	ErrStepInvalid = errors.New("respond: the answers so far cannot be read")
	// ErrStepExpired means a state older than StepLife.
	ErrStepExpired = errors.New("respond: the answers so far have expired")
	// ErrStepStale means a state made for another version of the survey.
	ErrStepStale = errors.New("respond: the survey changed since the answers so far")
)

// StepState is where a respondent is in a survey of several steps, kept
// in the page between steps rather than stored: nothing is stored until
// the final submission. It is sealed (encrypted and authenticated) for one
// invitation, so it can be neither read, changed nor moved to another link.
type StepState struct {
	SurveyID string `json:"s"`
	Revision int    `json:"r"`
	Step     int    `json:"i"`
	// Values are the answers so far as the form posted them, under
	// survey.FormField names.
	Values  map[string][]string `json:"v,omitempty"`
	Locale  string              `json:"l,omitempty"`
	Expires int64               `json:"e"` // Unix seconds
}

// stepFormat prefixes a sealed state, so a later format can be told apart.
const stepFormat = "s1"

// SealStep seals st for l's invitation, for l's survey and revision, to
// expire StepLife from now.
func (s *Service) SealStep(l Link, st StepState) (string, error) {
	st.SurveyID, st.Revision = l.Survey.ID, l.Survey.Revision
	st.Expires = s.now().Add(StepLife).Unix()
	plain, err := json.Marshal(st)
	if err != nil {
		return "", fmt.Errorf("respond: step state: %w", err)
	}
	kid, key, err := s.ring.Current(keys.PurposeRespondStep)
	if err != nil {
		return "", fmt.Errorf("respond: %w", err)
	}
	aead, err := stepAEAD(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("respond: step nonce: %w", err)
	}
	box := aead.Seal(nonce, nonce, plain, stepContext(l.InvitationID))
	return stepFormat + "." + kid + "." + base64.RawURLEncoding.EncodeToString(box), nil
}

// OpenStep opens a state SealStep made for l: ErrStepInvalid when it is
// not genuine or belongs to another link, ErrStepExpired when too old,
// ErrStepStale when l's survey has changed since.
func (s *Service) OpenStep(l Link, sealed string) (StepState, error) {
	st, err := openStep(s.ring, l.InvitationID, sealed)
	if err != nil {
		return StepState{}, err
	}
	switch {
	case st.Expires <= s.now().Unix():
		return StepState{}, ErrStepExpired
	case st.SurveyID != l.Survey.ID:
		return StepState{}, ErrStepInvalid
	case st.Revision != l.Survey.Revision:
		return StepState{}, ErrStepStale
	}
	return st, nil
}

// openStep decrypts and decodes a sealed state for invitationID. The text
// comes from a form, so anything goes: it never panics.
func openStep(ring *keys.Ring, invitationID, sealed string) (StepState, error) {
	if len(sealed) > maxStepState {
		return StepState{}, ErrStepInvalid
	}
	format, rest, ok := strings.Cut(sealed, ".")
	if !ok || format != stepFormat {
		return StepState{}, ErrStepInvalid
	}
	kid, data, ok := strings.Cut(rest, ".")
	if !ok {
		return StepState{}, ErrStepInvalid
	}
	box, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		return StepState{}, ErrStepInvalid
	}
	key, err := ring.Derive(kid, keys.PurposeRespondStep)
	if err != nil {
		return StepState{}, ErrStepInvalid
	}
	aead, err := stepAEAD(key)
	if err != nil {
		return StepState{}, err
	}
	if len(box) < aead.NonceSize()+aead.Overhead() {
		return StepState{}, ErrStepInvalid
	}
	plain, err := aead.Open(nil, box[:aead.NonceSize()], box[aead.NonceSize():], stepContext(invitationID))
	if err != nil {
		return StepState{}, ErrStepInvalid
	}
	var st StepState
	if err := json.Unmarshal(plain, &st); err != nil || st.Step < 0 {
		return StepState{}, ErrStepInvalid
	}
	return st, nil
}

// stepContext binds a state to its invitation.
func stepContext(invitationID string) []byte { return []byte("respond-step:" + invitationID) }

func stepAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("respond: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("respond: %w", err)
	}
	return aead, nil
}
