package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	in := `goos: linux
BenchmarkUserByID/raw-2         	    2000	    500000 ns/op	    1200 B/op
BenchmarkUserByID/candor-2      	    1000	   1000000 ns/op	    2400 B/op
BenchmarkLonely-2               	    1000	      1000 ns/op
PASS`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"UserByID   candor   1000000  0.50", "UserByID   raw      500000   1.00", "2400 B/op"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Lonely") {
		t.Errorf("benchmark without a baseline listed:\n%s", got)
	}
}

func TestSummary(t *testing.T) {
	in := `BenchmarkDispatch/raw-2         	    1000	    300000 ns/op	      3254 msgs/s
BenchmarkDispatch/candor-2      	    1000	   6000000 ns/op	       160.1 msgs/s
BenchmarkSubmit/raw-2           	     500	   2000000 ns/op	       432.9 ops/s	        49.50 p50-ms	       238.7 p99-ms
BenchmarkSubmit/candor-2        	     500	   3000000 ns/op	       333.0 ops/s	        60.00 p50-ms	       300.0 p99-ms
BenchmarkDashboard/raw-2        	       1	 600000000 ns/op
BenchmarkDashboard/candor-2     	      30	     34000 ns/op
BenchmarkOther/raw-2            	     100	      1000 ns/op
BenchmarkOther/fast-2           	     100	       500 ns/op
PASS`
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	_, table, found := strings.Cut(got, "benchmark  candor")
	if !found {
		t.Fatalf("no summary table:\n%s", got)
	}
	for _, want := range []string{
		"Dispatch   6ms/op",
		"0.050",
		"≥ 0.8  no",
		"Submit     3ms/op",
		"0.67",
		"≥ 0.5  yes",
		"Dashboard  34µs/op",
		"17647",
		"≥ 50   yes",
		"49.50 p50-ms", // custom metrics stay in the detailed table
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(table, "Other") {
		t.Errorf("summary lists a benchmark without a candor variant:\n%s", table)
	}
}
