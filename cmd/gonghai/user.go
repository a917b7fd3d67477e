package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/store"
)

func (e *environment) user(ctx context.Context, args []string) error {
	return e.dispatch(ctx, "user", args, subcommand{"create", e.userCreate}, subcommand{"passwd", e.userPasswd})
}

// limitFlag is an optional integer flag: unset means no personal limit.
type limitFlag struct{ v *int }

func (f *limitFlag) String() string {
	if f.v == nil {
		return ""
	}
	return fmt.Sprint(*f.v)
}

func (f *limitFlag) Set(s string) error {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n < 0 {
		return errors.New("want a whole number of 0 or more")
	}
	f.v = &n
	return nil
}

func (e *environment) userCreate(ctx context.Context, args []string) error {
	fs := e.flagSet("user create")
	var in gonghai.NewUser
	var role, pw string
	var limit limitFlag
	fs.StringVar(&in.Login, "login", "", "login name (required)")
	fs.StringVar(&in.Name, "name", "", "display name (required)")
	fs.StringVar(&role, "role", "", "admin, manager or rep (required)")
	fs.StringVar(&in.DepartmentID, "department", "", "department id or name")
	fs.StringVar(&in.Level, "level", "", "level, e.g. junior or senior: selects a holding limit")
	fs.Var(&limit, "holding-limit", "personal holding limit")
	fs.StringVar(&pw, "password", "", "password for signing in")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	in.Role, in.HoldingLimit = gonghai.Role(role), limit.v
	if pw != "" {
		h, err := password.Hash(ctx, pw)
		if err != nil {
			return err
		}
		in.PasswordHash = h
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if in.DepartmentID, err = departmentID(ctx, db, in.DepartmentID); err != nil {
		return err
	}
	u, err := db.CreateUser(ctx, nil, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(e.stdout, u.ID)
	return nil
}

// userPasswd sets a user's password and records it in the audit log. The
// password comes from --password, or else from the first line of standard
// input, which keeps it out of the process list and shell history.
func (e *environment) userPasswd(ctx context.Context, args []string) error {
	fs := e.flagSet("user passwd")
	var login, pw string
	fs.StringVar(&login, "login", "", "login name (required)")
	fs.StringVar(&pw, "password", "", "the new password; omitted: read from the first line of standard input")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if login == "" {
		return errors.New("user passwd: --login is required")
	}
	if pw == "" {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("user passwd: reading the password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if pw == "" {
		return errors.New("user passwd: give --password or the password on standard input")
	}
	h, err := password.Hash(ctx, pw)
	if err != nil {
		return err
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	return describe(db.SetPassword(ctx, nil, login, h))
}

func (e *environment) token(ctx context.Context, args []string) error {
	return e.dispatch(ctx, "token", args, subcommand{"create", e.tokenCreate}, subcommand{"list", e.tokenList},
		subcommand{"revoke", e.tokenRevoke})
}

// tokenCreate prints a new token for a user, and nothing else, so that a
// script can read it.
func (e *environment) tokenCreate(ctx context.Context, args []string) error {
	fs := e.flagSet("token create")
	login := fs.String("login", "", "the user the token acts as (required)")
	var in gonghai.NewToken
	fs.StringVar(&in.Name, "name", "", "what the token is for, shown in token lists")
	fs.IntVar(&in.ExpiresInDays, "expires-in-days", 0, "the token ends this many days from now; 0: until revoked")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if *login == "" {
		return errors.New("token create: --login is required")
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	_, tok, err := db.IssueToken(ctx, nil, *login, "", in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}

// tokenList prints a user's tokens, one a line: id, made, expiry, name.
func (e *environment) tokenList(ctx context.Context, args []string) error {
	fs := e.flagSet("token list")
	login := fs.String("login", "", "whose tokens (required)")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if *login == "" {
		return errors.New("token list: --login is required")
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByLogin(ctx, *login)
	if err != nil {
		return describe(err)
	}
	tokens, err := db.Tokens(ctx, gonghai.User{Role: gonghai.RoleAdmin}, u.ID)
	if err != nil {
		return describe(err)
	}
	for _, t := range tokens {
		expires := "never"
		if t.Expires != nil {
			expires = t.Expires.Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", t.ID, t.Created.Format(time.RFC3339), expires, t.Name)
	}
	return nil
}

// tokenRevoke ends one token by id, or all of a user's.
func (e *environment) tokenRevoke(ctx context.Context, args []string) error {
	fs := e.flagSet("token revoke")
	id := fs.String("id", "", "the token to end (from token list)")
	login := fs.String("login", "", "with --all: whose tokens")
	all := fs.Bool("all", false, "end every token of --login")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if (*id == "") == (*login == "" || !*all) {
		return errors.New("token revoke: give --id ID, or --login L --all")
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *id != "" {
		if err := db.RevokeToken(ctx, nil, *id); err != nil {
			return describe(err)
		}
		fmt.Fprintln(e.stdout, "revoked 1 token")
		return nil
	}
	n, err := db.RevokeTokens(ctx, *login)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(e.stdout, "revoked %d tokens\n", n)
	return nil
}

// describe turns a domain error into a line an operator can act on.
func describe(err error) error {
	var e *gonghai.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	for field, problem := range e.Fields {
		msg += fmt.Sprintf("; %s: %s", field, problem)
	}
	return fmt.Errorf("%s (%s)", msg, e.Code)
}

// departmentID resolves what an operator typed, an id or a unique name, to
// a department id.
func departmentID(ctx context.Context, db *store.DB, ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	depts, err := db.Departments(ctx)
	if err != nil {
		return "", err
	}
	var byName []string
	for _, d := range depts {
		if d.ID == ref {
			return d.ID, nil
		}
		if d.Name == ref {
			byName = append(byName, d.ID)
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		return "", fmt.Errorf("no department with id or name %q", ref)
	default:
		return "", fmt.Errorf("%d departments are named %q: give the id", len(byName), ref)
	}
}
