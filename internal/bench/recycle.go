package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
)

// recycleBenchOptions are the sizes of a recycle bench run.
type recycleBenchOptions struct {
	db, postgres string
	owned        []int // table sizes, ascending
	due          int
	reps         int
	ruleDays     int
	floorBatch   int
	warmUp       bool
	// cap stops each measured phase early; 0 means run it to the end.
	cap time.Duration
}

// Page sizes: the sweep's is the product's default (recycle.Sweeper.Batch
// 0); the full scan reads as many owned rows per page as a rule edit does.
const (
	benchSweepPage = 500
	benchScanPage  = 2000
)

// benchRecycle measures the recycle sweep: a known number of due customers
// among tables of owned customers of growing size, recycled three ways on
// the same rows, each timed on its own:
//
//   - sweep: recycle.Sweeper.Once, the product: due rows read through the
//     deadline index, each recycled in its own transaction with its event
//     and notification;
//   - floor: a bare batched UPDATE of exactly the due rows, in transactions
//     of the same durability;
//   - scan: what CRMs without a stored deadline do, reading every owned row
//     and evaluating the rules in Go, then recycling the due ones as the
//     sweep does.
//
// The sweep's cost must grow with the number due, not with the table.
func (env Env) recycle(ctx context.Context, args []string) error {
	o := recycleBenchOptions{}
	var owned string
	var seconds float64
	fs := flag.NewFlagSet("gonghai bench recycle", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	// GONGHAI_DB is ignored on purpose, as for claim-storm.
	fs.StringVar(&o.db, "db", "", "database to run on: sqlite:PATH or postgres://…, which must be empty (default: a fresh temporary SQLite file)")
	fs.StringVar(&o.postgres, "postgres", "", "also run on this PostgreSQL database, which must be empty (e.g. a fresh createdb)")
	fs.StringVar(&owned, "owned", "100000,1000000", "owned customers in the table, comma-separated sizes run in turn; the table grows from one to the next")
	fs.IntVar(&o.due, "due", 10000, "customers due, among the owned ones of every size")
	fs.IntVar(&o.reps, "reps", 20, "sales reps owning the customers")
	fs.IntVar(&o.ruleDays, "rule-days", 30, "the pool's rule: recycle after this many days without a follow-up")
	fs.IntVar(&o.floorBatch, "floor-batch", benchSweepPage, "floor: rows per UPDATE and transaction")
	fs.BoolVar(&o.warmUp, "warm-up", true, "before the timed phases of each size, sweep once untimed")
	fs.Float64Var(&seconds, "seconds", 0, "stop each measured phase after this many seconds (0: no cap)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench recycle: unexpected argument %q", fs.Arg(0))
	}
	for f := range strings.SplitSeq(owned, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("bench recycle: --owned wants positive sizes separated by commas, got %q", owned)
		}
		o.owned = append(o.owned, n)
	}
	slices.Sort(o.owned)
	o.owned = slices.Compact(o.owned)
	if err := positive("recycle", map[string]int{"due": o.due, "reps": o.reps, "rule-days": o.ruleDays, "floor-batch": o.floorBatch}); err != nil {
		return err
	}
	if o.owned[0] < o.due {
		return fmt.Errorf("bench recycle: --owned %d cannot hold --due %d", o.owned[0], o.due)
	}
	if seconds < 0 {
		return errors.New("bench recycle: --seconds must be 0 or more")
	}
	o.cap = time.Duration(seconds * float64(time.Second))

	dsns, cleanup, err := targets("recycle", o.db, o.postgres)
	if err != nil {
		return err
	}
	defer cleanup()

	sizes := make([]string, len(o.owned))
	for i, n := range o.owned {
		sizes[i] = strconv.Itoa(n)
	}
	capNote := ""
	if o.cap > 0 {
		capNote = fmt.Sprintf("; each phase capped at %s", o.cap)
	}
	fmt.Fprintf(env.Stdout, "recycle on %d CPUs, %s/%s, %s: %d due among %s owned customers; %d reps, one pool, rule no_follow_up after %d days; "+
		"sweep pages of %d, floor batches of %d, scan pages of %d%s%s\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.due, strings.Join(sizes, ", "), o.reps, o.ruleDays,
		benchSweepPage, o.floorBatch, benchScanPage, map[bool]string{true: "; an untimed warm-up sweep first"}[o.warmUp], capNote)
	return runEach(ctx, dsns, func(dsn string) error { return env.recycleBenchOn(ctx, dsn, o) })
}

// recycleBenchPhase is what one measured recycle phase did.
type recycleBenchPhase struct {
	recycled int
	skipped  int // sweep: due when listed, yet not recycled
	elapsed  time.Duration
	// reading is the part of elapsed spent finding the due rows: the
	// sweep's index reads, the scan's reads and rule evaluation.
	reading time.Duration
	read    int // scan: owned rows read
	commits int // floor: transactions
	capped  bool
}

