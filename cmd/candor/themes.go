package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/candorhq/candor/internal/quotes"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/survey"
)

// startThemes computes, at start and then every minute, the themes of the
// questions that gained comments. Every serve process runs it; the lease
// lets one of them at a time do the work.
func startThemes(ctx context.Context, a *app) (stop func()) {
	return inBackground(ctx, func(ctx context.Context) { a.quotes.RunThemes(ctx, a.st.Surveys, quotes.ThemesEvery, a.logger) })
}

// themesCmd runs `candor themes rebuild [--survey ID]`: it computes the
// comment themes of every quotable question of one survey, or of all.
func themesCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return errors.New("usage: candor themes rebuild [--survey ID]")
	}
	fs := newFlagSet("themes rebuild", stderr)
	only := fs.String("survey", "", "rebuild only this survey's themes")
	a, err := parseTool(ctx, fs, args[1:], getenv)
	if err != nil {
		return err
	}
	defer a.close()
	return rebuildThemes(ctx, a, *only, stdout)
}

// rebuildThemes computes the themes of survey only's quotable questions,
// or of every survey's when only is empty, printing a line per question.
func rebuildThemes(ctx context.Context, a *app, only string, stdout io.Writer) error {
	var surveys []survey.Survey
	if only != "" {
		sv, err := a.st.Surveys.ByID(ctx, only)
		if err != nil {
			return err
		}
		surveys = append(surveys, sv)
	} else {
		for page := (store.Page{Limit: 100}); ; page.Offset += page.Limit {
			list, total, err := a.st.Surveys.List(ctx, store.SurveyFilter{}, page)
			if err != nil {
				return err
			}
			surveys = append(surveys, list...)
			if len(list) == 0 || page.Offset+int64(len(list)) >= total {
				break
			}
		}
	}
	for _, sv := range surveys {
		for _, q := range sv.Questions {
			if !quotes.Quotable(q) {
				continue
			}
			n, err := a.quotes.ComputeThemes(ctx, sv, q.Key)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "themes of %q, question %s: %d\n", sv.Title.Get(sv.DefaultLocale, sv.DefaultLocale), q.Key, n)
		}
	}
	return nil
}
