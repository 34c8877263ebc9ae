//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// client is plain HTTP against the server, for what a person would not do
// in a browser: reading the dev outbox through the API, a HEAD request, and
// the many answers that only need to be counted.
type client struct {
	base string
	http *http.Client
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{
		Timeout: stepTimeout,
		// Respondent posts answer 303 to the thank-you page; see them as they come.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *client) do(ctx context.Context, method, path string, header http.Header, body io.Reader) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// token signs in to the API.
func (c *client) token(ctx context.Context, email, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, b, err := c.do(ctx, http.MethodPost, "/api/v1/auth/token", http.Header{"Content-Type": {"application/json"}}, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("POST /api/v1/auth/token: %d %s", resp.StatusCode, b)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("POST /api/v1/auth/token: no token in %s", b)
	}
	return out.Token, nil
}

// mail is a message in the dev outbox.
type mail struct {
	ID      string `json:"id"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// outbox reads every message in the dev outbox.
func (c *client) outbox(ctx context.Context, token string) ([]mail, error) {
	resp, b, err := c.do(ctx, http.MethodGet, "/api/v1/outbox?limit=200", http.Header{"Authorization": {"Bearer " + token}}, nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /api/v1/outbox: %d %s", resp.StatusCode, b)
	}
	var out struct {
		Items []mail `json:"items"`
		Total int    `json:"total"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("GET /api/v1/outbox: %w", err)
	}
	return out.Items, nil
}

var addrRE = regexp.MustCompile(`[^\s<>"]+@[^\s<>"]+`)

// address is the bare address of a To header ("Name <a@b>" or "a@b").
func address(to string) string {
	return strings.ToLower(addrRE.FindString(to))
}

// surveyLink finds the respondent link (base/s/{token}) in a message.
func surveyLink(base string, m mail) (string, bool) {
	re := regexp.MustCompile(regexp.QuoteMeta(base) + `/s/[A-Za-z0-9._~-]+`)
	for _, body := range []string{m.Text, html.UnescapeString(m.HTML)} {
		if l := re.FindString(body); l != "" {
			return strings.TrimPrefix(l, base), true
		}
	}
	return "", false
}

// scoreLink finds the link of a message that opens its survey with score
// selected (base/s/{token}?q={key}&v={score}), with the question's key.
func scoreLink(base string, m mail, score int) (path, key string, ok bool) {
	re := regexp.MustCompile(regexp.QuoteMeta(base) + `(/s/[A-Za-z0-9._~-]+\?q=([a-z0-9_]+)&v=` + strconv.Itoa(score) + `)\b`)
	for _, body := range []string{m.Text, html.UnescapeString(m.HTML)} {
		if sm := re.FindStringSubmatch(body); sm != nil {
			return sm[1], sm[2], true
		}
	}
	return "", "", false
}

var (
	inputRE    = regexp.MustCompile(`<input\b[^>]*>`)
	textareaRE = regexp.MustCompile(`<textarea\b[^>]*\bname="([^"]+)"`)
	attrRE     = regexp.MustCompile(`\b(type|name|value)="([^"]*)"`)
	formRE     = regexp.MustCompile(`<form\b[^>]*class="respondent-form"[^>]*>`)
)

// answerForm is what a respondent page asks: its hidden fields, the choices
// of each radio group, and its text areas.
type answerForm struct {
	hidden url.Values
	radios map[string][]string // field name → values, in page order
	texts  []string            // field names
}

// parseAnswerForm reads the respondent form out of a page.
func parseAnswerForm(page string) (answerForm, error) {
	f := answerForm{hidden: url.Values{}, radios: map[string][]string{}}
	if !formRE.MatchString(page) {
		return f, fmt.Errorf("no answer form on the page")
	}
	for _, in := range inputRE.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(in, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		switch attrs["type"] {
		case "hidden":
			f.hidden.Add(attrs["name"], attrs["value"])
		case "radio":
			f.radios[attrs["name"]] = append(f.radios[attrs["name"]], attrs["value"])
		}
	}
	for _, m := range textareaRE.FindAllStringSubmatch(page, -1) {
		f.texts = append(f.texts, m[1])
	}
	return f, nil
}

// answer submits a respondent form as a browser without scripts would: the
// page's hidden fields, choice n of every radio group (clamped), and text.
func (c *client) answer(ctx context.Context, link string, choice int, text string, consent bool) error {
	resp, b, err := c.do(ctx, http.MethodGet, link, nil, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", link, resp.StatusCode)
	}
	f, err := parseAnswerForm(string(b))
	if err != nil {
		return fmt.Errorf("GET %s: %w", link, err)
	}
	if len(f.radios) == 0 {
		return fmt.Errorf("GET %s: the form has no scale to answer", link)
	}
	form := url.Values{}
	for k, vs := range f.hidden {
		form[k] = vs
	}
	for name, values := range f.radios {
		form.Set(name, values[min(choice, len(values)-1)])
	}
	for _, name := range f.texts {
		form.Set(name, text)
	}
	if consent {
		form.Set("consent", "yes")
	}
	resp, b, err = c.do(ctx, http.MethodPost, link, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == "" {
		return fmt.Errorf("POST %s: want 303 to the thank-you page, got %d %s", link, resp.StatusCode, firstLine(b))
	}
	return nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// waitForMail polls the dev outbox until it holds want messages.
func (c *client) waitForMail(ctx context.Context, token string, want int) ([]mail, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var msgs []mail
	err := waitFor(ctx, fmt.Sprintf("%d messages in the dev outbox", want), func() (bool, error) {
		var err error
		msgs, err = c.outbox(ctx, token)
		return len(msgs) >= want, err
	})
	return msgs, err
}