func (p recycleBenchPhase) capNote() string {
	if p.capped {
		return ", capped"
	}
	return ""
}

// recycleBenchSize is one size's three phases.
type recycleBenchSize struct {
	owned              int
	sweep, floor, scan recycleBenchPhase
}

// recycleBenchOn runs every size on one database and prints its lines.
func (env Env) recycleBenchOn(ctx context.Context, dsn string, o recycleBenchOptions) error {
	clock := &Clock{}
	db, durability, err := openEmpty(ctx, dsn, clock)
	if err != nil {
		return err
	}
	defer db.Close()
	label := string(db.Dialect())
	fmt.Fprintf(env.Stdout, "%s: %s; %s\n", label, redact(dsn), durability)

	b, err := env.recycleBenchTable(ctx, db, clock, o)
	if err != nil {
		return err
	}
	var results []recycleBenchSize
	var problems []error
	for _, size := range o.owned {
		fmt.Fprintf(env.Stderr, "%s: seeding to %d owned customers\n", label, size)
		began := time.Now()
		err := b.grow(ctx, size, func(rows int) { fmt.Fprintf(env.Stderr, "  %d rows\n", rows) })
		if err != nil {
			return err
		}
		head := fmt.Sprintf("%-8s  %7d owned", label, size)
		fmt.Fprintf(env.Stdout, "%s  seeded: %d due, table grown in %s\n", head, o.due, time.Since(began).Round(time.Millisecond))
		r := recycleBenchSize{owned: size}

		if o.warmUp {
			// The first recycles after a seed grow files and indexes that
			// later phases find grown; whichever phase came first would pay.
			fmt.Fprintf(env.Stderr, "%s %d owned: warm-up sweep\n", label, size)
			w, err := env.recycleBenchSweep(ctx, db, o)
			if err != nil {
				return fmt.Errorf("%d owned: warm-up: %w", size, err)
			}
			fmt.Fprintf(env.Stdout, "%s  warm-up sweep, not counted: %d recycled in %s (%s rows/s%s)\n", head,
				w.recycled, dur(w.elapsed), rate(int64(w.recycled), w.elapsed), w.capNote())
			if err := env.recycleBenchReset(ctx, b, label); err != nil {
				return err
			}
		}

		fmt.Fprintf(env.Stderr, "%s %d owned: sweep\n", label, size)
		since := time.Now()
		if r.sweep, err = env.recycleBenchSweep(ctx, db, o); err != nil {
			return fmt.Errorf("%d owned: sweep: %w", size, err)
		}
		verdict, err := env.recycleBenchVerdict(ctx, b, since, r.sweep, o)
		if err != nil {
			problems = append(problems, fmt.Errorf("%d owned: sweep: %w", size, err))
		}
		fmt.Fprintf(env.Stdout, "%s  sweep: %d recycled in %s (%s rows/s%s); due rows listed in %s; %s\n", head,
			r.sweep.recycled, dur(r.sweep.elapsed), rate(int64(r.sweep.recycled), r.sweep.elapsed), r.sweep.capNote(),
			dur(r.sweep.reading), verdict)
		if err := env.recycleBenchReset(ctx, b, label); err != nil {
			return err
		}

		fmt.Fprintf(env.Stderr, "%s %d owned: floor\n", label, size)
		if r.floor, err = env.recycleBenchFloor(ctx, db, b, o); err != nil {
			return fmt.Errorf("%d owned: floor: %w", size, err)
		}
		verdict = "all due rows written"
		if r.floor.capped {
			verdict = "capped"
		}
		if ch, err := db.CheckRecycled(ctx, b.dueIDs(), time.Now()); err != nil {
			return err
		} else if !r.floor.capped && ch.OwnedDue != 0 {
			verdict = fmt.Sprintf("FAILED: %d owned rows still due", ch.OwnedDue)
			problems = append(problems, fmt.Errorf("%d owned: floor: %d owned rows still due", size, ch.OwnedDue))
		}
		fmt.Fprintf(env.Stdout, "%s  floor: %d recycled in %s (%s rows/s%s); %d transactions; %s\n", head,
			r.floor.recycled, dur(r.floor.elapsed), rate(int64(r.floor.recycled), r.floor.elapsed), r.floor.capNote(), r.floor.commits, verdict)
		if err := env.recycleBenchReset(ctx, b, label); err != nil {
			return err
		}

		fmt.Fprintf(env.Stderr, "%s %d owned: scan\n", label, size)
		since = time.Now()
		if r.scan, err = env.recycleBenchScan(ctx, db, o); err != nil {
			return fmt.Errorf("%d owned: scan: %w", size, err)
		}
		verdict, err = env.recycleBenchVerdict(ctx, b, since, r.scan, o)
		if err != nil {
			problems = append(problems, fmt.Errorf("%d owned: scan: %w", size, err))
		}
		fmt.Fprintf(env.Stdout, "%s  scan:  %d recycled in %s (%s rows/s%s); %d owned rows read and evaluated in %s (%s rows/s); %s\n", head,
			r.scan.recycled, dur(r.scan.elapsed), rate(int64(r.scan.recycled), r.scan.elapsed), r.scan.capNote(),
			r.scan.read, dur(r.scan.reading), rate(int64(r.scan.read), r.scan.reading), verdict)
		if err := env.recycleBenchReset(ctx, b, label); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s  ratio sweep/floor: %s  scan/sweep: %s\n", head, benchTimeRatio(r.sweep, r.floor), benchTimeRatio(r.scan, r.sweep))
		results = append(results, r)
	}
	if len(results) > 1 {
		first, last := results[0], results[len(results)-1]
		fmt.Fprintf(env.Stdout, "%-8s  from %d to %d owned (×%.0f): sweep ×%s, floor ×%s, scan ×%s\n", label, first.owned, last.owned,
			float64(last.owned)/float64(first.owned), benchTimeRatio(last.sweep, first.sweep), benchTimeRatio(last.floor, first.floor),
			benchTimeRatio(last.scan, first.scan))
	}
	return errors.Join(problems...)
}

