package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// `candor retention preview` prints what a run would remove under the
// configured defaults; `candor retention run` removes it, and a second run
// finds nothing.
func TestRetentionCommands(t *testing.T) {
	t.Parallel()
	_, env := seededEnv(t)
	out, err := runCandor(env, "retention")
	if err == nil || !strings.Contains(out, "usage: candor retention") {
		t.Errorf("no subcommand: %q, %v", out, err)
	}
	// The two named answers are recent: nothing is due, even with limits.
	env["CANDOR_RETENTION_NAMED_MONTHS"] = "1"
	out, err = runCandor(env, "retention", "preview")
	var p struct {
		Policy struct {
			NamedMonths int `json:"namedMonths"`
		} `json:"policy"`
		Counts map[string]int `json:"counts"`
	}
	if err != nil || json.Unmarshal([]byte(out), &p) != nil || p.Policy.NamedMonths != 1 || p.Counts["named"] != 0 {
		t.Fatalf("preview = %q, %v", out, err)
	}
	env["CANDOR_RETENTION_NAMED_MONTHS"] = "121"
	if out, err := runCandor(env, "retention", "preview"); err == nil || !strings.Contains(out+err.Error(), "CANDOR_RETENTION_NAMED_MONTHS") {
		t.Errorf("an out-of-bounds default: %q, %v", out, err)
	}
	delete(env, "CANDOR_RETENTION_NAMED_MONTHS")
	for range 2 {
		out, err := runCandor(env, "retention", "run")
		if err != nil || !strings.HasPrefix(out, "retention sweep done: 0 contacts erased, 0 named answers de-identified") {
			t.Fatalf("run = %q, %v", out, err)
		}
	}
}
