//go:build soak

package soak

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/keys"
)

const (
	adminEmail    = "admin@soak.example.com"
	adminPassword = "soak-admin-password-1"
)

// TestMain builds bin/candor when it is missing, so that `go test -tags
// soak ./soak/` works on its own; `make soak` always rebuilds it first.
func TestMain(m *testing.M) {
	if os.Getenv("SOAK_CANDOR_BIN") == "" {
		if _, err := os.Stat(defaultBin("candor")); err != nil {
			cmd := exec.Command("go", "build", "-o", defaultBin("candor"), "./cmd/candor")
			cmd.Dir = repoRoot()
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintln(os.Stderr, "soak: building bin/candor:", err)
				os.Exit(1)
			}
		}
	}
	os.Exit(m.Run())
}

func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(wd) // the tests run in soak/
}

func defaultBin(name string) string { return filepath.Join(repoRoot(), "bin", name) }

func candorBin() string {
	if b := os.Getenv("SOAK_CANDOR_BIN"); b != "" {
		return b
	}
	return defaultBin("candor")
}

// envInt reads a size from the environment, or returns def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q is not a positive whole number", name, v)
	}
	return n
}

// envDuration reads a duration from the environment, or returns def.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q is not a duration such as 60s", name, v)
	}
	return d
}

// freePort picks a free loopback port. Another process could take it
// before it is used; on a test machine that does not happen in practice.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is a child process whose output goes to a log file in the test's
// directory; the log is shown when the test fails.
type proc struct {
	name  string
	cmd   *exec.Cmd
	log   string
	stdin interface{ Close() error }
	done  chan struct{}
	err   error // valid once done is closed
}

// startProc starts bin with args and env (CANDOR_* from the caller's
// environment are not inherited). The process dies with the test binary.
func startProc(t *testing.T, dir, name, bin string, args []string, env map[string]string) *proc {
	t.Helper()
	if keep := os.Getenv("SOAK_LOG_DIR"); keep != "" {
		// Kept after the run, for reading the processes' logs at leisure.
		dir = filepath.Join(keep, t.Name())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	logPath := uniquePath(dir, name, ".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CANDOR_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Killed with the test binary, so an aborted run leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	if stdin, err := cmd.StdinPipe(); err == nil {
		p.stdin = stdin
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("--- last lines of %s (%s) ---\n%s", name, logPath, p.tail(40))
		}
	})
	return p
}

func uniquePath(dir, name, ext string) string {
	for i := 1; ; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%s-%d%s", name, i, ext))
		if _, err := os.Stat(p); os.IsNotExist(err) {
			return p
		}
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *proc) kill() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to finish (SIGTERM, stdin closed) and kills it
// after 20 seconds.
func (p *proc) stop() {
	if p.exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if p.stdin != nil {
		_ = p.stdin.Close()
	}
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill()
	}
}

func (p *proc) tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// contains reports whether the process's log holds s.
func (p *proc) contains(s string) bool {
	b, _ := os.ReadFile(p.log)
	return strings.Contains(string(b), s)
}

// count returns how many times s occurs in the log.
func (p *proc) count(s string) int {
	b, _ := os.ReadFile(p.log)
	return strings.Count(string(b), s)
}

// database is a `candor db` process and the URI of its database.
type database struct {
	*proc
	addr, dataDir, uri string
}

// startDB runs `candor db` on addr with its files in dataDir and waits
// until it prints its URI.
func startDB(t *testing.T, dir, addr, dataDir string) *database {
	t.Helper()
	p := startProc(t, dir, "candor-db", candorBin(),
		[]string{"db", "--addr", addr, "--data-dir", dataDir, "--print-uri", "--exit-on-stdin-eof"},
		map[string]string{"CANDOR_LOG_LEVEL": "warn"})
	// --print-uri writes the URI to stdout, which shares the log file.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if line := firstLine(p.log); strings.HasPrefix(line, "mongodb://") {
			return &database{proc: p, addr: addr, dataDir: dataDir, uri: strings.TrimSpace(line) + "candor"}
		}
		if p.exited() {
			t.Fatalf("candor db exited: %v\n%s", p.err, p.tail(20))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("candor db did not print its URI within a minute\n%s", p.tail(20))
	return nil
}

func firstLine(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "mongodb://") {
			return l
		}
	}
	return ""
}

