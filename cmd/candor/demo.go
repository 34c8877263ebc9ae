package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/demo"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/seal"
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
	t, closeDB, err := parseTool(ctx, fs, args, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	ring, st := t.ring, t.st
	sealer := seal.New(ring)
	customers := customer.New(st.Accounts, st.Contacts, st.Users, sealer)
	_, priv := respondentServices(st, ring, t.cfg.BaseURL, customers, confirmations{})
	// Answering as the server wires it, but without counting each answer
	// into the rollups as it comes: the demo rebuilds them once at the end,
	// which gives the same numbers in a fraction of the writes.
	signer := link.New(ring, t.cfg.BaseURL)
	respondents := respond.New(respond.Deps{
		Signer: signer, Keys: ring, Sealer: sealer,
		Invitations: st.Invitations, Surveys: st.Surveys, Contacts: st.Contacts, Accounts: st.Accounts,
		Responses: st.Responses, Consents: priv,
		Quotes:    quoteService(st, sealer, customers),
		Followups: followupRecorder(st, sealer),
	})
	res, err := demo.Run(ctx, demo.Deps{
		Store: st, Users: auth.New(auth.StoresOf(st, ring), auth.Options{}), Customers: customers,
		Respond: respondents, Signer: signer, Progress: stdout,
	}, demo.Options{Responses: *responses, Contacts: *contacts, Seed: *seed, Password: *password})
	if err != nil {
		return err
	}
	if err := rebuildRollups(ctx, st, sealer, res.SurveyID, func(_ survey.Survey, r report.Rebuilt) {
		fmt.Fprintf(stdout, "rollups: %d responses counted in %d weeks\n", r.Responses, r.Weeks)
	}); err != nil {
		return err
	}
	// Check what was made as an operator would: the consent chain, and the
	// report's count against the answers given.
	n, err := priv.VerifyChain(ctx)
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
	fmt.Fprintf(stdout, "Consent chain verified (%d records); the rollups count %d responses.\n\n", n, counted)
	fmt.Fprintf(stdout, "Sign in at %s/login as:\n", t.cfg.BaseURL)
	for _, l := range res.Logins {
		fmt.Fprintf(stdout, "  %-8s %-38s %s\n", l.Role, l.Email, l.Password)
	}
	fmt.Fprintf(stdout, "\nThe report: %s/surveys/%s/report\n", t.cfg.BaseURL, res.SurveyID)
	return nil
}
