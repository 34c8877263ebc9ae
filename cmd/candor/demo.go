package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/candorhq/candor/internal/demo"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/survey"
)

// demoCmd runs `candor demo`: it fills an empty database with a realistic
// demonstration and says how to sign in.
func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := newFlagSet("demo", stderr)
	responses := fs.Int("responses", 3000, "answers to give")
	contacts := fs.Int("contacts", 0, "people to create (default 600, or 1.25 per answer when more are needed)")
	seed := fs.Uint64("seed", 1, "seed for the generated people and answers")
	password := fs.String("password", "", "password of every demo user (default: generated and printed)")
	a, err := parseTool(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer a.close()
	st := a.st
	// Answering as the server wires it, but without counting each answer
	// into the rollups as it comes: the demo rebuilds them once at the end,
	// which gives the same numbers in a fraction of the writes.
	respondents := respond.New(a.answering(nil))
	res, err := demo.Run(ctx, demo.Deps{
		Store: st, Users: a.auth, Customers: a.customers,
		Respond: respondents, Signer: a.links, Progress: stdout,
	}, demo.Options{Responses: *responses, Contacts: *contacts, Seed: *seed, Password: *password})
	if err != nil {
		return err
	}
	for _, id := range []string{res.SurveyID, res.LastYearID} {
		if err := rebuildRollups(ctx, a, id, func(sv survey.Survey, r report.Rebuilt) {
			fmt.Fprintf(stdout, "rollups of %q: %d responses counted in %d weeks\n", sv.Title.Get("en", "en"), r.Responses, r.Weeks)
		}); err != nil {
			return err
		}
	}
	// The comment themes now, so that the comments page shows them at
	// once rather than after the first background run.
	for _, id := range []string{res.SurveyID, res.LastYearID} {
		if err := rebuildThemes(ctx, a, id, stdout); err != nil {
			return err
		}
	}
	// Check what was made as an operator would: the consent chain, and the
	// report's count against the answers given.
	n, err := a.privacy.VerifyChain(ctx)
	if err != nil {
		return fmt.Errorf("demo: consent chain not verified: %w", err)
	}
	weeks, err := st.Rollups.CurrentWeeks(ctx, res.SurveyID)
	if err != nil {
		return err
	}
	counted := int64(0)
	for _, w := range weeks {
		counted += w.N
	}
	fmt.Fprintf(stdout, "\nDemo created in %s: %d accounts, %d contacts, %d invitations, %d answers (%d named), survey %q.\n",
		res.Took.Round(100*time.Millisecond), res.Accounts, res.Contacts, res.Invitations, res.Responses, res.Named, res.SurveyTitle)
	if res.LastYearResponses > 0 {
		fmt.Fprintf(stdout, "Last year's survey: %d invitations, %d answers at the largest accounts.\n", res.LastYearInvitations, res.LastYearResponses)
	}
	fmt.Fprintf(stdout, "Consent chain verified (%d records); the rollups count %d responses.\n\n", n, counted)
	fmt.Fprintf(stdout, "Sign in at %s/login as:\n", a.cfg.BaseURL)
	for _, l := range res.Logins {
		fmt.Fprintf(stdout, "  %-8s %-38s %s\n", l.Role, l.Email, l.Password)
	}
	fmt.Fprintf(stdout, "\nThe report: %s/surveys/%s/report\n", a.cfg.BaseURL, res.SurveyID)
	if res.TrendAccount != "" {
		fmt.Fprintf(stdout, "An account answering both surveys: %s/accounts/%s\n", a.cfg.BaseURL, res.TrendAccount)
	}
	return nil
}