// newDB starts a fresh database for one test on a free port.
func newDB(t *testing.T) *database {
	t.Helper()
	dir := t.TempDir()
	return startDB(t, dir, fmt.Sprintf("127.0.0.1:%d", freePort(t)), filepath.Join(dir, "data"))
}

// restart starts the database again on the same address and files.
func (d *database) restart(t *testing.T) *database {
	t.Helper()
	return startDB(t, filepath.Dir(d.dataDir), d.addr, d.dataDir)
}

// client connects the test itself to the database, to count what is stored.
func (d *database) client(t *testing.T) *mongo.Database {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(d.uri).SetServerSelectionTimeout(20 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database("candor")
}

// candor is one Candor process (serve or worker) and its settings.
type candor struct {
	*proc
	base string // CANDOR_BASE_URL, also where it listens
	env  map[string]string
	args []string
}

// secretKeys makes a key ring every process of one test shares: contacts
// are sealed with it.
func secretKeys(t *testing.T) string {
	t.Helper()
	r, err := keys.Generate("soak1")
	if err != nil {
		t.Fatal(err)
	}
	return r.Encode()
}

// serveEnv is the environment of a `candor serve` on a free port.
func serveEnv(t *testing.T, db *database, secret, smtpURL string, extra map[string]string) map[string]string {
	t.Helper()
	port := freePort(t)
	env := map[string]string{
		"CANDOR_MONGODB_URI":    db.uri,
		"CANDOR_ADDR":           fmt.Sprintf("127.0.0.1:%d", port),
		"CANDOR_BASE_URL":       fmt.Sprintf("http://127.0.0.1:%d", port),
		"CANDOR_DATA_DIR":       t.TempDir(),
		"CANDOR_SECRET_KEYS":    secret,
		"CANDOR_ADMIN_EMAIL":    adminEmail,
		"CANDOR_ADMIN_PASSWORD": adminPassword,
		"CANDOR_SMTP_URL":       smtpURL,
		"CANDOR_MAIL_FROM":      "Soak Surveys <surveys@soak.example.com>",
		"CANDOR_MAIL_RATE":      "0",
		// Every run starts on a fresh database; nobody was surveyed before.
		"CANDOR_CONTACT_FREQUENCY_DAYS": "0",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// startCandor runs `candor <args>` with env and, for serve, waits until
// /healthz answers 200.
func startCandor(t *testing.T, env map[string]string, args ...string) *candor {
	t.Helper()
	name := "candor-" + args[0]
	c := &candor{proc: startProc(t, env["CANDOR_DATA_DIR"], name, candorBin(), args, env),
		base: env["CANDOR_BASE_URL"], env: env, args: args}
	if args[0] == "serve" {
		c.waitHealthy(t, time.Minute)
	} else {
		c.waitLog(t, "dispatcher started", time.Minute)
	}
	return c
}

// restart starts the same command with the same settings again.
func (c *candor) restart(t *testing.T) *candor {
	t.Helper()
	return startCandor(t, c.env, c.args...)
}

func (c *candor) waitHealthy(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 5 * time.Second}
	for time.Now().Before(deadline) {
		if c.exited() {
			t.Fatalf("%s exited: %v\n%s", c.name, c.err, c.tail(30))
		}
		if resp, err := hc.Get(c.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: /healthz not 200 within %s\n%s", c.name, timeout, c.tail(30))
}

func (c *candor) waitLog(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c.contains(s) {
			return
		}
		if c.exited() {
			t.Fatalf("%s exited: %v\n%s", c.name, c.err, c.tail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: no %q in the log within %s\n%s", c.name, s, timeout, c.tail(30))
}

// waitFor polls cond every interval until it holds or timeout passes.
func waitFor(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval)
	}
}

// percentile returns the p-th percentile (0–100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// summary prints figures in one block that is easy to find in the output
// of `make soak`.
type summary struct {
	mu    sync.Mutex
	name  string
	lines []string
}

func newSummary(t *testing.T, name string) *summary {
	s := &summary{name: name}
	t.Cleanup(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		t.Logf("SOAK SUMMARY %s\n  %s", s.name, strings.Join(s.lines, "\n  "))
	})
	return s
}

func (s *summary) add(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, fmt.Sprintf(format, args...))
}
