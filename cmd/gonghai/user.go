package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/store"
)

func (e *environment) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("user: want create or passwd")
	}
	switch args[0] {
	case "create":
		return e.userCreate(ctx, args[1:])
	case "passwd":
		return e.userPasswd(ctx, args[1:])
	default:
		return fmt.Errorf("user: unknown subcommand %q", args[0])
	}
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
	var cfg config
	fs := e.flags("user create", &cfg)
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	in.Role, in.HoldingLimit = gonghai.Role(role), limit.v
	if pw != "" {
		h, err := password.Hash(pw)
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
	var cfg config
	fs := e.flags("user passwd", &cfg)
	var login, pw string
	fs.StringVar(&login, "login", "", "login name (required)")
	fs.StringVar(&pw, "password", "", "the new password; omitted: read from the first line of standard input")
	if err := fs.Parse(args); err != nil {
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
	h, err := password.Hash(pw)
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
	if len(args) == 0 || args[0] != "create" {
		return errors.New("token: want create")
	}
	var cfg config
	fs := e.flags("token create", &cfg)
	login := fs.String("login", "", "the user the token acts as (required)")
	if err := fs.Parse(args[1:]); err != nil {
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
	tok, err := db.CreateToken(ctx, *login)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(e.stdout, tok)
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
