package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/candorhq/candor/internal/privacy"
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
