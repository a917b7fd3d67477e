package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
)

// Env is what a bench may touch: where its report and its progress go, and
// the logger of the servers it starts.
type Env struct {
	Stdout, Stderr io.Writer
	Log            *slog.Logger
}

// Names are the benches, as `gonghai bench <name>` calls them.
var Names = []string{"claim-storm", "recycle", "list", "search", "memory", "page", "import", "intake", "score", "reports"}

// Run runs bench name with its flags args.
func (env Env) Run(ctx context.Context, name string, args []string) error {
	switch name {
	case "claim-storm":
		return env.claimStorm(ctx, args)
	case "recycle":
		return env.recycle(ctx, args)
	case "list":
		return env.list(ctx, args)
	case "search":
		return env.search(ctx, args)
	case "page":
		return env.page(ctx, args)
	case "memory":
		return env.memory(ctx, args)
	case "import":
		return env.importBench(ctx, args)
	case "intake":
		return env.intake(ctx, args)
	case "score":
		return env.scoreBench(ctx, args)
	case "reports":
		return env.reportsBench(ctx, args)
	}
	return fmt.Errorf("bench: no bench %q: want %s", name, strings.Join(Names, ", "))
}

// validDSN refuses what is neither a SQLite path nor a PostgreSQL URL.
func validDSN(flag, dsn string) error {
	if strings.HasPrefix(dsn, "sqlite:") || strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil
	}
	return fmt.Errorf("--%s %q: want sqlite:PATH or postgres://…", flag, redact(dsn))
}

// targets returns the databases a bench runs on: db, or a fresh temporary
// SQLite file that cleanup removes, and postgres when given.
func targets(scenario, db, postgres string) (dsns []string, cleanup func(), err error) {
	cleanup = func() {}
	if db != "" {
		if err := validDSN("db", db); err != nil {
			return nil, cleanup, err
		}
	}
	if postgres != "" && !strings.HasPrefix(postgres, "postgres://") && !strings.HasPrefix(postgres, "postgresql://") {
		return nil, cleanup, fmt.Errorf("bench %s: --postgres wants a postgres:// URL", scenario)
	}
	if db == "" {
		dir, err := os.MkdirTemp("", "gonghai-bench-")
		if err != nil {
			return nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		db = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	dsns = []string{db}
	if postgres != "" {
		dsns = append(dsns, postgres)
	}
	return dsns, cleanup, nil
}

// openEmpty opens dsn for a bench and migrates it, refusing a database that
// is not empty, and says how durable its writes are. The bench's database
// is thrown away, so its personal fields are sealed with keys nobody keeps.
func openEmpty(ctx context.Context, dsn string, clock gonghai.Clock) (*store.DB, string, error) {
	return openEmptyKeys(ctx, dsn, clock, vault.Ephemeral())
}

// openEmptyKeys is openEmpty with the given keys, for a bench whose
// database another process opens too.
func openEmptyKeys(ctx context.Context, dsn string, clock gonghai.Clock, keys store.Keys) (*store.DB, string, error) {
	db, err := store.Open(ctx, dsn, clock, keys)
	if err != nil {
		return nil, "", err
	}
	// Asked before migrating, so that a database that is not empty is left
	// exactly as it was.
	empty, err := db.BenchEmpty(ctx)
	if err == nil && !empty {
		err = errors.New("the database is not empty; the bench fills it with its own users and customers, " +
			"so give it an empty one (a fresh createdb, or a new SQLite path)")
	}
	if err == nil {
		err = db.Migrate(ctx)
	}
	var durability string
	if err == nil {
		durability, err = db.Durability(ctx)
	}
	if err != nil {
		db.Close()
		return nil, "", err
	}
	return db, durability, nil
}

// runEach runs a bench on every database, failing at the end with what
// failed on each; an interrupt stops at once.
func runEach(ctx context.Context, dsns []string, on func(dsn string) error) error {
	var failed []error
	for _, dsn := range dsns {
		if err := on(dsn); err != nil {
			if ctx.Err() != nil {
				return err
			}
			failed = append(failed, fmt.Errorf("%s: %w", redact(dsn), err))
		}
	}
	return errors.Join(failed...)
}

// redact hides a password in a DSN that is about to be printed.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}

// Clock is the machine's clock, which a bench can wind back while it sets
// up. A rule starts when it is turned on, never earlier, so a pool whose
// rule has been in force for years is made with the clock wound back by
// years; a customer gained weeks ago is given to its owner with the clock
// wound back by weeks.
type Clock struct{ back atomic.Int64 }

// Now returns the machine's time, less what the clock is wound back by.
func (c *Clock) Now() time.Time { return time.Now().UTC().Add(-time.Duration(c.back.Load())) }

// windBack sets the clock d behind the machine's; 0 sets it right.
func (c *Clock) windBack(d time.Duration) { c.back.Store(int64(d)) }

// deadlineAfter returns when a phase capped at limit that has run for used
// already must stop; the zero time means never.
func deadlineAfter(limit, used time.Duration) time.Time {
	if limit <= 0 {
		return time.Time{}
	}
	return time.Now().Add(max(limit-used, 0))
}

func past(deadline time.Time) bool { return !deadline.IsZero() && time.Now().After(deadline) }

// rate formats n per second of d.
func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	r := float64(n) / d.Seconds()
	if r < 100 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// dur rounds a duration for printing.
func dur(d time.Duration) string {
	if d < time.Second {
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// positive refuses a size flag below 1.
func positive(scenario string, sizes map[string]int) error {
	for name, v := range sizes {
		if v < 1 {
			return fmt.Errorf("bench %s: --%s must be at least 1", scenario, name)
		}
	}
	return nil
}
