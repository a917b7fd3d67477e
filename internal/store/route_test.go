package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// routeTeam is a pool of reps that hands out its customers by a strategy.
type routeTeam struct {
	pool gonghai.Pool
	reps []gonghai.User
}

func (f *fixture) routeTeam(n int, a gonghai.Assignment, in gonghai.PoolInput) routeTeam {
	f.t.Helper()
	var o routeTeam
	var ids []string
	for i := range n {
		u := f.user(fmt.Sprintf("rr%02d", i), gonghai.RoleRep, "", nil)
		o.reps = append(o.reps, u)
		ids = append(ids, u.ID)
	}
	in.MemberUserIDs = &ids
	o.pool = f.pool(fmt.Sprintf("分配池%d", f.n.Add(1)), in)
	f.assignment(o.pool.ID, a)
	return o
}

func (f *fixture) assignment(poolID string, a gonghai.Assignment) {
	f.t.Helper()
	if _, err := f.db.SetAssignment(f.ctx, f.admin, poolID, a); err != nil {
		f.t.Fatal(err)
	}
}

// leads loads n customers into pool and queues them as intake would.
func (f *fixture) leads(poolID string, n int) []string {
	f.t.Helper()
	in := make([]store.BulkCustomer, n)
	for i := range in {
		in[i].PoolID = poolID
		in[i].Company = fmt.Sprintf("线索公司%d", f.n.Add(1))
	}
	var ids []string
	for lo := 0; lo < n; lo += 1000 {
		got, err := f.db.BulkInsertCustomers(f.ctx, f.admin, in[lo:min(lo+1000, n)])
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.db.Enqueue(f.ctx, "", got...); err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, got...)
	}
	return ids
}

func (f *fixture) route(id string) gonghai.Decision {
	f.t.Helper()
	d, err := f.db.Route(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func TestRouteRoundRobin(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.routeTeam(3, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}, gonghai.PoolInput{})
		ids := f.leads(o.pool.ID, 9)
		got := map[string]int{}
		var order []string
		for _, id := range ids {
			d := f.route(id)
			got[d.UserID]++
			order = append(order, d.UserID)
			c := f.customer(id)
			if c.OwnerID != d.UserID || c.OwnedSince == nil {
				t.Fatalf("customer owned by %q, decision says %q", c.OwnerID, d.UserID)
			}
			h := f.history(id)
			last := h[len(h)-1]
			if last.Kind != gonghai.EventAssigned || last.ActorID != "" || !strings.HasPrefix(last.Reason, "自动分配：轮询") {
				t.Fatalf("last event %+v", last)
			}
			f.checkChain(id)
		}
		for _, u := range o.reps {
			if got[u.ID] != 3 {
				t.Fatalf("round robin gave %v", got)
			}
		}
		// Strict rotation: each round of three goes to three different reps
		// in the same order.
		for i := 3; i < len(order); i++ {
			if order[i] != order[i-3] {
				t.Fatalf("order %v is not a rotation", order)
			}
		}
		// Routed once: a second call finds nothing waiting.
		if d := f.route(ids[0]); d.Reason != store.QueueGone || d.UserID != "" {
			t.Fatalf("second route %+v", d)
		}
	})
}

