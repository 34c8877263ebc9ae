//go:build soak

package soak

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"
)

// api is a client of Candor's JSON API, signed in as the first admin.
type api struct {
	base  string
	token string
	hc    *http.Client
}

func signIn(t *testing.T, base string) *api {
	t.Helper()
	a := &api{base: base, hc: &http.Client{Timeout: 2 * time.Minute}}
	var tok struct {
		Token string `json:"token"`
	}
	a.must(t, "POST", "/api/v1/auth/token", map[string]string{"email": adminEmail, "password": adminPassword}, &tok, http.StatusOK)
	a.token = tok.Token
	return a
}

// do sends a JSON (or, for a []byte body, CSV) request and decodes the answer into out.
func (a *api) do(method, path string, body, out any) (int, string, error) {
	var r io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ctype = bytes.NewReader(b), "text/csv"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, "", err
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.base+path, r)
	if err != nil {
		return 0, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, string(raw), fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, string(raw), nil
}

func (a *api) must(t *testing.T, method, path string, body, out any, want int) {
	t.Helper()
	status, raw, err := a.do(method, path, body, out)
	if err != nil || status != want {
		t.Fatalf("%s %s: status %d (want %d), err %v: %.500s", method, path, status, want, err, raw)
	}
}

// fixture is a survey ready to send to an account's contacts.
type fixture struct {
	surveyID, accountID string
	emails              []string
}

// setup creates an account with n contacts (emails from addr(i)), and an
// open one-question survey.
func (a *api) setup(t *testing.T, n int, addr func(i int) string) fixture {
	t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	a.must(t, "GET", "/api/v1/me", nil, &me, http.StatusOK)
	var acct struct {
		ID string `json:"id"`
	}
	a.must(t, "POST", "/api/v1/accounts", map[string]any{
		"name": "Soak Elevators", "country": "FI", "region": "EMEA", "industry": "Elevators", "tier": "gold",
		"managerIds": []string{me.ID},
	}, &acct, http.StatusCreated)

	f := fixture{accountID: acct.ID}
	var csv bytes.Buffer
	csv.WriteString("name,email,account,locale\n")
	for i := range n {
		e := addr(i)
		f.emails = append(f.emails, e)
		fmt.Fprintf(&csv, "Person %d,%s,%s,en\n", i, e, acct.ID)
	}
	var imp struct {
		Created  int `json:"created"`
		Rejected int `json:"rejected"`
	}
	a.must(t, "POST", "/api/v1/contacts/import", csv.Bytes(), &imp, http.StatusOK)
	if imp.Created != n || imp.Rejected != 0 {
		t.Fatalf("import: created %d, rejected %d of %d", imp.Created, imp.Rejected, n)
	}

	var sv struct {
		ID string `json:"id"`
	}
	a.must(t, "POST", "/api/v1/surveys", map[string]any{
		"title":   map[string]string{"en": "Soak survey"},
		"locales": []string{"en"},
		"questions": []map[string]any{
			{"key": "nps", "type": "nps", "required": true, "prompt": map[string]string{"en": "How likely are you to recommend us?"}},
		},
		"consentText": map[string]string{"en": "Attach my name to my answers."},
	}, &sv, http.StatusCreated)
	a.must(t, "POST", "/api/v1/surveys/"+sv.ID+"/open", nil, nil, http.StatusOK)
	f.surveyID = sv.ID
	return f
}

// campaign is GET /api/v1/campaigns/{id} as far as the soak runs need it.
type campaign struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Counts struct {
		Queued, Sending, Sent, Failed, Bounced, Complained, Skipped, Suppressed, Withdrawn int
	} `json:"counts"`
	Queued int `json:"queued"` // in the 202 answer
}

// send creates a campaign to the fixture's account and checks that
// everyone was queued.
func (a *api) send(t *testing.T, f fixture) string {
	t.Helper()
	var c campaign
	a.must(t, "POST", "/api/v1/surveys/"+f.surveyID+"/campaigns", map[string]any{"accountIds": []string{f.accountID}}, &c, http.StatusAccepted)
	if c.Queued != len(f.emails) {
		t.Fatalf("campaign queued %d of %d", c.Queued, len(f.emails))
	}
	return c.ID
}

func (a *api) campaign(id string) (campaign, error) {
	var c campaign
	status, raw, err := a.do("GET", "/api/v1/campaigns/"+id, nil, &c)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("GET campaign: %d %.200s", status, raw)
	}
	return c, err
}

// waitSent waits until the campaign's state is sent and returns it.
func (a *api) waitSent(t *testing.T, id string, timeout time.Duration) campaign {
	t.Helper()
	var last campaign
	ok := waitFor(timeout, 500*time.Millisecond, func() bool {
		c, err := a.campaign(id)
		if err != nil {
			return false
		}
		last = c
		return c.State == "sent"
	})
	if !ok {
		t.Fatalf("campaign %s not sent within %s: %+v", id, timeout, last)
	}
	return last
}

// linkRE finds a survey link in a message's text.
var linkRE = regexp.MustCompile(`https?://[^\s"<>]+/s/[A-Za-z0-9._~-]+`)

// mimeParts returns the decoded text/plain and text/html parts of a raw
// message.
func mimeParts(raw []byte) (text, html string, hdr netmail.Header, err error) {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", nil, err
	}
	var walk func(ctype, enc string, body io.Reader) error
	walk = func(ctype, enc string, body io.Reader) error {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			return err
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return nil
				}
				if err != nil {
					return err
				}
				if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
					return err
				}
			}
		}
		var r io.Reader = body
		switch strings.ToLower(enc) {
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		switch mt {
		case "text/plain":
			text += string(b)
		case "text/html":
			html += string(b)
		}
		return nil
	}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
	return text, html, m.Header, err
}
