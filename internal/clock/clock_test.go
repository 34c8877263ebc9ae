package clock

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOffset(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content *string
		want    time.Duration
		wantErr bool
	}{
		{"missing file", nil, 0, false},
		{"empty", ptr(" \n"), 0, false},
		{"days ahead", ptr("72h\n"), 72 * time.Hour, false},
		{"behind", ptr("-30m"), -30 * time.Minute, false},
		{"not a duration", ptr("three days"), 0, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if tt.content != nil {
				if err := os.WriteFile(path, []byte(*tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Offset(path)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("case %d: Offset = %v, %v; want %v, error %v", i, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestShiftedFollowsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "offset")
	now := Shifted(path)
	if d := time.Until(now()); d > time.Minute || d < -time.Minute {
		t.Fatalf("without a file the clock is off by %v", d)
	}
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("48h")
	if d := time.Until(now()); d < 47*time.Hour || d > 49*time.Hour {
		t.Fatalf("with 48h the clock is ahead by %v", d)
	}
	write("nonsense, longer than before")
	if d := time.Until(now()); d < 47*time.Hour {
		t.Fatalf("a bad file dropped the last good offset: ahead by %v", d)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(now()); d > time.Minute {
		t.Fatalf("after removing the file the clock is still ahead by %v", d)
	}
}

func ptr(s string) *string { return &s }
