// Command candor runs the Candor survey platform and its maintenance tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Candor — consent-first customer loyalty surveys.

Usage:
  candor [serve]                 run the web server (the default), with the mail dispatcher unless CANDOR_DISPATCH=off
  candor worker                  run only the mail dispatcher, on a database shared with candor serve
  candor migrate                 create or verify the database indexes
  candor user add --email E --name N --role admin|manager|analyst
                                 add a staff user (password from CANDOR_USER_PASSWORD or a prompt)
  candor db [--addr HOST:PORT]   run only the embedded database, for several Candor processes on one machine
  candor keys generate [--id ID] print a new secret key for CANDOR_SECRET_KEYS
  candor keys reseal             re-encrypt sealed answers under the current (first) key
  candor keys rewrap [--progress N]
                                 move contacts' data keys, email indexes and suppressions under the current key
  candor keys status             show what is still under an older key
  candor consent verify          check the consent records' hash chain
  candor demo [--responses N] [--seed S] [--password P]
                                 fill an empty database with a realistic demo
  candor rollup rebuild [--survey ID]
                                 recompute report rollups from the stored responses
  candor themes rebuild [--survey ID]
                                 compute the comment themes now, rather than in the background
  candor retention preview       show what the next retention sweep would remove
  candor retention run           run the retention sweep now
  candor version                 print the version

Configuration comes from CANDOR_* environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "candor:", err)
		}
		os.Exit(1)
	}
}

// run dispatches to a subcommand; it is main without the process around it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stderr, getenv)
	case "worker":
		return worker(ctx, args, stderr, getenv)
	case "migrate":
		return migrate(ctx, args, stdout, stderr, getenv)
	case "user":
		return user(ctx, args, stdin, stdout, stderr, getenv)
	case "db":
		return db(ctx, args, stdin, stdout, stderr, getenv)
	case "keys":
		if len(args) > 0 {
			switch args[0] {
			case "reseal":
				return keysReseal(ctx, args[1:], stdout, stderr, getenv)
			case "rewrap":
				return keysRewrap(ctx, args[1:], stdout, stderr, getenv)
			case "status":
				return keysStatus(ctx, args[1:], stdout, stderr, getenv)
			}
		}
		return keysCmd(args, stdout, stderr)
	case "consent":
		return consentCmd(ctx, args, stdout, stderr, getenv)
	case "demo":
		return demoCmd(ctx, args, stdout, stderr, getenv)
	case "rollup":
		return rollupCmd(ctx, args, stdout, stderr, getenv)
	case "themes":
		return themesCmd(ctx, args, stdout, stderr, getenv)
	case "retention":
		return retentionCmd(ctx, args, stdout, stderr, getenv)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "candor", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
