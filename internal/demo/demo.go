// Package demo fills an empty database with a realistic demonstration:
// staff of every role, accounts in three regions, contacts with names in
// eight languages, an open survey in four, a sent campaign's invitations,
// and thousands of answers over the last six months, some named.
//
// Everything goes through the real services — contacts are sealed by the
// customer service, answers are submitted through their survey links, so
// consents are hash-chained, rollups counted, quotes kept and follow-ups
// recorded exactly as in production — except that the clock is set back
// to when each answer is given. Only the bulk of invitations and the
// campaign that counts them are written to the store directly.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
	"github.com/candorhq/candor/internal/survey"
)

// ErrPresent means the database holds a demo already.
var ErrPresent = errors.New("demo: this database already holds the demo; use an empty data directory or database")

// AdminEmail is the demo admin's address; its presence marks a database
// that holds the demo.
const AdminEmail = "admin@demo.candor.example"

// AnalystEmail is the demo analyst's address.
const AnalystEmail = "analyst@demo.candor.example"

// Users creates staff (*auth.Service).
type Users interface {
	CreateUser(ctx context.Context, in auth.NewUser) (store.User, error)
}

// Customers creates accounts and contacts (*customer.Service).
type Customers interface {
	CreateAccount(ctx context.Context, actor store.User, in customer.AccountInput) (store.Account, error)
	CreateContact(ctx context.Context, actor store.User, in customer.ContactInput) (customer.Contact, error)
}

// Deps is what the demo is built with.
type Deps struct {
	Store     *store.Store
	Users     Users
	Customers Customers
	Respond   *respond.Service // wired as the server wires it
	Signer    *link.Signer     // signs the links answers are given through
	Progress  io.Writer        // a line per step; nil: quiet
}

// Options shape the demo.
type Options struct {
	Responses int    // answers to give; default 3000
	Seed      uint64 // the same seed gives the same people and answers
	Password  string // every demo user's password; empty: one is generated
	// Contacts is how many people to create; zero: 600, or more when the
	// answers need them (each person answers the survey once).
	Contacts int
	Now      time.Time // the demo's present; zero: now
}

// Login is a demo user to sign in as.
type Login struct {
	Role                  store.Role
	Name, Email, Password string
}

// Result is what the demo created.
type Result struct {
	Logins                 []Login
	SurveyID, SurveyTitle  string
	Accounts, Contacts     int
	Invitations, Responses int
	Named                  int
	// LastYearID is last year's survey, answered at the largest accounts;
	// TrendAccount is the largest, whose page shows a trend over both.
	LastYearID, TrendAccount               string
	LastYearInvitations, LastYearResponses int
	Took                                   time.Duration
}

