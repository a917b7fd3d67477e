package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
)

// The sweep tests put customers in reps' hands at start (Monday 2 March,
// 09:00 in Shanghai) under a three-day no-follow-up rule: the last allowed
// day is Thursday the 5th, so they are due from midnight Friday the 6th,
// Shanghai time.
var (
	shanghai = mustLocation("Asia/Shanghai")
	deadline = time.Date(2026, 3, 6, 0, 0, 0, 0, shanghai).UTC()
)

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// sweepRules is a pool's recycle rules: no counting follow-up for 3 days,
// with the owner warned warnDays before (0: never).
func sweepRules(warnDays int) *gonghai.RecycleRules {
	return &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 3}},
		WarnDays: warnDays}
}

// forEachNodes runs test on a fresh SQLite file and a fresh PostgreSQL
// database, like forEachDB, with n handles on the database that share the
// fixture's clock: n app nodes. nodes[0] is f.db. On SQLite every node is
// f.db: one process owns an SQLite file, and its single writer serialises
// the nodes' writes as it would serialise any goroutines.
func forEachNodes(t *testing.T, n int, test func(t *testing.T, f *fixture, nodes []*store.DB)) {
	t.Helper()
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		nodes := []*store.DB{f.db}
		for len(nodes) < n {
			if f.db.Dialect() != store.Postgres {
				nodes = append(nodes, f.db)
				continue
			}
			db, err := store.Open(f.ctx, dsn, f.clock, vault.Ephemeral())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			nodes = append(nodes, db)
		}
		test(t, f, nodes)
	})
}

// owned imports n customers into pool p, dealt round-robin to owners, in one
// transaction, and returns how many each owner got.
func (f *fixture) owned(p gonghai.Pool, owners []gonghai.User, n int) map[string]int {
	f.t.Helper()
	in := make([]gonghai.NewCustomer, n)
	per := map[string]int{}
	for i := range in {
		o := owners[i%len(owners)]
		in[i] = gonghai.NewCustomer{PoolID: p.ID, OwnerID: o.ID,
			CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("回收测试公司%d", f.n.Add(1))}}
		per[o.ID]++
	}
	if got, err := f.db.ImportCustomers(f.ctx, f.admin, in); err != nil || got != n {
		f.t.Fatalf("import %d customers: %d, %v", n, got, err)
	}
	return per
}

// reps creates n reps and returns them with their ids.
func (f *fixture) reps(prefix string, n int) ([]gonghai.User, []string) {
	f.t.Helper()
	users, ids := make([]gonghai.User, n), make([]string, n)
	for i := range users {
		users[i] = f.user(fmtLogin(prefix, i), gonghai.RoleRep, "", nil)
		ids[i] = users[i].ID
	}
	return users, ids
}

// allDue reads every due row through list, page by page.
func allDue(f *fixture, list func(context.Context, *gonghai.Due, int) ([]gonghai.Due, error)) []gonghai.Due {
	f.t.Helper()
	const page = 200
	var out []gonghai.Due
	var after *gonghai.Due
	for {
		due, err := list(f.ctx, after, page)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, due...)
		if len(due) < page {
			return out
		}
		after = &due[len(due)-1]
	}
}

// notifications reads all of u's notifications and counts them by kind and
// customer.
func (f *fixture) notifications(u gonghai.User) map[string]map[string]int {
	f.t.Helper()
	out := map[string]map[string]int{}
	pg := gonghai.Page{Limit: gonghai.MaxPageSize}
	for {
		ns, next, err := f.db.Notifications(f.ctx, u, pg)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, n := range ns {
			if n.UserID != u.ID {
				f.t.Fatalf("%s was shown notification %+v of user %s", u.Login, n, n.UserID)
			}
			if out[n.Kind] == nil {
				out[n.Kind] = map[string]int{}
			}
			out[n.Kind][n.CustomerID]++
		}
		if next == "" {
			return out
		}
		pg.After = next
	}
}

