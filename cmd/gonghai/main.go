// Command gonghai runs the lead-pool CRM: its server, migrations, user and
// token administration, and benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "gonghai:", err)
		os.Exit(1)
	}
}

const usage = `gonghai — lead-pool CRM engine (公海)

Usage:
  gonghai serve [--addr 127.0.0.1:8080] [--db DSN] [--demo] [--recycle-interval 1m] [--session-idle 30m] [--session-lifetime 12h] [--secure-cookies] [--trusted-proxies CIDR,…]
  gonghai migrate [--db DSN]
  gonghai recycle [--db DSN] [--dry-run [--days 7] [--pool P]]
  gonghai digest [--db DSN] [--week YYYY-MM-DD] [--dry-run]    (the managers' weekly digests: as sent, or with --dry-run composed now)
  gonghai import --pool NAME_OR_ID [--owner LOGIN] [--channel KEY] [--on-duplicate skip|update|conflict] [--dry-run] [--encoding E] [--as LOGIN] FILE
  gonghai user create --login L --name N --role admin|manager|rep [--department D] [--level V] [--holding-limit K] [--password P]
  gonghai user passwd --login L [--password P]    (without --password: the first line of standard input)
  gonghai token create --login L [--name N] [--expires-in-days D]
  gonghai token list --login L
  gonghai token revoke --id ID | --login L --all
  gonghai keys rotate [--db DSN] [--batch 500]
  gonghai keys new [--standby | --promote ID]
  gonghai keys prune [--db DSN]
  gonghai bench claim-storm [--db DSN] [--postgres URL] [--reps 40] [--workers 200] [--few 50] [--rounds 10] [--many 5000] [--seconds N]
  gonghai bench recycle [--db DSN] [--postgres URL] [--owned 100000,1000000] [--due 10000] [--seconds N]
  gonghai bench list [--customers 1000000] [--keep DIR] [--postgres URL] [--page 50] [--depth 10000] [--rounds 50]
  gonghai bench search [--customers 1000000] [--keep DIR] [--postgres URL] [--rounds 100]
  gonghai bench memory [--customers 1000000] [--keep DIR] [--requests 1000] [--logins 50] [--bin PATH]
  gonghai bench page [--customers 1000000] [--keep DIR] [--postgres URL] [--page 50] [--rounds 50]
  gonghai bench import [--rows 10000,100000] [--keep DIR] [--bin PATH]
  gonghai bench intake [--db DSN] [--postgres URL] [--reps 20] [--workers 32] [--leads 2000]
  gonghai bench score [--customers 100000] [--keep DIR] [--postgres URL]
  gonghai bench reports [--customers 1000000] [--events 10] [--keep DIR] [--postgres URL]
  gonghai openapi    (prints the OpenAPI document the server serves at /api/openapi.json)
  gonghai config [serve's flags] [--markdown]    (checks the settings serve would run with and prints them; --markdown: every setting, as the README lists them)

DSN: sqlite:PATH (default sqlite:gonghai.db) or postgres://…; also GONGHAI_DB.
Field keys: GONGHAI_KEYS, else the key file GONGHAI_KEY_FILE (default: PATH.keys beside a SQLite database).
Every flag's GONGHAI_* variable, default and meaning: gonghai config --markdown. Flags override variables.
`

// run is the whole program, with its surroundings passed in so that tests
// can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := &environment{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return env.serve(ctx, rest)
	case "migrate":
		return env.migrate(ctx, rest)
	case "user":
		return env.user(ctx, rest)
	case "token":
		return env.token(ctx, rest)
	case "recycle":
		return env.recycle(ctx, rest)
	case "digest":
		return env.digest(ctx, rest)
	case "import":
		return env.importCommand(ctx, rest)
	case "keys":
		return env.keysCommand(ctx, rest)
	case "bench":
		return env.bench(ctx, rest)
	case "openapi":
		return env.openapi(rest)
	case "config":
		return env.configCommand(rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// subcommand is one verb of a command with verbs (user, token, keys, bench).
type subcommand struct {
	name string
	run  func(context.Context, []string) error
}

// dispatch runs the verb args[0] of command name. Help (help, -h, --help)
// prints the usage lines of the command and succeeds; a missing or
// unknown verb prints them and fails.
func (e *environment) dispatch(ctx context.Context, name string, args []string, verbs ...subcommand) error {
	var lines []string
	for _, l := range strings.Split(usage, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "gonghai "+name+" ") {
			lines = append(lines, l)
		}
	}
	help := "Usage:\n" + strings.Join(lines, "\n") + "\n"
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			fmt.Fprint(e.stdout, help)
			return nil
		}
		for _, v := range verbs {
			if v.name == args[0] {
				return v.run(ctx, args[1:])
			}
		}
	}
	fmt.Fprint(e.stderr, help)
	names := make([]string, len(verbs))
	for i, v := range verbs {
		names[i] = v.name
	}
	if len(args) == 0 {
		return fmt.Errorf("%s: want %s", name, strings.Join(names, ", "))
	}
	return fmt.Errorf("%s: unknown subcommand %q: want %s", name, args[0], strings.Join(names, ", "))
}
