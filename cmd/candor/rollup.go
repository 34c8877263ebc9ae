package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/candorhq/candor/internal/privacy"
	"github.com/candorhq/candor/internal/report"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// rollupCmd runs `candor rollup rebuild [--survey ID]`: it recomputes the
// report rollups of one survey, or of all, from the stored responses.
func rollupCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return errors.New("usage: candor rollup rebuild [--survey ID]")
	}
	fs := newFlagSet("rollup rebuild", stderr)
	only := fs.String("survey", "", "rebuild only this survey's rollups")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	a, err := openTool(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.close()
	surveys, responses := 0, 0
	err = rebuildRollups(ctx, a, *only, func(sv survey.Survey, r report.Rebuilt) {
		surveys++
		responses += r.Responses
		fmt.Fprintf(stdout, "%s  %q: %d responses counted in %d weeks", sv.ID, sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale), r.Responses, r.Weeks)
		if r.Skipped > 0 {
			fmt.Fprintf(stdout, ", %d skipped", r.Skipped)
		}
		fmt.Fprintln(stdout)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rollups rebuilt: %d surveys, %d responses\n", surveys, responses)
	return nil
}

// rebuildRollups recomputes the rollups of survey only, or of every survey
// when only is empty.
func rebuildRollups(ctx context.Context, a *app, only string, each func(survey.Survey, report.Rebuilt)) error {
	return a.reports.RebuildAll(ctx, a.st.Surveys, a.st.Responses, a.openResponse, only, each)
}

// rebuildOutdatedRollups rebuilds the rollups still counted by ISO week,
// from before reports used calendar months, or without accounts.
func rebuildOutdatedRollups(ctx context.Context, a *app) error {
	return a.reports.RebuildOutdated(ctx, a.st.Surveys, a.st.Responses, a.openResponse, func(sv survey.Survey, r report.Rebuilt) {
		a.logger.Info("outdated rollups rebuilt", "survey", sv.ID, "responses", r.Responses)
	})
}

// tallySweepEvery is how often responses left uncounted are counted.
const tallySweepEvery = time.Minute

// startTallySweeper counts, at start and then every minute, the responses
// whose counting was left undone (a lost reply, a crash, a rebuild that
// held their survey). Every serve process sweeps; claims keep them apart.
func startTallySweeper(ctx context.Context, a *app) (stop func()) {
	sw := a.reports.NewSweeper(a.st.Responses, a.st.Surveys, a.openResponse)
	return inBackground(ctx, func(ctx context.Context) { sw.Run(ctx, tallySweepEvery, a.logger) })
}

// openResponse opens a stored response's sealed answers and account, for
// counting them.
func (a *app) openResponse(r store.Response) (report.Opened, error) {
	answers, account, err := privacy.OpenResponse(a.sealer, r)
	return report.Opened{Answers: answers, AccountID: account}, err
}