// countKind counts the events of kind in h.
func countKind(h []gonghai.Event, kind gonghai.EventKind) int {
	n := 0
	for _, e := range h {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestSweepRacesFollowUp: 200 times, the owner logs a counting follow-up at
// the moment a sweeper recycles the customer with the due row it read
// before either started (invariant 5). Exactly one of them wins each race:
// either the follow-up committed and the customer stays with its owner with
// a later deadline, or the customer was recycled and the follow-up was
// refused without writing anything. Never both, never neither.
func TestSweepRacesFollowUp(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		const customers, perRound = 200, 10
		owners, ownerIDs := f.reps("rep", 4)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &ownerIDs, Recycle: sweepRules(0)})
		f.owned(p, owners, customers)
		byID := map[string]gonghai.User{}
		for _, o := range owners {
			byID[o.ID] = o
		}

		f.clock.Set(deadline.Add(-time.Microsecond))
		if due, err := f.db.DueRecycles(f.ctx, nil, 10); err != nil || len(due) != 0 {
			t.Fatalf("due a moment before the deadline: %v, %v", due, err)
		}
		f.clock.Set(deadline.Add(10 * time.Hour)) // Friday 10:00 in Shanghai
		now := f.clock.Now()
		due := allDue(f, f.db.DueRecycles)
		if len(due) != customers {
			t.Fatalf("%d customers due, want %d", len(due), customers)
		}
		for _, d := range due {
			if byID[d.OwnerID].ID == "" || !d.At.Equal(deadline) || !d.Deadline.Equal(deadline) {
				t.Fatalf("due row %+v, want owned by a rep and due at %s", d, deadline)
			}
		}

		type race struct {
			fuErr    error
			recycled bool
			recErr   error
		}
		races := make([]race, len(due))
		for lo := 0; lo < len(due); lo += perRound {
			hi := min(lo+perRound, len(due))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := lo; i < hi; i++ {
				wg.Add(2)
				go func() {
					defer wg.Done()
					<-start
					_, races[i].fuErr = f.db.AddFollowUp(f.ctx, byID[due[i].OwnerID], due[i].CustomerID,
						gonghai.NewFollowUp{Kind: "call", Content: "电话回访，客户有意向"})
				}()
				go func() {
					defer wg.Done()
					<-start
					races[i].recycled, races[i].recErr = f.db.Recycle(f.ctx, due[i])
				}()
			}
			close(start)
			wg.Wait()
		}

		var followedUp, refusedConflict, refusedForbidden int
		recycledOf := map[string]int{}
		for i, r := range races {
			d := due[i]
			if r.recErr != nil {
				t.Fatalf("customer %s: recycle failed: %v", d.CustomerID, r.recErr)
			}
			switch code := gonghai.ErrorCode(r.fuErr); {
			case r.fuErr == nil && r.recycled:
				t.Errorf("customer %s: the follow-up committed AND the customer was recycled", d.CustomerID)
			case r.fuErr == nil:
				followedUp++
			case !r.recycled:
				t.Errorf("customer %s: not recycled, yet the follow-up failed: %v", d.CustomerID, r.fuErr)
			case code == gonghai.EConflict:
				// The follow-up read the customer as its owner's, and its
				// write found it recycled.
				refusedConflict++
			case code == gonghai.EForbidden:
				// The recycle committed before the follow-up read: the
				// customer is in the pool, and its former owner must claim it.
				refusedForbidden++
			default:
				t.Errorf("customer %s: recycled, and the follow-up failed with %q, want %q or %q: %v",
					d.CustomerID, code, gonghai.EConflict, gonghai.EForbidden, r.fuErr)
			}
			if r.recycled {
				recycledOf[d.OwnerID]++
			}

			c, h := f.customer(d.CustomerID), f.history(d.CustomerID)
			fus, _, err := f.db.FollowUps(f.ctx, f.admin, d.CustomerID, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case r.fuErr == nil && !r.recycled:
				if c.OwnerID != d.OwnerID || c.PoolID != p.ID || c.Recycle == nil || !c.Recycle.At.After(now) ||
					c.LastFollowUp == nil || !c.LastFollowUp.Equal(now) {
					t.Errorf("customer %s won by its follow-up: owner %q pool %q deadline %+v last follow-up %v; want owner %s, a deadline after %s",
						d.CustomerID, c.OwnerID, c.PoolID, c.Recycle, c.LastFollowUp, d.OwnerID, now)
				}
				if len(h) != 1 || countKind(h, gonghai.EventRecycled) != 0 || len(fus) != 1 {
					t.Errorf("customer %s won by its follow-up has events %+v and %d follow-ups, want only created and 1",
						d.CustomerID, h, len(fus))
				}
			case r.recycled:
				if c.OwnerID != "" || c.PoolID != p.ID || c.Recycle != nil || c.Reminder != nil {
					t.Errorf("customer %s recycled: owner %q pool %q deadline %+v reminder %v; want in pool %s with no deadline",
						d.CustomerID, c.OwnerID, c.PoolID, c.Recycle, c.Reminder, p.ID)
				}
				if len(h) != 2 || countKind(h, gonghai.EventRecycled) != 1 || h[1].Kind != gonghai.EventRecycled ||
					h[1].FromOwnerID != d.OwnerID || h[1].Reason != string(gonghai.RuleNoFollowUp) || !h[1].At.Equal(now) {
					t.Errorf("customer %s recycled has events %+v, want created then one recycled from %s at %s",
						d.CustomerID, h, d.OwnerID, now)
				}
				if len(fus) != 0 {
					t.Errorf("customer %s recycled kept %d follow-ups of the refused attempt: %+v", d.CustomerID, len(fus), fus)
				}
			}
			f.checkChain(d.CustomerID)
		}
		recycled := refusedConflict + refusedForbidden
		t.Logf("%d races: follow-up won %d; recycled %d (follow-up refused with conflict %d, forbidden %d)",
			len(races), followedUp, recycled, refusedConflict, refusedForbidden)
		if followedUp+recycled != customers {
			t.Errorf("%d follow-ups won and %d recycles, want %d in all", followedUp, recycled, customers)
		}
		// On PostgreSQL the two writers truly overlap, so 200 races that all
		// went one way would mean the test no longer races them.
		if f.db.Dialect() == store.Postgres && (followedUp == 0 || recycled == 0) {
			t.Errorf("every race went one way (follow-up won %d, recycled %d): the race is not being exercised",
				followedUp, recycled)
		}

		// Each recycle told the owner once; nothing is left due.
		for _, o := range owners {
			notes := f.notifications(o)
			total := 0
			for id, n := range notes[gonghai.NotifyRecycled] {
				if n != 1 {
					t.Errorf("%s was told %d times that customer %s was recycled", o.Login, n, id)
				}
				total += n
			}
			if total != recycledOf[o.ID] {
				t.Errorf("%s has %d recycled notifications, want %d", o.Login, total, recycledOf[o.ID])
			}
		}
		if left := allDue(f, f.db.DueRecycles); len(left) != 0 {
			t.Errorf("%d customers still due after the races: %+v", len(left), left[0])
		}
	})
}
