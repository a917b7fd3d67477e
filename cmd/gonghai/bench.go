package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
	"github.com/gonghai/gonghai/internal/web"
)

// The bench measures each scenario against a floor taken in the same run,
// on the same database and durability (DESIGN.md, "Performance — how it is
// measured"): a figure on its own says more about the machine than about
// gonghai, the ratio says what gonghai adds.
func (e *environment) bench(ctx context.Context, args []string) error {
	return e.dispatch(ctx, "bench", args, subcommand{"claim-storm", e.claimStorm}, subcommand{"recycle", e.benchRecycle})
}

// benchTargets returns the databases a bench runs on: db, or a fresh
// temporary SQLite file that cleanup removes, and postgres when given.
func benchTargets(scenario, db, postgres string) (targets []string, cleanup func(), err error) {
	cleanup = func() {}
	targets = []string{db}
	if db == "" {
		dir, err := os.MkdirTemp("", "gonghai-bench-")
		if err != nil {
			return nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		targets[0] = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	if postgres != "" {
		if !strings.HasPrefix(postgres, "postgres://") && !strings.HasPrefix(postgres, "postgresql://") {
			return nil, cleanup, fmt.Errorf("bench %s: --postgres wants a postgres:// URL", scenario)
		}
		targets = append(targets, postgres)
	}
	for _, dsn := range targets {
		if err := (config{DB: dsn}).Validate(); err != nil {
			return nil, cleanup, err
		}
	}
	return targets, cleanup, nil
}

// openBench opens dsn for a bench and migrates it, refusing a database that
// is not empty, and says how durable its writes are.
func openBench(ctx context.Context, dsn string, clock gonghai.Clock) (*store.DB, string, error) {
	db, err := store.Open(ctx, dsn, clock, vault.Ephemeral())
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

// stormOptions are the sizes of a claim-storm run. All are flags so that a
// published figure can say exactly what was run.
type stormOptions struct {
	db, postgres string
	reps         int
	workers      int
	few, rounds  int
	many         int
	// cap stops each measured phase early; 0 means run it to the end.
	cap time.Duration
}

func (e *environment) claimStorm(ctx context.Context, args []string) error {
	var o stormOptions
	var seconds float64
	fs := flag.NewFlagSet("gonghai bench claim-storm", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	// GONGHAI_DB is ignored on purpose: a bench fills its database with
	// throwaway users and customers and must never land in a working one.
	fs.StringVar(&o.db, "db", "", "database to run on: sqlite:PATH or postgres://…, which must be empty (default: a fresh temporary SQLite file)")
	fs.StringVar(&o.postgres, "postgres", "", "also run on this PostgreSQL database, which must be empty (e.g. a fresh createdb)")
	fs.IntVar(&o.reps, "reps", 40, "sales reps claiming")
	fs.IntVar(&o.workers, "workers", 200, "concurrent claimers; worker i acts as rep i mod reps")
	fs.IntVar(&o.few, "few", 50, "few-customers: customers per round, each tried by every worker")
	fs.IntVar(&o.rounds, "rounds", 10, "few-customers: rounds")
	fs.IntVar(&o.many, "many", 5000, "many-customers: customers, each tried by two workers")
	fs.Float64Var(&seconds, "seconds", 0, "stop each measured phase after this many seconds (0: no cap)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench claim-storm: unexpected argument %q", fs.Arg(0))
	}
	o.cap = time.Duration(seconds * float64(time.Second))
	for name, v := range map[string]int{"reps": o.reps, "workers": o.workers, "few": o.few, "rounds": o.rounds, "many": o.many} {
		if v < 1 {
			return fmt.Errorf("bench claim-storm: --%s must be at least 1", name)
		}
	}
	if seconds < 0 {
		return errors.New("bench claim-storm: --seconds must be 0 or more")
	}

	targets, cleanup, err := benchTargets("claim-storm", o.db, o.postgres)
	if err != nil {
		return err
	}
	defer cleanup()

	capNote := ""
	if o.cap > 0 {
		capNote = fmt.Sprintf("; each phase capped at %s", o.cap)
	}
	fmt.Fprintf(e.stdout, "claim-storm on %d CPUs, %s/%s, %s: %d reps, %d workers; few-customers: %d customers × %d rounds, "+
		"every worker tries every customer; many-customers: %d customers, each tried by 2 workers%s\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.reps, o.workers, o.few, o.rounds, o.many, capNote)
	var failed []error
	for _, dsn := range targets {
		if err := e.stormOn(ctx, dsn, o); err != nil {
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

// storm is one database's run: the organisation the phases share, the
// server under test and the client that drives it.
type storm struct {
	e      *environment
	o      stormOptions
	label  string
	db     *store.DB
	admin  gonghai.User
	deptID string
	base   string
	client *http.Client
	// made counts the customers added, so each has a phone of its own:
	// the store refuses a phone another customer has.
	made int
}

// stormOn runs both scenarios, API and floor, on one database and prints
// its lines.
func (e *environment) stormOn(ctx context.Context, dsn string, o stormOptions) error {
	db, durability, err := openBench(ctx, dsn, gonghai.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	s := &storm{e: e, o: o, label: string(db.Dialect()), db: db}
	fmt.Fprintf(e.stdout, "%s: %s; %s\n", s.label, redact(dsn), durability)

	s.admin, err = db.CreateUser(ctx, nil, gonghai.NewUser{Login: "bench-admin", Name: "压测管理员", Role: gonghai.RoleAdmin})
	if err != nil {
		return describe(err)
	}
	dept, err := db.CreateDepartment(ctx, s.admin, "压测销售部", "")
	if err != nil {
		return describe(err)
	}
	s.deptID = dept.ID

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: web.NewServer(db, e.logger()), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go srv.Serve(ln)
	defer srv.Close()
	s.base = "http://" + ln.Addr().String()
	// One kept-alive connection per worker, as a fleet of browsers or app
	// clients would hold; without it most requests would pay for a dial.
	transport := &http.Transport{MaxIdleConns: o.workers, MaxIdleConnsPerHost: o.workers, IdleConnTimeout: 2 * time.Minute,
		DisableCompression: true}
	defer transport.CloseIdleConnections()
	s.client = &http.Client{Transport: transport, Timeout: time.Minute}

	var problems []error
	seen := 0 // double claims the database held before this scenario
	for _, sc := range []struct {
		name string
		run  func(context.Context, claimFunc, *team) (phase, error)
	}{{"few-customers", s.fewCustomers}, {"many-customers", s.manyCustomers}} {
		api, err := s.phase(ctx, sc.name, "api", sc.run)
		if err != nil {
			return err
		}
		floor, err := s.phase(ctx, sc.name, "floor", sc.run)
		if err != nil {
			return err
		}
		// The database counts over all its customers; this scenario's share
		// is what it added.
		all, err := db.DoubleClaims(ctx)
		if err != nil {
			return err
		}
		stored := all - seen
		seen = all
		doubles := max(stored, api.doubles+floor.doubles)
		fmt.Fprintf(e.stdout, "%-8s  %-14s  api: %s claims/s (%s attempts/s)  floor: %s claims/s (%s attempts/s)  ratio api/floor: %s  double owners: %d\n",
			s.label, sc.name, rate(api.wins, api.elapsed), rate(api.attempts, api.elapsed),
			rate(floor.wins, floor.elapsed), rate(floor.attempts, floor.elapsed), ratio(api, floor), doubles)
		fmt.Fprintf(e.stdout, "%-8s  %-14s  (api: %d claims of %d attempts in %s%s; floor: %d of %d in %s%s)\n",
			"", "", api.wins, api.attempts, api.elapsed.Round(time.Millisecond), api.capNote(),
			floor.wins, floor.attempts, floor.elapsed.Round(time.Millisecond), floor.capNote())
		if doubles > 0 {
			problems = append(problems, fmt.Errorf("%s: double owners: %d customers claimed twice in the database, "+
				"%d by the api's and %d by the floor's answers", sc.name, stored, api.doubles, floor.doubles))
		}
	}
	return errors.Join(problems...)
}

// phase is what one measured run of a scenario did.
type phase struct {
	wins, attempts int64
	elapsed        time.Duration
	// doubles counts customers that two claimers were told they won.
	doubles int
	capped  bool
}

func (p phase) capNote() string {
	if p.capped {
		return ", capped"
	}
	return ""
}

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

// ratio is API claims/s over floor claims/s.
func ratio(api, floor phase) string {
	if api.elapsed <= 0 || floor.elapsed <= 0 || floor.wins == 0 {
		return "-"
	}
	r := (float64(api.wins) / api.elapsed.Seconds()) / (float64(floor.wins) / floor.elapsed.Seconds())
	return fmt.Sprintf("%.2f", r)
}

// team is the reps and the pool of one phase. Every phase gets its own, so
// that each starts from the same state: reps who own nothing yet (holding
// counts grow with what a rep owns) and a pool holding only its customers.
type team struct {
	poolID string
	reps   []gonghai.User
	tokens []string
}

// claimFunc makes one claim attempt as worker w: won reports whether this
// attempt took the customer; a loss to another claimer is not an error.
type claimFunc func(ctx context.Context, w int, customerID string) (won bool, err error)

// phase sets up a team and runs scenario run through the API or the floor.
func (s *storm) phase(ctx context.Context, scenario, mode string, run func(context.Context, claimFunc, *team) (phase, error)) (phase, error) {
	name := strings.SplitN(scenario, "-", 2)[0] + "-" + mode
	fmt.Fprintf(s.e.stderr, "%s %s %s: setting up %d reps\n", s.label, scenario, mode, s.o.reps)
	t, err := s.newTeam(ctx, name, mode == "api")
	if err != nil {
		return phase{}, err
	}
	claim := s.floorClaimer(t)
	if mode == "api" {
		claim = s.apiClaimer(t)
		// Open every worker's connection before the clock starts.
		if err := s.warmUp(ctx, t); err != nil {
			return phase{}, err
		}
	}
	fmt.Fprintf(s.e.stderr, "%s %s %s: running\n", s.label, scenario, mode)
	p, err := run(ctx, claim, t)
	if err != nil {
		return p, fmt.Errorf("%s %s: %w", scenario, mode, err)
	}
	return p, nil
}

func (s *storm) newTeam(ctx context.Context, name string, tokens bool) (*team, error) {
	t := &team{reps: make([]gonghai.User, s.o.reps)}
	for i := range t.reps {
		login := fmt.Sprintf("%s-%03d", name, i+1)
		u, err := s.db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: gonghai.RoleRep, DepartmentID: s.deptID})
		if err != nil {
			return nil, describe(err)
		}
		t.reps[i] = u
		if tokens {
			tok, err := s.db.CreateToken(ctx, login)
			if err != nil {
				return nil, describe(err)
			}
			t.tokens = append(t.tokens, tok)
		}
	}
	poolName := "压测公海 " + name
	members := []string{s.deptID}
	p, err := s.db.CreatePool(ctx, s.admin, gonghai.PoolInput{Name: &poolName, MemberDepartmentIDs: &members})
	if err != nil {
		return nil, describe(err)
	}
	t.poolID = p.ID
	return t, nil
}

// addCustomers puts n fresh customers into the team's pool in one
// transaction and returns their ids. Every earlier customer of the pool has
// been claimed, so the pool's listing is exactly the new ones.
func (s *storm) addCustomers(ctx context.Context, t *team, n int) ([]string, error) {
	in := make([]gonghai.NewCustomer, n)
	for i := range in {
		s.made++
		in[i] = gonghai.NewCustomer{PoolID: t.poolID, CustomerFields: gonghai.CustomerFields{
			Company: fmt.Sprintf("压测客户%d", i+1), Phone: fmt.Sprintf("138%08d", s.made)}}
	}
	if _, err := s.db.ImportCustomers(ctx, s.admin, in); err != nil {
		return nil, describe(err)
	}
	ids := make([]string, 0, n)
	var pg gonghai.Page
	for {
		page, next, err := s.db.PoolCustomers(ctx, s.admin, t.poolID, gonghai.CustomerFilter{}, pg)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if next == "" {
			break
		}
		pg.After = next
	}
	if len(ids) != n {
		return nil, fmt.Errorf("pool holds %d unclaimed customers, want the %d just added", len(ids), n)
	}
	return ids, s.db.Settle(ctx)
}

func (s *storm) floorClaimer(t *team) claimFunc {
	return func(ctx context.Context, w int, id string) (bool, error) {
		return s.db.FloorClaim(ctx, id, t.poolID, t.reps[w%len(t.reps)].ID)
	}
}

// apiClaimer claims as a client would: POST /api/v1/customers/{id}/claim
// with the rep's token and the pool it saw the customer in.
func (s *storm) apiClaimer(t *team) claimFunc {
	return func(ctx context.Context, w int, id string) (bool, error) {
		rep := w % len(t.reps)
		body := `{"pool_id":"` + t.poolID + `"}`
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/v1/customers/"+id+"/claim", strings.NewReader(body))
		if err != nil {
			return false, err
		}
		req.Header.Set("Authorization", "Bearer "+t.tokens[rep])
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.client.Do(req)
		if err != nil {
			return false, err
		}
		// Read to the end, so the connection goes back to the pool.
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return false, err
		}
		var out struct {
			OwnerID *string `json:"owner_id"`
			Code    string  `json:"code"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return false, fmt.Errorf("claim %s: status %d, unreadable body %.200q", id, resp.StatusCode, raw)
		}
		switch {
		case resp.StatusCode == http.StatusOK && out.OwnerID != nil && *out.OwnerID == t.reps[rep].ID:
			return true, nil
		case resp.StatusCode == http.StatusConflict && out.Code == gonghai.EAlreadyClaimed:
			return false, nil
		default:
			return false, fmt.Errorf("claim %s as %s: status %d: %.300s", id, t.reps[rep].Login, resp.StatusCode, raw)
		}
	}
}

// warmUp has every worker make one authenticated request at once, so that
// the phase starts with its connections open.
func (s *storm) warmUp(ctx context.Context, t *team) error {
	errs := make([]error, s.o.workers)
	var wg sync.WaitGroup
	for w := range s.o.workers {
		wg.Go(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/v1/me", nil)
			if err != nil {
				errs[w] = err
				return
			}
			req.Header.Set("Authorization", "Bearer "+t.tokens[w%len(t.tokens)])
			resp, err := s.client.Do(req)
			if err != nil {
				errs[w] = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs[w] = fmt.Errorf("warm-up: GET /api/v1/me: status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// tally gathers a phase's outcomes from its workers.
type tally struct {
	wins, attempts atomic.Int64
	mu             sync.Mutex
	errs           []error
	nerrs          int
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nerrs++
	if len(t.errs) < 5 {
		t.errs = append(t.errs, err)
	}
}

func (t *tally) err() error {
	if t.nerrs == 0 {
		return nil
	}
	return fmt.Errorf("%d claims failed with neither a win nor already_claimed; the first: %w", t.nerrs, errors.Join(t.errs...))
}

// try makes one attempt and records it in won[i], the count of claimers
// told they won customer i.
func (t *tally) try(ctx context.Context, claim claimFunc, w int, id string, won *atomic.Int32) {
	ok, err := claim(ctx, w, id)
	t.attempts.Add(1)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			t.fail(err)
		}
	case ok:
		t.wins.Add(1)
		won.Add(1)
	}
}

// checkWon counts the customers that two claimers won and fails on one
// that nobody won, which only a claim wrongly refused could cause.
func checkWon(ids []string, won []atomic.Int32, complete bool) (doubles int, err error) {
	for i := range won {
		switch n := won[i].Load(); {
		case n > 1:
			doubles++
		case n == 0 && complete && err == nil:
			err = fmt.Errorf("customer %s: every attempt lost, yet nobody won it", ids[i])
		}
	}
	return doubles, err
}

// fewCustomers is scenario (a): round after round, a few fresh customers,
// and every worker tries to claim every one of them, each in its own
// shuffled order, all starting at once. Nearly every attempt loses; the
// scenario measures how fast losers are turned away while winners commit.
func (s *storm) fewCustomers(ctx context.Context, claim claimFunc, t *team) (phase, error) {
	var p phase
	var tl tally
	for round := range s.o.rounds {
		if s.o.cap > 0 && p.elapsed >= s.o.cap {
			p.capped = true
			break
		}
		ids, err := s.addCustomers(ctx, t, s.o.few)
		if err != nil {
			return p, err
		}
		won := make([]atomic.Int32, len(ids))
		deadline := deadlineAfter(s.o.cap, p.elapsed)
		var stopped atomic.Bool
		start := make(chan struct{})
		var wg sync.WaitGroup
		for w := range s.o.workers {
			// Seeded, so the API and the floor see the same orders.
			order := rand.New(rand.NewPCG(uint64(round), uint64(w))).Perm(len(ids))
			wg.Go(func() {
				<-start
				for _, i := range order {
					if ctx.Err() != nil || past(deadline) {
						stopped.Store(true)
						return
					}
					tl.try(ctx, claim, w, ids[i], &won[i])
				}
			})
		}
		began := time.Now()
		close(start)
		wg.Wait()
		took := time.Since(began)
		p.elapsed += took
		fmt.Fprintf(s.e.stderr, "  round %d/%d: %s\n", round+1, s.o.rounds, took.Round(time.Millisecond))
		if err := ctx.Err(); err != nil {
			return p, err
		}
		if err := tl.err(); err != nil {
			return p, err
		}
		doubles, err := checkWon(ids, won, !stopped.Load())
		p.doubles += doubles
		if err != nil {
			return p, err
		}
		if stopped.Load() {
			p.capped = true
			break
		}
	}
	p.wins, p.attempts = tl.wins.Load(), tl.attempts.Load()
	return p, nil
}

// manyCustomers is scenario (b): many customers, each put on a shared queue
// twice in shuffled order, which the workers drain. Almost every customer
// is won once and lost once; the scenario measures committed claims.
func (s *storm) manyCustomers(ctx context.Context, claim claimFunc, t *team) (phase, error) {
	var p phase
	var tl tally
	ids, err := s.addCustomers(ctx, t, s.o.many)
	if err != nil {
		return p, err
	}
	queue := make([]int, 0, 2*len(ids))
	for i := range ids {
		queue = append(queue, i, i)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
	won := make([]atomic.Int32, len(ids))
	deadline := deadlineAfter(s.o.cap, 0)
	var next atomic.Int64
	var stopped atomic.Bool
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := range s.o.workers {
		wg.Go(func() {
			<-start
			for {
				k := int(next.Add(1) - 1)
				if k >= len(queue) {
					return
				}
				if ctx.Err() != nil || past(deadline) {
					stopped.Store(true)
					return
				}
				i := queue[k]
				tl.try(ctx, claim, w, ids[i], &won[i])
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	p.elapsed = time.Since(began)
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if err := tl.err(); err != nil {
		return p, err
	}
	p.capped = stopped.Load()
	p.doubles, err = checkWon(ids, won, !p.capped)
	if err != nil {
		return p, err
	}
	p.wins, p.attempts = tl.wins.Load(), tl.attempts.Load()
	return p, nil
}

// deadlineAfter returns when a phase capped at limit that has run for used
// already must stop; the zero time means never.
func deadlineAfter(limit, used time.Duration) time.Time {
	if limit <= 0 {
		return time.Time{}
	}
	return time.Now().Add(max(limit-used, 0))
}

func past(deadline time.Time) bool { return !deadline.IsZero() && time.Now().After(deadline) }