// recycleBenchTable makes the organisation the bench's customers belong to: an
// admin, a department of reps, and one pool whose rule recycles customers
// after o.ruleDays days without a follow-up, in force since five years
// before any of them was gained.
func (env Env) recycleBenchTable(ctx context.Context, db *store.DB, clock *Clock, o recycleBenchOptions) (*recycleTable, error) {
	clock.windBack(5 * 365 * 24 * time.Hour)
	defer clock.windBack(0)
	admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "bench-admin", Name: "压测管理员", Role: gonghai.RoleAdmin})
	if err != nil {
		return nil, err
	}
	dept, err := db.CreateDepartment(ctx, admin, "压测销售部", "")
	if err != nil {
		return nil, err
	}
	reps := make([]string, o.reps)
	for i := range reps {
		login := fmt.Sprintf("recycle-%03d", i+1)
		u, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: gonghai.RoleRep, DepartmentID: dept.ID})
		if err != nil {
			return nil, err
		}
		reps[i] = u.ID
	}
	name := "压测回收公海"
	members := []string{dept.ID}
	rules := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: o.ruleDays}}}
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	p, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &members, Recycle: &rules})
	if err != nil {
		return nil, err
	}
	clock.windBack(0)
	return newRecycleTable(ctx, db, clock, admin, p.ID, reps, o.due)
}

// recycleBenchReset owns the due customers again, for the next phase.
func (env Env) recycleBenchReset(ctx context.Context, b *recycleTable, label string) error {
	fmt.Fprintf(env.Stderr, "%s: owning the due customers again\n", label)
	_, err := b.reown(ctx)
	return err
}

// recycleBenchVerdict checks a sweep or scan: every due customer recycled once
// and notified, nobody else recycled, chains intact, nothing owned still
// due. A capped phase need only have recycled nobody twice.
func (env Env) recycleBenchVerdict(ctx context.Context, b *recycleTable, since time.Time, p recycleBenchPhase, o recycleBenchOptions) (string, error) {
	ch, err := b.db.CheckRecycled(ctx, b.dueIDs(), since)
	if err != nil {
		return "", err
	}
	var bad []string
	if ch.Twice > 0 {
		bad = append(bad, fmt.Sprintf("%d due customers recycled twice", ch.Twice))
	}
	if ch.Stray > 0 {
		bad = append(bad, fmt.Sprintf("%d customers recycled that were not due", ch.Stray))
	}
	if ch.BrokenChains > 0 {
		bad = append(bad, fmt.Sprintf("%d due customers' events do not chain", ch.BrokenChains))
	}
	if ch.Once != p.recycled || ch.Notified != p.recycled {
		bad = append(bad, fmt.Sprintf("%d recycled reported, %d recycled events and %d notifications found", p.recycled, ch.Once, ch.Notified))
	}
	if ch.Owned != b.owned()-ch.Once {
		bad = append(bad, fmt.Sprintf("%d owned customers, want %d", ch.Owned, b.owned()-ch.Once))
	}
	if p.skipped > 0 {
		bad = append(bad, fmt.Sprintf("%d due customers skipped", p.skipped))
	}
	if !p.capped {
		if ch.Missing > 0 || ch.OwnedDue > 0 {
			bad = append(bad, fmt.Sprintf("%d due customers not recycled, %d owned rows still due", ch.Missing, ch.OwnedDue))
		}
	} else if ch.OwnedDue != o.due-ch.Once {
		bad = append(bad, fmt.Sprintf("%d owned rows still due, want %d", ch.OwnedDue, o.due-ch.Once))
	}
	if len(bad) > 0 {
		msg := strings.Join(bad, "; ")
		return "exactly once: FAILED (" + msg + ")", errors.New(msg)
	}
	if p.capped {
		return fmt.Sprintf("capped; at most once: ok (%d of %d due recycled once, notified, chains intact)", ch.Once, o.due), nil
	}
	return fmt.Sprintf("exactly once: ok (%d due recycled once, notified, chains intact, 0 owned rows due)", ch.Once), nil
}

