package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/web"
)

// The claim storm measures claims against a floor taken in the same run,
// on the same database and durability (DESIGN.md, "Performance — how it is
// measured"): a figure on its own says more about the machine than about
// gonghai, the ratio says what gonghai adds. It is also the long storm the
// store's TestClaimStorm stands for: after every round it checks what that
// test checks, over far more claims than a test under -race can afford.

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

func (env Env) claimStorm(ctx context.Context, args []string) error {
	var o stormOptions
	var seconds float64
	fs := flag.NewFlagSet("gonghai bench claim-storm", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
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
	if err := positive("claim-storm", map[string]int{"reps": o.reps, "workers": o.workers, "few": o.few, "rounds": o.rounds, "many": o.many}); err != nil {
		return err
	}
	if seconds < 0 {
		return errors.New("bench claim-storm: --seconds must be 0 or more")
	}

	dsns, cleanup, err := targets("claim-storm", o.db, o.postgres)
	if err != nil {
		return err
	}
	defer cleanup()

	capNote := ""
	if o.cap > 0 {
		capNote = fmt.Sprintf("; each phase capped at %s", o.cap)
	}
	fmt.Fprintf(env.Stdout, "claim-storm on %d CPUs, %s/%s, %s: %d reps, %d workers; few-customers: %d customers × %d rounds, "+
		"every worker tries every customer; many-customers: %d customers, each tried by 2 workers%s\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.reps, o.workers, o.few, o.rounds, o.many, capNote)
	return runEach(ctx, dsns, func(dsn string) error { return env.stormOn(ctx, dsn, o) })
}

// storm is one database's run: the organisation the phases share, the
// server under test and the client that drives it.
type storm struct {
	env    Env
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
func (env Env) stormOn(ctx context.Context, dsn string, o stormOptions) error {
	db, durability, err := openEmpty(ctx, dsn, gonghai.SystemClock{})
	if err != nil {
		return err
	}
	defer db.Close()
	s := &storm{env: env, o: o, label: string(db.Dialect()), db: db}
	fmt.Fprintf(env.Stdout, "%s: %s; %s\n", s.label, redact(dsn), durability)

	s.admin, err = db.CreateUser(ctx, nil, gonghai.NewUser{Login: "bench-admin", Name: "压测管理员", Role: gonghai.RoleAdmin})
	if err != nil {
		return err
	}
	dept, err := db.CreateDepartment(ctx, s.admin, "压测销售部", "")
	if err != nil {
		return err
	}
	s.deptID = dept.ID

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: web.NewServer(db, env.Log), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
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
		fmt.Fprintf(env.Stdout, "%-8s  %-14s  api: %s claims/s (%s attempts/s)  floor: %s claims/s (%s attempts/s)  ratio api/floor: %s  double owners: %d\n",
			s.label, sc.name, rate(api.wins, api.elapsed), rate(api.attempts, api.elapsed),
			rate(floor.wins, floor.elapsed), rate(floor.attempts, floor.elapsed), ratio(api, floor), doubles)
		fmt.Fprintf(env.Stdout, "%-8s  %-14s  (api: %d claims of %d attempts in %s%s; floor: %d of %d in %s%s)\n",
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
	fmt.Fprintf(s.env.Stderr, "%s %s %s: setting up %d reps\n", s.label, scenario, mode, s.o.reps)
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
	fmt.Fprintf(s.env.Stderr, "%s %s %s: running\n", s.label, scenario, mode)
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
			return nil, err
		}
		t.reps[i] = u
		if tokens {
			tok, err := s.db.CreateToken(ctx, login)
			if err != nil {
				return nil, err
			}
			t.tokens = append(t.tokens, tok)
		}
	}
	poolName := "压测公海 " + name
	members := []string{s.deptID}
	p, err := s.db.CreatePool(ctx, s.admin, gonghai.PoolInput{Name: &poolName, MemberDepartmentIDs: &members})
	if err != nil {
		return nil, err
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
			Company: fmt.Sprintf("压测客户%d", s.made), Phone: fmt.Sprintf("138%08d", s.made)}}
	}
	if _, err := s.db.ImportCustomers(ctx, s.admin, in); err != nil {
		return nil, err
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
