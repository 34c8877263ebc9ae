// Package storetest gives tests a MongoDB database of their own.
//
// The server is chosen once per test binary:
//   - CANDOR_TEST_MONGODB_URI set: that MongoDB;
//   - CANDOR_TEST_DB_BIN set: that candor binary runs the embedded database in a child
//     process (built without -race, it runs several times faster than in-process
//     FerretDB under the race detector);
//   - otherwise: the embedded database in this process.
//
// Packages call Main from TestMain so the server and its files go away at the end:
//
//	func TestMain(m *testing.M) { storetest.Main(m) }
package storetest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/embedded"
)

// Environment variables that choose the server.
const (
	EnvMongoURI = "CANDOR_TEST_MONGODB_URI"
	EnvDBBin    = "CANDOR_TEST_DB_BIN"
)

const startTimeout = 2 * time.Minute

// The one server and client of this test binary.
var (
	started atomic.Bool
	shared  = sync.OnceValues(func() (*server, error) {
		started.Store(true)
		return start()
	})
)

type server struct {
	uri    string
	client *mongo.Client
	stop   func() error // stops what start started and removes its files
}

// DB returns a fresh, uniquely named database for this test, dropped when the test
// ends; tests using it may run in parallel.
func DB(t testing.TB) *mongo.Database {
	t.Helper()
	srv := get(t)
	name := dbName()
	db := srv.client.Database(name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	return db
}

// URI returns the server's connection string, for tests that need their own client.
func URI(t testing.TB) string {
	t.Helper()
	return get(t).uri
}

// dbName returns a new random database name, valid on MongoDB and FerretDB
// (letters, digits, '_' and '-', at most 63 characters).
func dbName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // never fails
	return "t_" + hex.EncodeToString(b)
}

// Main runs the tests, then stops the server if one was started and exits.
func Main(m *testing.M) {
	code := m.Run()
	if started.Load() {
		if srv, err := shared(); err == nil {
			if err := srv.close(); err != nil {
				fmt.Fprintln(os.Stderr, err)
				if code == 0 {
					code = 1
				}
			}
		}
	}
	os.Exit(code)
}

func get(t testing.TB) *server {
	t.Helper()
	srv, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func start() (*server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()

	var srv *server
	var err error
	switch {
	case os.Getenv(EnvMongoURI) != "":
		srv = &server{uri: os.Getenv(EnvMongoURI), stop: func() error { return nil }}
	case os.Getenv(EnvDBBin) != "":
		srv, err = startBinary(ctx, os.Getenv(EnvDBBin))
	default:
		srv, err = startInProcess(ctx)
	}
	if err != nil {
		return nil, err
	}

	client, err := mongo.Connect(options.Client().ApplyURI(srv.uri))
	if err == nil {
		if err = client.Ping(ctx, nil); err != nil {
			_ = client.Disconnect(ctx)
		}
	}
	if err != nil {
		_ = srv.stop()
		return nil, fmt.Errorf("storetest: connect to %s: %w", srv.uri, err)
	}
	srv.client = client
	return srv, nil
}

func (s *server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if s.client != nil {
		errs = append(errs, s.client.Disconnect(ctx))
	}
	errs = append(errs, s.stop())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("storetest: stop server: %w", err)
	}
	return nil
}

func startInProcess(ctx context.Context) (*server, error) {
	dir, err := os.MkdirTemp("", "candor-storetest-")
	if err != nil {
		return nil, fmt.Errorf("storetest: %w", err)
	}
	s, err := embedded.Start(ctx, embedded.Options{DataDir: dir})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("storetest: %w", err)
	}
	return &server{uri: s.URI(), stop: func() error {
		return errors.Join(s.Close(), os.RemoveAll(dir))
	}}, nil
}

// startBinary runs `bin db`, which prints its URI once ready and exits when its
// stdin reaches EOF: holding the pipe open keeps it alive exactly as long as this
// process, however this process ends.
func startBinary(ctx context.Context, bin string) (*server, error) {
	dir, err := os.MkdirTemp("", "candor-storetest-")
	if err != nil {
		return nil, fmt.Errorf("storetest: %w", err)
	}
	return startBinaryIn(ctx, bin, dir)
}

// startBinaryIn is startBinary on the data directory dir, which stop
// removes.
func startBinaryIn(ctx context.Context, bin, dir string) (*server, error) {
	cmd := exec.Command(bin, "db",
		"--addr", "127.0.0.1:0", "--data-dir", dir, "--print-uri", "--exit-on-stdin-eof")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("storetest: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("storetest: %w", err)
	}
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("storetest: start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() error {
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		return os.RemoveAll(dir)
	}

	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r) // the child must never block on a full pipe
	}()

	fail := func(format string, args ...any) (*server, error) {
		_ = stop()
		msg := fmt.Sprintf(format, args...)
		if tail := strings.TrimSpace(stderr.String()); tail != "" {
			msg += "\n" + tail
		}
		return nil, fmt.Errorf("storetest: %s %s: %s", bin, "db", msg)
	}
	select {
	case uri := <-lines:
		if uri == "" {
			select {
			case <-exited:
				return fail("exited before printing its URI: %v", waitErr)
			case <-time.After(5 * time.Second):
			}
		}
		if !strings.HasPrefix(uri, "mongodb://") {
			return fail("printed %q, want a mongodb:// URI", uri)
		}
		return &server{uri: uri, stop: stop}, nil
	case <-exited:
		return fail("exited before printing its URI: %v", waitErr)
	case <-ctx.Done():
		return fail("did not print its URI: %v", ctx.Err())
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if over := t.b.Len() - t.max; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.b.String()
}
