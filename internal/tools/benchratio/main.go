// Command benchratio reads `go test -bench` output and prints, for every
// benchmark with a "raw" baseline sub-benchmark, how each other variant
// compares with it in the same run: ratio = baseline ns/op ÷ variant ns/op,
// so 1.0 is as fast as the raw driver or raw SMTP loop and 0.5 half as fast.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

type result struct {
	nsPerOp float64
	extra   []string // other reported metrics, e.g. "812 B/op"
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

func run(r io.Reader, w io.Writer) error {
	groups := map[string]map[string]result{}
	var order []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, res, ok := parseLine(sc.Text())
		if !ok {
			continue
		}
		parent, variant, found := strings.Cut(name, "/")
		if !found {
			continue
		}
		if groups[parent] == nil {
			groups[parent] = map[string]result{}
			order = append(order, parent)
		}
		groups[parent][variant] = res
	}
	if err := sc.Err(); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tvariant\tns/op\tratio vs raw\tother")
	for _, parent := range order {
		g := groups[parent]
		base, ok := g["raw"]
		if !ok {
			continue
		}
		variants := make([]string, 0, len(g))
		for v := range g {
			variants = append(variants, v)
		}
		sort.Strings(variants)
		for _, v := range variants {
			res := g[v]
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.2f\t%s\n", parent, v, res.nsPerOp, base.nsPerOp/res.nsPerOp, strings.Join(res.extra, ", "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return summary(w, order, groups)
}

// goals are the ratios of candor to raw the project promises (issue #7):
// submissions at least half as fast as a raw insert, dispatch at least
// 0.8 of a raw go-mail loop, dashboards at least 50 times a full scan.
var goals = map[string]float64{
	"Submit":    0.5,
	"Dispatch":  0.8,
	"Dashboard": 50,
}

// summary prints one line per benchmark with a candor and a raw variant:
// both times per operation, their ratio, the goal and whether it is met.
func summary(w io.Writer, order []string, groups map[string]map[string]result) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "benchmark\tcandor\traw\tratio\tgoal\tmet?")
	for _, parent := range order {
		cand, ok1 := groups[parent]["candor"]
		raw, ok2 := groups[parent]["raw"]
		if !ok1 || !ok2 {
			continue
		}
		ratio := raw.nsPerOp / cand.nsPerOp
		goal, met := "-", "-"
		if g, ok := goals[parent]; ok {
			goal = "≥ " + strconv.FormatFloat(g, 'g', -1, 64)
			met = "no"
			if ratio >= g {
				met = "yes"
			}
		}
		fmt.Fprintf(tw, "%s\t%s/op\t%s/op\t%s\t%s\t%s\n", parent, duration(cand.nsPerOp), duration(raw.nsPerOp), formatRatio(ratio), goal, met)
	}
	return tw.Flush()
}

// duration shows nanoseconds per operation at a readable precision.
func duration(ns float64) string {
	d := time.Duration(ns)
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(10 * time.Nanosecond).String()
	}
}

// formatRatio keeps two significant decimals for small ratios and whole
// numbers for large ones.
func formatRatio(r float64) string {
	if r >= 100 {
		return strconv.FormatFloat(r, 'f', 0, 64)
	}
	if r >= 0.1 {
		return strconv.FormatFloat(r, 'f', 2, 64)
	}
	return strconv.FormatFloat(r, 'f', 3, 64)
}

// parseLine reads "BenchmarkX/y-2  100  123 ns/op  45 B/op ...".
func parseLine(line string) (string, result, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", result{}, false
	}
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	var res result
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return "", result{}, false
		}
		if f[i+1] == "ns/op" {
			res.nsPerOp = v
		} else {
			res.extra = append(res.extra, f[i]+" "+f[i+1])
		}
	}
	return name, res, res.nsPerOp > 0
}
