//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The first admin, created by `candor serve` on its empty database.
const (
	adminEmail    = "admin@example.com"
	adminPassword = "e2e-admin-password"
)

// server is a `candor serve` child process on the embedded database.
type server struct {
	URL string // the base URL, also CANDOR_BASE_URL
	log *logBuffer
	pid int
	// clock is the server's CANDOR_CLOCK_OFFSET_FILE: advance writes it to
	// send the server's deadlines and schedules into the future.
	clock string
	axe   string // the axe-core script every page is checked with
}

// startServer builds (or takes CANDOR_E2E_BIN) the candor binary and runs
// `candor serve` on a free loopback port with a fresh data directory and no
// SMTP server, so that mail goes to the dev outbox. It returns once /healthz
// answers 200; the process is stopped when the test ends. Before serving,
// each of before runs as a candor command on the same data directory
// (`candor demo …`), its output kept in the artifacts.
func startServer(t *testing.T, before ...[]string) *server {
	t.Helper()
	bin := os.Getenv("CANDOR_E2E_BIN")
	if bin != "" && !filepath.IsAbs(bin) {
		bin = filepath.Join(repoRoot(t), bin) // go test runs in e2e/
	}
	if bin == "" {
		bin = filepath.Join(t.TempDir(), "candor")
		build := exec.Command("go", "build", "-o", bin, "./cmd/candor")
		build.Dir = repoRoot(t)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("build candor: %v\n%s", err, out)
		}
	}
	addr := freeAddr(t)
	s := &server{URL: "http://" + addr, log: &logBuffer{}, clock: filepath.Join(t.TempDir(), "clock-offset"), axe: loadAxe(t)}

	env := append(os.Environ(),
		"CANDOR_ENV=development",
		"CANDOR_ADDR="+addr,
		"CANDOR_BASE_URL="+s.URL,
		"CANDOR_DATA_DIR="+filepath.Join(t.TempDir(), "data"),
		"CANDOR_MONGODB_URI=",
		"CANDOR_SMTP_URL=",
		"CANDOR_SECRET_KEYS=",
		"CANDOR_ADMIN_EMAIL="+adminEmail,
		"CANDOR_ADMIN_PASSWORD="+adminPassword,
		"CANDOR_LOG_LEVEL=info",
		"CANDOR_CLOCK_OFFSET_FILE="+s.clock,
	)
	for _, args := range before {
		pre := exec.Command(bin, args...)
		pre.Env = env
		out, err := pre.CombinedOutput()
		file := filepath.Join(artifactsDir(t), "candor-"+args[0]+".txt")
		if werr := os.WriteFile(file, out, 0o644); werr != nil {
			t.Logf("keep the output of candor %s: %v", args[0], werr)
		}
		if err != nil {
			t.Fatalf("candor %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	logFile, err := os.Create(filepath.Join(artifactsDir(t), "server.log"))
	if err != nil {
		t.Fatalf("server log: %v", err)
	}
	out := io.MultiWriter(s.log, logFile)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start candor: %v", err)
	}
	s.pid = cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- server log, last lines (all of it in %s) ---\n%s", logFile.Name(), s.log.Tail(60))
		}
		// SIGTERM lets the server finish its requests and close the database.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
	})

	// The embedded database starts first; on a slow machine that takes a while.
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("candor serve exited before it was healthy: %v\n%s", err, s.log.Tail(60))
		default:
		}
		resp, err := http.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("candor serve not healthy after 90s (last: %v)\n%s", err, s.log.Tail(60))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// repoRoot is the module root: this file's directory's parent.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the repository")
	}
	return filepath.Dir(filepath.Dir(file))
}

// artifactsDir is where screenshots and the server log go:
// CANDOR_E2E_ARTIFACTS, or bin/e2e-artifacts in the repository.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CANDOR_E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "bin", "e2e-artifacts")
	}
	dir = filepath.Join(dir, t.Name()) // each test's own: resetting one leaves the others be
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	return dir
}

// resetArtifacts removes the screenshots of an earlier run, so that the
// directory shows this run only (a stale failure-*.png would mislead).
func resetArtifacts(t *testing.T) {
	t.Helper()
	old, _ := filepath.Glob(filepath.Join(artifactsDir(t), "*.png"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			t.Fatalf("artifacts: %v", err)
		}
	}
}

// logBuffer keeps the server's output for the failure report.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Tail returns the last n lines written.
func (b *logBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := strings.Split(strings.TrimRight(b.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Grep returns the lines written so far that contain s.
func (b *logBuffer) Grep(s string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// waitFor polls check until it reports done, an error, or the context ends.
// It is for state outside any page (the outbox, a background job), where no
// selector can be waited on.
func waitFor(ctx context.Context, what string, check func() (bool, error)) error {
	var last error
	for {
		done, err := check()
		if done && err == nil {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("waiting for %s: %w", what, ctx.Err()), last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// peakRSS is the most memory the server process has held resident so far
// (VmHWM), in bytes; 0 where /proc does not tell.
func (s *server) peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
