package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonghai/gonghai"
)

// The intake bench posts leads to a channel through HTTP, as websites'
// forms and programs do, with the channel handing them out by round robin:
// each is a rate-limit count, a duplicate look-up, a sealed insert with
// its touches and event, and, after commit, a routing decision and an
// assignment. Its floor, in the same run on the same database, is the
// claim floor (store.FloorClaim): the bare conditional UPDATE and event
// that gives one pool customer to a rep, as many as the leads posted, by
// the same number of workers, reps in turn.

// intakeOptions are the flags of `gonghai bench intake`.
type intakeOptions struct {
	db, postgres  string
	reps, workers int
	leads         int
}

func (env Env) intake(ctx context.Context, args []string) error {
	var o intakeOptions
	fs := flag.NewFlagSet("gonghai bench intake", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.StringVar(&o.db, "db", "", "database to run on: sqlite:PATH or postgres://…, which must be empty (default: a fresh temporary SQLite file)")
	fs.StringVar(&o.postgres, "postgres", "", "also run on this PostgreSQL database, which must be empty")
	fs.IntVar(&o.reps, "reps", 20, "reps the channel hands leads to by round robin")
	fs.IntVar(&o.workers, "workers", 32, "concurrent posters (and floor claimers)")
	fs.IntVar(&o.leads, "leads", 2000, "leads posted, each with its own contact")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench intake: unexpected argument %q", fs.Arg(0))
	}
	if err := positive("intake", map[string]int{"reps": o.reps, "workers": o.workers, "leads": o.leads}); err != nil {
		return err
	}
	dsns, cleanup, err := targets("intake", o.db, o.postgres)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Fprintf(env.Stdout, "intake on %d CPUs, %s/%s, %s: %d leads posted as JSON by %d workers to a channel handing out by round robin "+
		"to %d reps; floor: the claim floor giving as many pool customers to the reps in turn\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), o.leads, o.workers, o.reps)
	return runEach(ctx, dsns, func(dsn string) error { return env.intakeOn(ctx, dsn, o) })
}

func (env Env) intakeOn(ctx context.Context, dsn string, o intakeOptions) error {
	db, durability, err := openEmpty(ctx, dsn, &Clock{})
	if err != nil {
		return err
	}
	defer db.Close()
	label := "sqlite"
	if strings.HasPrefix(dsn, "postgres") {
		label = "postgres"
	}
	admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "bench-admin", Name: "压测管理员", Role: gonghai.RoleAdmin})
	if err != nil {
		return err
	}
	reps := make([]string, o.reps)
	for i := range reps {
		login := fmt.Sprintf("bench-rep-%d", i)
		u, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: gonghai.RoleRep})
		if err != nil {
			return err
		}
		reps[i] = u.ID
	}
	name := "线索池"
	pool, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &reps})
	if err != nil {
		return err
	}
	chName, none := "官网表单", 0
	ch, err := db.CreateChannel(ctx, admin, gonghai.ChannelInput{Name: &chName, PoolID: &pool.ID, PerMinute: &none, AddressPerHour: &none,
		Assignment: &gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}})
	if err != nil {
		return err
	}
	srv, err := startServer(db, env.Log, o.workers)
	if err != nil {
		return err
	}
	defer srv.close()

	var taken, joined atomic.Int64
	api, err := spread(ctx, o.leads, o.workers, func(i int) error {
		body := fmt.Sprintf(`{"name":"访客%d","company":"进线测试%d号公司","phone":"158%08d","utm_source":"bench"}`, i, i, i)
		req, err := http.NewRequestWithContext(ctx, "POST", srv.base+"/api/v1/intake/"+ch.Key, strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusAccepted {
			return fmt.Errorf("intake %d: %d %s", i, res.StatusCode, raw)
		}
		taken.Add(1)
		if bytes.Contains(raw, []byte(`"joined":true`)) {
			joined.Add(1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	assigned, err := db.CountOwnedIn(ctx, pool.ID)
	if err != nil {
		return err
	}

	// The floor: as many pool customers, given to the reps in turn.
	other := "地板池"
	fp, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &other, MemberUserIDs: &reps})
	if err != nil {
		return err
	}
	rows := make([][4]string, o.leads)
	for i := range rows {
		rows[i] = [4]string{fmt.Sprintf("地板%d号公司", i), fmt.Sprintf("地板%d", i), fmt.Sprintf("159%08d", i), ""}
	}
	if err := db.FloorInsert(ctx, fp.ID, rows); err != nil {
		return err
	}
	ids, err := db.FloorList(ctx, fp.ID, gonghai.CustomerFilter{}, "", o.leads)
	if err != nil {
		return err
	}
	var won atomic.Int64
	floor, err := spread(ctx, len(ids), o.workers, func(i int) error {
		ok, err := db.FloorClaim(ctx, ids[i], fp.ID, reps[i%len(reps)])
		if ok {
			won.Add(1)
		}
		return err
	})
	if err != nil {
		return err
	}
	r := "-"
	if api > 0 && floor > 0 && won.Load() > 0 {
		r = fmt.Sprintf("%.2f", (float64(taken.Load())/api.Seconds())/(float64(won.Load())/floor.Seconds()))
	}
	fmt.Fprintf(env.Stdout, "%-8s  %s  intake: %s leads/s (%d taken, %d joined, %d assigned, in %s)  claim floor: %s/s (%d in %s)  intake/floor: %s\n",
		label, durability, rate(taken.Load(), api), taken.Load(), joined.Load(), assigned, dur(api), rate(won.Load(), floor), won.Load(), dur(floor), r)
	if joined.Load() > 0 || assigned != int(taken.Load()) {
		return errors.New("bench intake: every lead is new and is to be assigned")
	}
	return nil
}

// spread runs do(0..n-1) on workers goroutines and returns how long all
// took; the first error stops the rest.
func spread(ctx context.Context, n, workers int, do func(i int) error) (time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := do(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					next.Store(int64(n))
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), first
}