func TestRouteSkipsAndQueue(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.routeTeam(3, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}, gonghai.PoolInput{HoldingLimit: ptr(2)})
		a, b, c := o.reps[0], o.reps[1], o.reps[2]
		back := start.Add(48 * time.Hour)
		if _, err := f.db.SetAway(f.ctx, a, a.ID, gonghai.Away{Until: &back}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.SetAway(f.ctx, b, b.ID, gonghai.Away{Paused: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		// A rep may not set their own cap.
		_, err := f.db.SetAway(f.ctx, c, c.ID, gonghai.Away{DailyCap: ptr(1)})
		wantCode(t, err, gonghai.EForbidden)
		ids := f.leads(o.pool.ID, 4)
		for _, id := range ids[:2] {
			if d := f.route(id); d.UserID != c.ID || d.Skipped[a.ID] != gonghai.SkipAway || d.Skipped[b.ID] != gonghai.SkipPaused {
				t.Fatalf("decision %+v", d)
			}
		}
		h := f.history(ids[0])
		if r := h[len(h)-1].Reason; !strings.Contains(r, "rr00（休假）") || !strings.Contains(r, "rr01（暂停接单）") {
			t.Fatalf("reason %q", r)
		}
		if d := h[len(h)-1].Decision; d == nil || d.UserID != c.ID || d.Skipped[a.ID] != gonghai.SkipAway ||
			d.Strategy != gonghai.StrategyRoundRobin || len(d.Candidates) != 1 {
			t.Fatalf("decision on the history %+v", d)
		}
		// c is at the pool's holding limit: nobody is eligible, it waits.
		d := f.route(ids[2])
		if d.UserID != "" || d.Reason != gonghai.QueueNoneEligible || d.Skipped[c.ID] != gonghai.SkipHolding {
			t.Fatalf("decision %+v", d)
		}
		rows, _, err := f.db.Unassigned(f.ctx, f.admin, gonghai.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].Reason != gonghai.QueueNoneEligible || rows[1].Reason != "new" {
			t.Fatalf("queue %+v", rows)
		}
		if f.customer(ids[2]).OwnerID != "" {
			t.Fatal("a waiting customer gained an owner")
		}
		// b resumes: the retry hands both waiting customers to b.
		if _, err := f.db.SetAway(f.ctx, f.admin, b.ID, gonghai.Away{Paused: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		n, err := f.db.RetryUnassigned(f.ctx, f.admin)
		if err != nil || n != 2 {
			t.Fatalf("retried %d, %v", n, err)
		}
		for _, id := range ids[2:] {
			if got := f.customer(id).OwnerID; got != b.ID {
				t.Fatalf("owner %q, want b", got)
			}
		}
		// A daily cap: a comes back, capped at one a day.
		f.clock.Set(back.Add(time.Hour))
		if _, err := f.db.SetAway(f.ctx, f.admin, a.ID, gonghai.Away{DailyCap: ptr(1)}); err != nil {
			t.Fatal(err)
		}
		more := f.leads(o.pool.ID, 2)
		if d := f.route(more[0]); d.UserID != a.ID {
			t.Fatalf("decision %+v", d)
		}
		if d := f.route(more[1]); d.UserID != "" || d.Skipped[a.ID] != gonghai.SkipDailyCap {
			t.Fatalf("decision %+v", d)
		}
	})
}

func TestRouteClaimAndManual(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.routeTeam(2, gonghai.Assignment{Strategy: gonghai.StrategyClaim}, gonghai.PoolInput{})
		ids := f.leads(o.pool.ID, 4)
		if d := f.route(ids[0]); d.Strategy != gonghai.StrategyClaim || d.UserID != "" {
			t.Fatalf("decision %+v", d)
		}
		if c := f.customer(ids[0]); c.OwnerID != "" || c.PoolID != o.pool.ID {
			t.Fatalf("claim strategy moved the customer: %+v", c)
		}
		// A manual assignment is the rep's turn: round robin goes on from
		// the other rep.
		f.assignment(o.pool.ID, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin})
		if _, err := f.db.Assign(f.ctx, f.admin, ids[1], o.reps[0].ID, "", false); err != nil {
			t.Fatal(err)
		}
		if d := f.route(ids[1]); d.Reason != store.QueueGone {
			t.Fatalf("an assigned customer was routed: %+v", d)
		}
		if d := f.route(ids[2]); d.UserID != o.reps[1].ID {
			t.Fatalf("after a manual assignment to rep 0, round robin gave to %q", d.UserID)
		}
		if d := f.route(ids[3]); d.UserID != o.reps[0].ID {
			t.Fatalf("then %q", d.UserID)
		}
	})
}

// TestRouteRace routes many customers at once: every one is assigned
// exactly once, the rotation stays even, and no rep passes a holding limit.
func TestRouteRace(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		const reps, perRep = 8, 10
		o := f.routeTeam(reps, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}, gonghai.PoolInput{HoldingLimit: ptr(perRep)})
		ids := f.leads(o.pool.ID, reps*perRep+20)
		var wg sync.WaitGroup
		var mu sync.Mutex
		picked := map[string]int{}
		waiting := 0
		work := make(chan string)
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range work {
					d, err := f.db.Route(f.ctx, id)
					mu.Lock()
					switch {
					case err != nil:
						t.Error(err)
					case d.UserID != "":
						picked[d.UserID]++
					default:
						waiting++
					}
					mu.Unlock()
				}
			}()
		}
		for _, id := range ids {
			work <- id
		}
		close(work)
		wg.Wait()
		if waiting != 20 {
			t.Errorf("%d waiting, want 20", waiting)
		}
		for _, u := range o.reps {
			if picked[u.ID] != perRep {
				t.Errorf("picked %v, want %d each", picked, perRep)
				break
			}
		}
		owned := map[string]int{}
		for _, id := range ids {
			c := f.customer(id)
			owned[c.OwnerID]++
			if c.OwnerID != "" && len(f.history(id)) != 2 {
				t.Fatalf("customer %s has %d events", id, len(f.history(id)))
			}
		}
		if owned[""] != 20 {
			t.Fatalf("owners %v", owned)
		}
	})
}

// TestRouteRepsOnly: automatic hand-out is for reps. A manager who is a
// pool member (here by their department, as managers usually are) is no
// candidate, until the assignment names them.
func TestRouteRepsOnly(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := f.routeTeam(2, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin}, gonghai.PoolInput{})
		mgr := f.user("rr.mgr", gonghai.RoleManager, "", nil)
		members := []string{o.reps[0].ID, o.reps[1].ID, mgr.ID}
		if _, err := f.db.UpdatePool(f.ctx, f.admin, o.pool.ID, gonghai.PoolInput{MemberUserIDs: &members}); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, id := range f.leads(o.pool.ID, 6) {
			got[f.route(id).UserID]++
		}
		if got[mgr.ID] != 0 || got[o.reps[0].ID] != 3 || got[o.reps[1].ID] != 3 {
			t.Fatalf("round robin over two reps and a manager member gave %v", got)
		}
		// Named, the manager takes their turn like the reps.
		f.assignment(o.pool.ID, gonghai.Assignment{Strategy: gonghai.StrategyRoundRobin, UserIDs: members})
		got = map[string]int{}
		for _, id := range f.leads(o.pool.ID, 6) {
			got[f.route(id).UserID]++
		}
		if got[mgr.ID] != 2 || got[o.reps[0].ID] != 2 || got[o.reps[1].ID] != 2 {
			t.Fatalf("round robin naming the manager gave %v", got)
		}
	})
}
