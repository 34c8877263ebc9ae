package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"strconv"
	"strings"

	"github.com/candorhq/candor/internal/audit"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/link"
	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/respond"
	"github.com/candorhq/candor/internal/seal"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/consents"
)

// consentCmd runs `candor consent verify`: it walks the consent chain's
// anchors and every shard, recomputing every hash, fails naming the first
// record or anchor that does not verify, and anchors what it verified.
// With -anchor SEQ:HASH, an anchor noted down earlier must still be there.
func consentCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: candor consent verify [-anchor SEQ:HASH]")
	}
	fs := newFlagSet("consent verify", stderr)
	noted := fs.String("anchor", "", "an anchor printed by an earlier verify, as SEQ:HASH, that must still be in the chain")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var want consents.ChainHead
	if *noted != "" {
		seq, hash, ok := strings.Cut(*noted, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || n < 1 || hash == "" {
			return fmt.Errorf("-anchor %q: want SEQ:HASH, as verify prints it", *noted)
		}
		want = consents.ChainHead{Seq: n, Hash: hash}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, cfg, newLogger(cfg, io.Discard))
	if err != nil {
		return err
	}
	defer closeDB()
	v, err := privacy.NewChain(st.Consents).Check(ctx)
	if err != nil {
		return fmt.Errorf("consent chain NOT verified (%d records sound before the failure): %w", v.Records, err)
	}
	if want.Seq > 0 {
		a, err := st.Consents.AnchorBySeq(ctx, want.Seq)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err != nil || a.Hash != want.Hash {
			return fmt.Errorf("consent chain NOT verified: anchor %d is not the one noted (%s): the history was rewritten or cut", want.Seq, want.Hash)
		}
	}
	fmt.Fprintf(stdout, "consent chain verified: %d records in %d shards, %d anchors\n", v.Records, v.Shards, v.Anchors)
	if v.Anchor.Seq > 0 {
		fmt.Fprintf(stdout, "latest anchor: %d:%s\n", v.Anchor.Seq, v.Anchor.Hash)
	}
	return nil
}

// confirmations is how respondents' new email addresses are sent their
// confirmation links; zero in commands that serve no respondent pages.
type confirmations struct {
	sender privacy.Mailer
	from   netmail.Address
}

// respondentServices wires answering and data-subject rights over st.
func respondentServices(st *store.Store, ring *keys.Ring, baseURL string, subjects privacy.Subjects, mail confirmations) (*respond.Service, *privacy.Service) {
	sealer := seal.New(ring)
	priv := privacy.New(privacy.Deps{
		Consents: st.Consents, Responses: st.Responses, Subjects: subjects, Eraser: st.Contacts,
		Accounts: st.Accounts, Invitations: st.Invitations, Suppressions: st.Suppressions,
		Surveys: st.Surveys, Audit: audit.New(st.Audit), Sealer: sealer, Followups: st.Followups,
		EmailChanges: st.EmailChanges, Mailer: mail.sender, From: mail.from, BaseURL: baseURL,
	})
	resp := respond.New(respond.Deps{
		Signer: link.New(ring, baseURL), Keys: ring, Sealer: sealer,
		Invitations: st.Invitations, Surveys: st.Surveys, Contacts: st.Contacts, Accounts: st.Accounts,
		Responses: st.Responses, Consents: priv, Tally: report.New(st.Rollups),
		Quotes:    quoteService(st, sealer, subjects),
		Followups: followupRecorder(st, sealer),
	})
	return resp, priv
}

// quoteService keeps and shows respondents' quotable comments over st.
func quoteService(st *store.Store, sealer *seal.Sealer, people quotes.People) *quotes.Service {
	return quotes.New(quotes.Deps{Store: st.Quotes, Sealer: sealer, People: people, Accounts: st.Accounts, Users: st.Users})
}