// Run creates the demo, refusing with ErrPresent when it exists already.
func Run(ctx context.Context, d Deps, o Options) (Result, error) {
	began := time.Now()
	if o.Responses <= 0 {
		o.Responses = 3000
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	if o.Contacts <= 0 {
		o.Contacts = max(600, int(math.Ceil(float64(o.Responses)*1.25)))
	}
	if o.Contacts < o.Responses {
		return Result{}, fmt.Errorf("demo: %d contacts cannot give %d answers: each answers the survey once", o.Contacts, o.Responses)
	}
	if o.Password == "" {
		o.Password = newPassword()
	}
	switch _, err := d.Store.Users.ByEmail(ctx, AdminEmail); {
	case err == nil:
		return Result{}, ErrPresent
	case !errors.Is(err, store.ErrNotFound):
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	r := &run{d: d, o: o, rng: mrand.New(mrand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	steps := []func(context.Context) error{r.addUsers, r.addAccounts, r.addContacts, r.addSurvey, r.invite, r.answer, r.addLastYear, r.settleFollowups}
	for _, step := range steps {
		began := time.Now()
		if err := step(ctx); err != nil {
			return Result{}, err
		}
		r.logf("  (%s)", time.Since(began).Round(10*time.Millisecond))
	}
	r.res.Took = time.Since(began)
	return r.res, nil
}

// run is one demo in the making.
type run struct {
	d   Deps
	o   Options
	rng *mrand.Rand
	res Result

	admin    store.User
	managers []store.User
	accounts []store.Account
	mood     map[string]float64 // by account: how happy its people are, in NPS points
	people   []customer.Contact
	sv       survey.Survey
	invites  []store.Invitation // in the order people answer
	later    []store.Invitation // never answered
}

func (r *run) logf(format string, args ...any) {
	if r.d.Progress != nil {
		fmt.Fprintf(r.d.Progress, format+"\n", args...)
	}
}

func newPassword() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (r *run) addUsers(ctx context.Context) error {
	add := func(email, name string, role store.Role) (store.User, error) {
		u, err := r.d.Users.CreateUser(ctx, auth.NewUser{Email: email, Name: name, Role: role, Password: r.o.Password})
		if err != nil {
			return store.User{}, fmt.Errorf("demo: user %s: %w", email, err)
		}
		r.res.Logins = append(r.res.Logins, Login{Role: role, Name: name, Email: email, Password: r.o.Password})
		return u, nil
	}
	var err error
	if r.admin, err = add(AdminEmail, "Ada Admin", store.RoleAdmin); err != nil {
		return err
	}
	for _, m := range managers {
		u, err := add(m.Email, m.Name, store.RoleManager)
		if err != nil {
			return err
		}
		r.managers = append(r.managers, u)
	}
	if _, err := add(AnalystEmail, "Arvid Analyst", store.RoleAnalyst); err != nil {
		return err
	}
	r.logf("users: 1 admin, %d managers, 1 analyst", len(r.managers))
	return nil
}

func (r *run) addAccounts(ctx context.Context) error {
	r.mood = map[string]float64{}
	for _, c := range companies {
		a, err := r.d.Customers.CreateAccount(ctx, r.admin, customer.AccountInput{
			Name: c.Name, Country: c.Country, Region: regionOf[c.Country], Industry: c.Industry, Tier: c.Tier,
			ManagerIDs: []string{r.managers[c.Manager].ID},
		})
		if err != nil {
			return fmt.Errorf("demo: account %s: %w", c.Name, err)
		}
		r.accounts = append(r.accounts, a)
		// Most customers are content, some much less so.
		r.mood[a.ID] = r.rng.NormFloat64() * 1.2
	}
	r.res.Accounts = len(r.accounts)
	r.logf("accounts: %d in EMEA, Americas and APAC", len(r.accounts))
	return nil
}

// addContacts creates people at the accounts, more at bigger ones, few in
// the small countries.
func (r *run) addContacts(ctx context.Context) error {
	weights := make([]float64, len(companies))
	total := 0.0
	for i, c := range companies {
		weights[i] = tierWeight[c.Tier]
		if smallCountries[c.Country] {
			weights[i] = 0.15
		}
		total += weights[i]
	}
	counts := make([]int, len(companies))
	assigned := 0
	for i := range companies {
		counts[i] = max(2, int(float64(r.o.Contacts)*weights[i]/total))
		assigned += counts[i]
	}
	for i := 0; assigned < r.o.Contacts; i = (i + 1) % len(companies) {
		if !smallCountries[companies[i].Country] {
			counts[i]++
			assigned++
		}
	}
	seen := map[string]int{}
	for i, a := range r.accounts {
		domain := domainOf(a.Name)
		for range counts[i] {
			locale := pick(r.rng, localesOf[a.Country])
			first, last := pick(r.rng, names[locale].First), pick(r.rng, names[locale].Last)
			name := first + " " + last
			if locale == "zh" {
				name = last + first
			}
			local := emailPart(first) + "." + emailPart(last)
			seen[local+"@"+domain]++
			if n := seen[local+"@"+domain]; n > 1 {
				local += strconv.Itoa(n)
			}
			c, err := r.d.Customers.CreateContact(ctx, r.admin, customer.ContactInput{
				AccountID: a.ID, Name: name, Email: local + "@" + domain, Locale: locale,
			})
			if err != nil {
				return fmt.Errorf("demo: contact at %s: %w", a.Name, err)
			}
			r.people = append(r.people, c)
		}
	}
	r.res.Contacts = len(r.people)
	r.logf("contacts: %d, with names in en, fi, sv, de, fr, es, it and zh", len(r.people))
	return nil
}

func pick[T any](rng *mrand.Rand, from []T) T { return from[rng.IntN(len(from))] }

// domainOf makes a company's email domain under .example.
func domainOf(company string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(company) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		default:
			b.WriteString(emailPart(string(r)))
		}
	}
	return strings.Trim(b.String(), "-") + ".example"
}

// emailPart spells a name in the letters an email address takes.
func emailPart(s string) string {
	repl := strings.NewReplacer("ä", "a", "ö", "o", "å", "a", "ü", "u", "ß", "ss", "é", "e", "è", "e", "ê", "e", "à", "a", "â", "a",
		"ç", "c", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "á", "a", "ô", "o", "î", "i", "ã", "a", "õ", "o", "ë", "e", "ï", "i",
		"û", "u", "ì", "i", "ò", "o", "ù", "u", "é", "e", " ", "")
	var b strings.Builder
	for _, r := range s {
		if l, ok := latin[string(r)]; ok {
			b.WriteString(l)
			continue
		}
		for _, c := range repl.Replace(strings.ToLower(string(r))) {
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				b.WriteRune(c) // a letter without a spelling here is left out
			}
		}
	}
	return b.String()
}

// addSurvey stores the demo survey, opened half a year ago.
func (r *run) addSurvey(ctx context.Context) error {
	opened := r.o.Now.Add(-190 * 24 * time.Hour)
	sv, err := survey.New(withMoreLocales(definition()), store.NewID(), r.admin.ID, opened)
	if err != nil {
		return fmt.Errorf("demo: survey: %w", err)
	}
	if err := sv.Open(opened); err != nil {
		return fmt.Errorf("demo: survey: %w", err)
	}
	if err := r.d.Store.Surveys.Insert(ctx, sv); err != nil {
		return fmt.Errorf("demo: survey: %w", err)
	}
	r.sv = sv
	r.res.SurveyID, r.res.SurveyTitle = sv.ID, sv.Title.Get("en", "en")
	r.logf("survey: %q in %s", r.res.SurveyTitle, strings.Join(sv.Locales, ", "))
	return nil
}

// invite creates one sent campaign's invitations, one per person: those
// who answer were invited shortly before they did, the others at random
// times over the half year.
func (r *run) invite(ctx context.Context) error {
	day := 24 * time.Hour
	order := r.rng.Perm(len(r.people))
	began := r.o.Now.Add(-182 * day)
	camp := store.Campaign{
		ID: store.NewID(), SurveyID: r.sv.ID, CreatedBy: r.managers[0].ID, State: store.CampaignSent,
		SendAt: began, CreatedAt: began, StartedAt: &began,
		Audience: store.CampaignAudience{Kind: store.AudienceContacts, Contacts: len(r.people)},
		// Answered is counted as the answers are given, as in production.
		Counts: store.CampaignCounts{Invited: len(r.people), Fed: len(r.people), Sent: len(r.people)},
	}
	invs := make([]store.Invitation, 0, len(r.people))
	for n, i := range order {
		c := r.people[i]
		var sent time.Time
		if n < r.o.Responses {
			sent = r.answerTime().Add(-time.Duration(r.rng.IntN(72)) * time.Hour)
		} else {
			sent = r.o.Now.Add(-time.Duration(r.rng.IntN(180*24)) * time.Hour)
		}
		invs = append(invs, store.Invitation{
			ID: link.NewID(), SurveyID: r.sv.ID, CampaignID: camp.ID, ContactID: c.ID, AccountID: c.AccountID,
			Locale: c.Locale, State: store.InvitationPending, ExpiresAt: sent.Add(30 * day).Truncate(time.Millisecond),
			CreatedAt: sent.Truncate(time.Millisecond),
		})
	}
	// The campaign finished with its last invitation, and is looked after
	// (its census) until the last link expires, as a sent one is.
	last := began
	for _, inv := range invs {
		last = maxTime(last, inv.CreatedAt)
		camp.ActiveUntil = maxTime(camp.ActiveUntil, inv.ExpiresAt.Add(day))
	}
	camp.FinishedAt = &last
	if err := r.d.Store.Campaigns.Create(ctx, camp, nil, nil); err != nil {
		return fmt.Errorf("demo: campaign: %w", err)
	}
	// Stored as the answers come, a batch ahead of them: answering moves
	// its invitation to answered with a filter the embedded database
	// serves only by scanning the invitations, so fewer stored at the time
	// make the demo much faster.
	r.invites, r.later = invs[:r.o.Responses], invs[r.o.Responses:]
	r.res.Invitations = len(invs)
	r.logf("campaign: %d invitations", len(invs))
	return nil
}

// answerTime is a moment in the last six months, fewer long ago.
func (r *run) answerTime() time.Time {
	back := 182 * 24 * time.Hour / 1000 * time.Duration(1000*(1-math.Sqrt(r.rng.Float64())))
	return r.o.Now.Add(-back + time.Duration(r.rng.IntN(3600))*time.Second)
}

// answerWorkers is how many answers are given at once: the database
// serialises writes but not reads, and most of an answer's time is spent
// waiting for it.
const answerWorkers = 3

// job is one answer to give, decided in order so that a seed always gives
// the same answers, whatever order the workers give them in.
type job struct {
	sv     *survey.Survey // r.sv when nil
	inv    store.Invitation
	at     time.Time
	locale string
	values map[string][]string
	named  bool
}

// answer gives the answers through the survey links.
func (r *run) answer(ctx context.Context) error {
	byID := make(map[string]customer.Contact, len(r.people))
	for _, c := range r.people {
		byID[c.ID] = c
	}
	jobs := make([]job, len(r.invites))
	for n, inv := range r.invites {
		at := inv.CreatedAt.Add(time.Duration(1+r.rng.IntN(60)) * time.Hour)
		if at.After(r.o.Now) {
			at = r.o.Now
		}
		locale := r.sv.Locale(byID[inv.ContactID].Locale)
		// People grow a little happier over the half year.
		months := r.o.Now.Sub(at).Hours() / (24 * 30)
		jobs[n] = job{inv: inv, at: at, locale: locale, values: r.answers(r.mood[inv.AccountID]-0.12*months, locale), named: r.rng.Float64() < 0.15}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	began := time.Now()
	var done, named atomic.Int64
	for start := 0; start < len(jobs); start += answerBatch {
		batch := jobs[start:min(start+answerBatch, len(jobs))]
		if err := r.insertInvitations(ctx, r.invites[start:start+len(batch)]); err != nil {
			return err
		}
		queue := make(chan job)
		var wg sync.WaitGroup
		for range answerWorkers {
			wg.Go(func() {
				for j := range queue {
					isNamed, err := r.give(ctx, j)
					if err != nil {
						cancel(err)
						return
					}
					if isNamed {
						named.Add(1)
					}
					if n := done.Add(1); n%500 == 0 {
						r.logf("answers: %d of %d (%s)", n, len(jobs), time.Since(began).Round(time.Second))
					}
				}
			})
		}
	feed:
		for _, j := range batch {
			select {
			case queue <- j:
			case <-ctx.Done():
				break feed
			}
		}
		close(queue)
		wg.Wait()
		if err := context.Cause(ctx); err != nil {
			return err
		}
	}
	if err := r.insertInvitations(ctx, r.later); err != nil {
		return err
	}
	r.res.Responses, r.res.Named = int(done.Load()), int(named.Load())
	r.logf("answers: %d, %d of them named with consent", r.res.Responses, r.res.Named)
	return nil
}

// answerBatch is how many invitations are stored ahead of the answers.
const answerBatch = 250

// insertInvitations stores invitations and notes on each contact that
// they were surveyed when theirs went out, as sending does.
func (r *run) insertInvitations(ctx context.Context, invs []store.Invitation) error {
	for start := 0; start < len(invs); start += 500 {
		if _, err := r.d.Store.Invitations.InsertBatch(ctx, invs[start:min(start+500, len(invs))]); err != nil {
			return fmt.Errorf("demo: invitations: %w", err)
		}
	}
	surveyed := make([]contacts.Surveyed, len(invs))
	for i, inv := range invs {
		surveyed[i] = contacts.Surveyed{ID: inv.ContactID, At: inv.CreatedAt}
	}
	if err := r.d.Store.Contacts.MarkSurveyedEach(ctx, surveyed); err != nil {
		return fmt.Errorf("demo: invitations: %w", err)
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// give submits one answer through its survey link, at its time.
func (r *run) give(ctx context.Context, j job) (bool, error) {
	svc := r.d.Respond.WithClock(func() time.Time { return j.at })
	token, err := r.d.Signer.Token(link.AudienceSurvey, j.inv.ID, r.o.Now.Add(24*time.Hour))
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	l, err := svc.Resolve(ctx, token)
	if err != nil {
		return false, fmt.Errorf("demo: answer to %s: %w", j.inv.ID, err)
	}
	if l.State != respond.StateOpen {
		return false, fmt.Errorf("demo: answer to %s: the link is %s", j.inv.ID, l.State)
	}
	sv := r.sv
	if j.sv != nil {
		sv = *j.sv
	}
	res, err := svc.Submit(ctx, l, respond.Submission{Values: j.values, Locale: j.locale, Named: j.named, ConsentVersion: sv.ConsentVersion})
	if err != nil {
		return false, fmt.Errorf("demo: answer to %s: %w", j.inv.ID, err)
	}
	if res.TallyErr != nil {
		return false, fmt.Errorf("demo: answer to %s counted for reports: %w", j.inv.ID, res.TallyErr)
	}
	return res.Named, nil
}

// lastYearAccounts is how many of the largest accounts answered last
// year's survey too.
const lastYearAccounts = 4

// addLastYear runs last year's survey at the largest accounts, most of
// whose people answered it, less happy than now: their account
// pages show a relationship over two surveys.
func (r *run) addLastYear(ctx context.Context) error {
	day := 24 * time.Hour
	def := definition()
	def.Title = txt("Customer survey 2025", "Asiakaskysely 2025", "Kundenumfrage 2025", "Enquête clients 2025")
	def = withMoreLocales(def)
	opened := r.o.Now.Add(-400 * day)
	sv, err := survey.New(def, store.NewID(), r.admin.ID, opened)
	if err != nil {
		return fmt.Errorf("demo: last year's survey: %w", err)
	}
	if err := sv.Open(opened); err != nil {
		return fmt.Errorf("demo: last year's survey: %w", err)
	}
	if err := r.d.Store.Surveys.Insert(ctx, sv); err != nil {
		return fmt.Errorf("demo: last year's survey: %w", err)
	}
	people := make(map[string][]customer.Contact)
	for _, c := range r.people {
		people[c.AccountID] = append(people[c.AccountID], c)
	}
	largest := slices.Clone(r.accounts)
	slices.SortStableFunc(largest, func(a, b store.Account) int { return len(people[b.ID]) - len(people[a.ID]) })
	largest = largest[:min(lastYearAccounts, len(largest))]
	camp := store.Campaign{
		ID: store.NewID(), SurveyID: sv.ID, CreatedBy: r.managers[0].ID, State: store.CampaignSent,
		SendAt: opened.Add(day), CreatedAt: opened.Add(day), ActiveUntil: opened.Add(60 * day),
	}
	var invs []store.Invitation
	var jobs []job
	for _, a := range largest {
		for _, c := range people[a.ID] {
			sent := opened.Add(day + time.Duration(r.rng.IntN(30*24))*time.Hour).Truncate(time.Millisecond)
			inv := store.Invitation{
				ID: link.NewID(), SurveyID: sv.ID, CampaignID: camp.ID, ContactID: c.ID, AccountID: a.ID,
				Locale: c.Locale, State: store.InvitationPending, ExpiresAt: sent.Add(30 * day), CreatedAt: sent,
			}
			invs = append(invs, inv)
			if r.rng.Float64() < 0.75 {
				locale := sv.Locale(c.Locale)
				jobs = append(jobs, job{sv: &sv, inv: inv, at: sent.Add(time.Duration(1+r.rng.IntN(60)) * time.Hour), locale: locale,
					values: r.answers(r.mood[a.ID]-1.5, locale), named: r.rng.Float64() < 0.15})
			}
		}
	}
	camp.Counts = store.CampaignCounts{Invited: len(invs), Fed: len(invs), Sent: len(invs)}
	if err := r.d.Store.Campaigns.Create(ctx, camp, nil, nil); err != nil {
		return fmt.Errorf("demo: last year's campaign: %w", err)
	}
	if err := r.insertInvitations(ctx, invs); err != nil {
		return err
	}
	named := 0
	for _, j := range jobs {
		isNamed, err := r.give(ctx, j)
		if err != nil {
			return err
		}
		if isNamed {
			named++
		}
	}
	r.res.LastYearID, r.res.LastYearInvitations, r.res.LastYearResponses = sv.ID, len(invs), len(jobs)
	r.res.Named += named
	if len(largest) > 0 {
		r.res.TrendAccount = largest[0].ID
	}
	r.logf("last year's survey: %d invitations at the %d largest accounts, %d answers", len(invs), len(largest), len(jobs))
	return nil
}

// settleFollowups makes the follow-ups look lived in: every detractor
// alert went out when its answer came (the answers are history, all given
// before the demo's present, so none is left for the first start to mail
// in a burst); the reminders and escalations of answers older than a week
// went out back then, while the last week's follow-ups keep their
// deadlines ahead; and most follow-ups older than two weeks were resolved
// by their manager.
func (r *run) settleFollowups(ctx context.Context) error {
	weekAgo := r.o.Now.Add(-7 * 24 * time.Hour).Format(time.DateOnly)
	fortnightAgo := r.o.Now.Add(-14 * 24 * time.Hour).Format(time.DateOnly)
	var all []store.Followup
	for page := (store.Page{Limit: 500}); ; page.Offset += page.Limit {
		list, total, err := r.d.Store.Followups.List(ctx, store.FollowupFilter{}, page)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		all = append(all, list...)
		if len(list) == 0 || page.Offset+int64(len(list)) >= total {
			break
		}
	}
	done := 0
	for _, f := range all {
		day, _ := time.Parse(time.DateOnly, f.Date)
		if f.Date < weekAgo {
			for _, kind := range []store.NoticeKind{store.NoticeReminder, store.NoticeEscalation} {
				if err := r.d.Store.Followups.NoticeSent(ctx, kind, f.ID, day.Add(10*time.Hour), nil); err != nil {
					return fmt.Errorf("demo: %w", err)
				}
			}
		}
		if f.Detractor {
			alerted := day.Add(10 * time.Hour)
			if alerted.After(r.o.Now) {
				alerted = r.o.Now
			}
			if err := r.d.Store.Followups.MarkAlerted(ctx, f.ID, alerted); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			if err := r.d.Store.Followups.AlertDone(ctx, f.ID); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
		if f.Date < fortnightAgo && len(f.ManagerIDs) > 0 && r.rng.Float64() < 0.7 {
			at := day.Add(time.Duration(24+r.rng.IntN(24*10)) * time.Hour)
			if err := r.d.Store.Followups.Transition(ctx, f.ID, store.FollowupChange{
				From: []store.FollowupState{store.FollowupOpen}, To: store.FollowupResolved, By: f.ManagerIDs[0], At: at}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			done++
		}
	}
	r.logf("follow-ups: %d, %d of them resolved; every detractor alert went out when its answer came, the last week's deadlines are ahead", len(all), done)
	return nil
}

// answers makes one answer form: scores that hang together, a channel,
// services, and a comment from some.
func (r *run) answers(mood float64, locale string) map[string][]string {
	nps := int(math.Round(7.4 + mood + 2.1*r.rng.NormFloat64()))
	nps = min(max(nps, 0), 10)
	v := map[string][]string{"q.nps": {strconv.Itoa(nps)}}
	if r.rng.Float64() < 0.92 {
		csat := int(math.Round(1 + float64(nps)*0.4 + 0.7*r.rng.NormFloat64()))
		v["q.csat"] = []string{strconv.Itoa(min(max(csat, 1), 5))}
	}
	if r.rng.Float64() < 0.85 {
		ces := int(math.Round(1.5 + float64(nps)*0.5 + r.rng.NormFloat64()))
		v["q.effort"] = []string{strconv.Itoa(min(max(ces, 1), 7))}
	}
	channels := []string{"phone", "phone", "phone", "email", "email", "portal", "technician"}
	v["q.channel"] = []string{pick(r.rng, channels)}
	services := []string{"maintenance"}
	for _, s := range []string{"repair", "modernisation", "installation"} {
		if r.rng.Float64() < 0.35 {
			services = append(services, s)
		}
	}
	v["q.services"] = services
	if r.rng.Float64() < 0.4 {
		kind := "promoter"
		switch {
		case nps <= 6:
			kind = "detractor"
		case nps <= 8:
			kind = "passive"
		}
		// Most comments are on the topics everyone raises; a few are
		// one-offs, some naming a person or giving a number to redact.
		text := topicComment(r.rng, kind, locale)
		if r.rng.IntN(10) == 0 {
			pool := comments[kind][locale]
			if len(pool) == 0 {
				pool = comments[kind]["en"]
			}
			text = pick(r.rng, pool)
		}
		v["q.comment"] = []string{text}
	}
	r.answerFollowups(v, nps, locale)
	return v
}
