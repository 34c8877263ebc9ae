package storetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/candorhq/candor/internal/store/embedded"
)

// fakeDBEnv makes this test binary act as `candor db`, so that running the
// database in a child process is tested without the real command.
const fakeDBEnv = "STORETEST_FAKE_DB"

func TestMain(m *testing.M) {
	switch os.Getenv(fakeDBEnv) {
	case "":
		Main(m)
	case "fail":
		fmt.Fprintln(os.Stderr, "no database today")
		os.Exit(3)
	default:
		os.Exit(fakeDB(os.Args[1:]))
	}
}

func fakeDB(args []string) int {
	if len(args) == 0 || args[0] != "db" {
		return 2
	}
	fs := flag.NewFlagSet("db", flag.ContinueOnError)
	addr := fs.String("addr", "", "")
	dir := fs.String("data-dir", "", "")
	printURI := fs.Bool("print-uri", false, "")
	exitOnEOF := fs.Bool("exit-on-stdin-eof", false, "")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if *exitOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}
	err := embedded.Run(ctx, embedded.Options{DataDir: *dir, Addr: *addr}, func(uri string) {
		if *printURI {
			fmt.Println(uri)
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestDBGivesEachTestItsOwnDatabase(t *testing.T) {
	var mu sync.Mutex
	var names []string

	t.Run("group", func(t *testing.T) {
		for _, name := range []string{"a", "b", "c"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				db := DB(t)
				mu.Lock()
				names = append(names, db.Name())
				mu.Unlock()

				ctx := t.Context()
				coll := db.Collection("things")
				if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: name}}); err != nil {
					t.Fatal(err)
				}
				// Only this test's document is there.
				var got []struct {
					ID string `bson:"_id"`
				}
				cur, err := coll.Find(ctx, bson.D{})
				if err != nil {
					t.Fatal(err)
				}
				if err := cur.All(ctx, &got); err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].ID != name {
					t.Fatalf("documents = %+v, want only %q", got, name)
				}
			})
		}
	})

	slices.Sort(names)
	if len(names) != 3 || len(slices.Compact(slices.Clone(names))) != 3 {
		t.Fatalf("database names = %v, want three different ones", names)
	}
	// Each was dropped when its test ended.
	all, err := get(t).client.ListDatabaseNames(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if slices.Contains(all, n) {
			t.Errorf("database %s outlived its test", n)
		}
	}
}

func TestDBName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,63}$`)
	seen := map[string]bool{}
	for range 1000 {
		n := dbName()
		if !valid.MatchString(n) {
			t.Fatalf("invalid database name %q", n)
		}
		if seen[n] {
			t.Fatalf("name %q repeated", n)
		}
		seen[n] = true
	}
}

func TestURI(t *testing.T) {
	t.Parallel()
	uri := URI(t)
	if !strings.HasPrefix(uri, "mongodb://") {
		t.Fatalf("URI = %q", uri)
	}
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Disconnect(context.Background()) }()
	if err := c.Ping(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestStartBinary(t *testing.T) {
	if os.Getenv(EnvMongoURI) != "" {
		t.Skip("a real MongoDB is configured")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	t.Run("serves until stdin closes", func(t *testing.T) {
		t.Setenv(fakeDBEnv, "1")
		srv, err := startBinary(ctx, os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		c, err := mongo.Connect(options.Client().ApplyURI(srv.uri))
		if err != nil {
			t.Fatal(err)
		}
		coll := c.Database(dbName()).Collection("c")
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}}); err != nil {
			t.Fatal(err)
		}
		if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
			t.Fatalf("count = %d, %v", n, err)
		}
		_ = c.Disconnect(ctx)

		done := make(chan error, 1)
		go func() { done <- srv.stop() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("child did not exit after stdin closed")
		}
		c2, _ := mongo.Connect(options.Client().ApplyURI(srv.uri).SetServerSelectionTimeout(300 * time.Millisecond))
		defer func() { _ = c2.Disconnect(context.Background()) }()
		if err := c2.Ping(ctx, nil); err == nil {
			t.Fatal("server still answers after stop")
		}
	})

	t.Run("reports a child that fails", func(t *testing.T) {
		t.Setenv(fakeDBEnv, "fail")
		_, err := startBinary(ctx, os.Args[0])
		if err == nil || !strings.Contains(err.Error(), "no database today") {
			t.Fatalf("err = %v, want the child's stderr", err)
		}
	})

	t.Run("missing binary", func(t *testing.T) {
		_, err := startBinary(ctx, "/nonexistent/candor")
		if err == nil || !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v", err)
		}
	})
}
