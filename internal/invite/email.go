package invite

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/mail"
	"github.com/candorhq/candor/internal/store/outbox"
	"github.com/candorhq/candor/internal/survey"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// Email is a rendered message body.
type Email struct {
	Locale  string `json:"locale"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// renderer holds the email templates, parsed once.
type renderer struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

func newRenderer() (*renderer, error) {
	h, err := htmltemplate.ParseFS(templateFS, "templates/email.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("invite: email template: %w", err)
	}
	t, err := texttemplate.ParseFS(templateFS, "templates/email.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("invite: email template: %w", err)
	}
	return &renderer{html: h, text: t}, nil
}

// LogoPath is where a survey's logo is published, under the base URL:
// + the logo's id. The web server serves it there, to mail clients too.
const LogoPath = "/brand/logo/"

// defaultAccent colours the email's button and links without a survey's own.
const defaultAccent = "#0b5cad"

// emailInput is everything one email says.
type emailInput struct {
	Locale     string // one of the survey's locales
	Kind       outbox.Kind
	Name       string // the recipient's; empty greets without a name
	Survey     survey.Survey
	SenderName string
	SurveyURL  string
	PrivacyURL string
	// UnsubscribeURL is also the List-Unsubscribe target.
	UnsubscribeURL string
	LogoURL        string // absolute; empty without a logo
	ExpiresAt      time.Time
}

// emailData is what the templates see.
type emailData struct {
	Lang, Subject, Title, Greeting, Validity, SenderName string
	Leads                                                []string
	SurveyURL, PrivacyURL, UnsubscribeURL                string
	LogoURL                                              string
	Accent                                               htmltemplate.CSS // checked #rrggbb, safe in a style attribute
	Text                                                 i18n.Catalog     // the email's fixed wording
	Score                                                *emailScore      // nil: the survey's first question is not offered
}

// emailScore is the survey's first question as a row of links, one per
// score, each opening the survey with that score selected.
type emailScore struct {
	Prompt      string
	Low, High   string // the scale's end labels, under its first and last points
	First, Last string // the first and last points: "0", "10"
	Points      []scorePoint
	Hint        string
}

type scorePoint struct{ Label, URL string }

// scoreRow lays out the first question of sv as score links under
// surveyURL when the survey may offer it (survey.EmailScore); nil otherwise.
func scoreRow(sv survey.Survey, locale, surveyURL string, txt i18n.Catalog) *emailScore {
	q, ok := sv.EmailScore()
	if !ok {
		return nil
	}
	lo, hi, _ := q.Type.Scale()
	scale := i18n.Messages(locale)
	row := &emailScore{
		Prompt: q.Prompt.Get(locale, sv.DefaultLocale),
		Low:    scale.T("scale." + string(q.Type) + ".low"),
		High:   scale.T("scale." + string(q.Type) + ".high"),
		Hint:   txt.T("email.score.hint"),
		First:  strconv.Itoa(lo), Last: strconv.Itoa(hi),
	}
	for n := lo; n <= hi; n++ {
		row.Points = append(row.Points, scorePoint{Label: strconv.Itoa(n), URL: link.ScoreURL(surveyURL, q.Key, n)})
	}
	return row
}

func (r *renderer) render(in emailInput) (Email, error) {
	txt := i18n.EmailMessages(in.Locale)
	title := in.Survey.Title.Get(in.Locale, in.Survey.DefaultLocale)
	d := emailData{
		Lang: in.Locale, Title: title, SenderName: in.SenderName, Text: txt,
		SurveyURL: in.SurveyURL, PrivacyURL: in.PrivacyURL, UnsubscribeURL: in.UnsubscribeURL,
		LogoURL: in.LogoURL, Accent: htmltemplate.CSS(accent(in.Survey.Branding)),
		Subject:  fmt.Sprintf(txt.T("email.subject"), title),
		Greeting: txt.T("email.greeting.no_name"),
		// An ISO date reads the same in every language and cannot be mistaken
		// for another day.
		Validity: fmt.Sprintf(txt.T("email.validity"), in.ExpiresAt.UTC().Format(time.DateOnly)),
	}
	d.Score = scoreRow(in.Survey, in.Locale, in.SurveyURL, txt)
	if name := oneLine(in.Name); name != "" {
		d.Greeting = fmt.Sprintf(txt.T("email.greeting"), name)
	}
	if in.Kind == outbox.Reminder {
		d.Subject = fmt.Sprintf(txt.T("email.reminder.subject"), title)
		d.Leads = append(d.Leads, txt.T("email.reminder.lead"))
	}
	if intro := in.Survey.Intro.Get(in.Locale, in.Survey.DefaultLocale); intro != "" {
		for line := range strings.SplitSeq(intro, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				d.Leads = append(d.Leads, line)
			}
		}
	} else if in.Kind != outbox.Reminder {
		d.Leads = append(d.Leads, txt.T("email.lead"))
	}
	d.Subject = oneLine(d.Subject)

	var text, html bytes.Buffer
	if err := r.text.Execute(&text, d); err != nil {
		return Email{}, fmt.Errorf("invite: render email text: %w", err)
	}
	if err := r.html.Execute(&html, d); err != nil {
		return Email{}, fmt.Errorf("invite: render email HTML: %w", err)
	}
	return Email{Locale: in.Locale, Subject: d.Subject, Text: text.String(), HTML: html.String()}, nil
}

// accent is the survey's accent colour when it is one white text can be
// read on (survey validation makes sure), and Candor's otherwise.
func accent(b survey.Branding) string {
	if c, ok := survey.ParseColour(b.Accent); ok && survey.ContrastWithWhite(c) >= survey.MinAccentContrast {
		return c.String()
	}
	return defaultAccent
}

// oneLine keeps text that goes into a header (the subject, the name in
// To:) on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// message wraps a rendered email with its envelope and the headers that
// make unsubscribing one click (RFC 8058).
func (b *base) message(e Email, br survey.Branding, to, toName, unsubscribeURL string) mail.Message {
	_, domain, _ := strings.Cut(b.cfg.From.Address, "@")
	from := b.cfg.From
	if name := oneLine(br.SenderName); name != "" {
		from.Name = name // the address stays ours: SPF, DKIM and bounces depend on it
	}
	return mail.Message{
		From:    from,
		ReplyTo: br.ReplyTo,
		To:      to,
		ToName:  oneLine(toName),
		Subject: e.Subject,
		Text:    e.Text,
		HTML:    e.HTML,
		Headers: []mail.Header{
			{Name: "List-Unsubscribe", Value: "<" + unsubscribeURL + ">"},
			{Name: "List-Unsubscribe-Post", Value: "List-Unsubscribe=One-Click"},
		},
		MessageID: mail.NewMessageID(domain),
	}
}

// senderName signs the email: the survey's sender name, else the display
// name of the From address, or the address itself.
func (b *base) senderName(br survey.Branding) string {
	if name := oneLine(br.SenderName); name != "" {
		return name
	}
	if b.cfg.From.Name != "" {
		return b.cfg.From.Name
	}
	return b.cfg.From.Address
}

// logoURL is the absolute address of a survey's logo; "" without one.
func (b *base) logoURL(br survey.Branding) string {
	if br.LogoID == "" {
		return ""
	}
	return b.links.URL(LogoPath + url.PathEscape(br.LogoID))
}
