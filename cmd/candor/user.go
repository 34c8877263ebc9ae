package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/candorhq/candor/internal/auth"
	"github.com/candorhq/candor/internal/fault"
	"github.com/candorhq/candor/internal/keys"
	"github.com/candorhq/candor/internal/store"
)

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("candor "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func user(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: candor user add --email E --name N --role admin|manager|analyst")
	}
	fs := newFlagSet("user add", stderr)
	email := fs.String("email", "", "email address (sign-in name)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", string(store.RoleManager), "admin, manager or analyst")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	password := getenv("CANDOR_USER_PASSWORD")
	if password == "" {
		if password, err = promptPassword(stdin, stderr); err != nil {
			return err
		}
	}
	a, err := openTool(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.close()
	u, err := a.auth.CreateUser(ctx, auth.NewUser{
		Email: *email, Name: *name, Role: store.Role(*role), Password: password,
	})
	if f, ok := fault.As(err); ok && len(f.SortedFields()) > 0 {
		return fmt.Errorf("user not added: %s", fieldList(f.SortedFields()))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s) as %s\n", u.Email, u.Name, u.Role)
	return nil
}

func fieldList(fields []fault.Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "--" + f.Name + " " + f.Message
	}
	return strings.Join(parts, "; ")
}

// promptPassword reads a password without echo from a terminal, or a line
// from a pipe.
func promptPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Repeat:   ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(pw) != string(again) {
			return "", errors.New("passwords do not match")
		}
		return string(pw), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: set CANDOR_USER_PASSWORD or type one at the prompt")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func keysCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "generate" {
		return errors.New("usage: candor keys generate [--id ID]")
	}
	fs := newFlagSet("keys generate", stderr)
	id := fs.String("id", "", "key id (default: k + today's date)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *id == "" {
		*id = "k" + time.Now().UTC().Format("20060102")
	}
	r, err := keys.Generate(*id)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Encode())
	return nil
}
