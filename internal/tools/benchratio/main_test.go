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