// benchSweepStore is the database as the sweeper sees it, timing the reads of
// due rows and, when the phase is capped, handing out no more once the
// time is up: the sweeper then finishes the page it has and stops.
type benchSweepStore struct {
	*store.DB
	deadline time.Time
	reading  time.Duration
	capped   bool
}

func (s *benchSweepStore) DueRecycles(ctx context.Context, after *gonghai.Due, limit int) ([]gonghai.Due, error) {
	if past(s.deadline) {
		s.capped = true
		return nil, nil
	}
	began := time.Now()
	due, err := s.DB.DueRecycles(ctx, after, limit)
	s.reading += time.Since(began)
	return due, err
}

// recycleBenchSweep is phase (a): one sweep by the product's sweeper.
func (env Env) recycleBenchSweep(ctx context.Context, db *store.DB, o recycleBenchOptions) (recycleBenchPhase, error) {
	st := &benchSweepStore{DB: db, deadline: deadlineAfter(o.cap, 0)}
	sw := &recycle.Sweeper{Store: st, Log: env.Log, Batch: benchSweepPage}
	began := time.Now()
	rep, err := sw.Once(ctx)
	p := recycleBenchPhase{recycled: rep.Recycled, skipped: rep.Skipped, elapsed: time.Since(began), reading: st.reading, capped: st.capped}
	return p, err
}

// recycleBenchFloor is phase (b): the due rows, known in advance, written with
// a bare UPDATE per batch, one transaction each.
func (env Env) recycleBenchFloor(ctx context.Context, db *store.DB, b *recycleTable, o recycleBenchOptions) (recycleBenchPhase, error) {
	var p recycleBenchPhase
	ids := b.dueIDs()
	deadline := deadlineAfter(o.cap, 0)
	began := time.Now()
	for lo := 0; lo < len(ids); lo += o.floorBatch {
		if past(deadline) {
			p.capped = true
			break
		}
		batch := ids[lo:min(lo+o.floorBatch, len(ids))]
		n, err := db.FloorRecycle(ctx, batch)
		if err != nil {
			return p, err
		}
		if n != len(batch) {
			return p, fmt.Errorf("a batch of %d due rows changed %d", len(batch), n)
		}
		p.recycled += n
		p.commits++
	}
	p.elapsed = time.Since(began)
	return p, nil
}

// recycleBenchScan is phase (c): every owned row read, page by page, the rules
// evaluated in Go, and each due one recycled as the sweep recycles it.
func (env Env) recycleBenchScan(ctx context.Context, db *store.DB, o recycleBenchOptions) (recycleBenchPhase, error) {
	var p recycleBenchPhase
	scan := db.NewFullScan()
	deadline := deadlineAfter(o.cap, 0)
	began := time.Now()
	for {
		if past(deadline) {
			p.capped = true
			break
		}
		t := time.Now()
		due, more, err := scan.Next(ctx, benchScanPage)
		p.reading += time.Since(t)
		if err != nil {
			return p, err
		}
		for _, d := range due {
			if past(deadline) {
				p.capped = true
				break
			}
			ok, err := db.Recycle(ctx, d)
			if err != nil {
				return p, err
			}
			if ok {
				p.recycled++
			} else {
				p.skipped++
			}
		}
		if !more || p.capped {
			break
		}
	}
	p.elapsed = time.Since(began)
	p.read = scan.Read
	return p, nil
}

// benchTimeRatio is how many times longer a took per row it recycled
// than b: with every phase run to the end, simply a's time over b's.
func benchTimeRatio(a, b recycleBenchPhase) string {
	if a.elapsed <= 0 || b.elapsed <= 0 || a.recycled == 0 || b.recycled == 0 {
		return "-"
	}
	r := (a.elapsed.Seconds() / float64(a.recycled)) / (b.elapsed.Seconds() / float64(b.recycled))
	if r < 10 {
		return fmt.Sprintf("%.2f", r)
	}
	return fmt.Sprintf("%.1f", r)
}
