package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
)

// TestThreeSweepers: three sweepers, on three app nodes sharing the
// PostgreSQL database (three goroutines on the one SQLite writer), sweep
// 1,000 due customers at once. Each customer is recycled exactly once: the
// reports add up to 1,000, every history holds one recycled event, every
// owner is told once per customer, and nobody still owns one.
func TestThreeSweepers(t *testing.T) {
	forEachNodes(t, 3, func(t *testing.T, f *fixture, nodes []*store.DB) {
		const customers = 1000
		owners, ownerIDs := f.reps("rep", 5)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &ownerIDs, Recycle: sweepRules(0)})
		per := f.owned(p, owners, customers)
		f.clock.Set(deadline.Add(10 * time.Hour))
		due := allDue(f, f.db.DueRecycles)
		if len(due) != customers {
			t.Fatalf("%d customers due, want %d", len(due), customers)
		}

		reports := make([]recycle.Report, len(nodes))
		errs := make([]error, len(nodes))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, db := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Small pages, so that each sweeper pages on while the others
				// take rows from under it.
				s := recycle.Sweeper{Store: db, Batch: 50}
				reports[i], errs[i] = s.Once(f.ctx)
			}()
		}
		close(start)
		wg.Wait()

		total, skipped := 0, 0
		for i, rep := range reports {
			if errs[i] != nil {
				t.Errorf("sweeper %d: %v", i, errs[i])
			}
			if rep.Reminded != 0 || rep.Webhooks != 0 || rep.Failed != 0 {
				t.Errorf("sweeper %d: %+v, want recycles only", i, rep)
			}
			total += rep.Recycled
			skipped += rep.Skipped
		}
		t.Logf("sweepers recycled %d, %d, %d (skipped %d, %d, %d)", reports[0].Recycled, reports[1].Recycled,
			reports[2].Recycled, reports[0].Skipped, reports[1].Skipped, reports[2].Skipped)
		if total != customers {
			t.Errorf("the sweepers recycled %d customers in all (skipped %d), want %d", total, skipped, customers)
		}

		for _, d := range due {
			h := f.history(d.CustomerID)
			if n := countKind(h, gonghai.EventRecycled); n != 1 || len(h) != 2 || h[1].FromOwnerID != d.OwnerID ||
				h[1].ToOwnerID != "" || h[1].ToPoolID != p.ID {
				t.Errorf("customer %s has %d recycled events in %+v, want created then one recycled from %s to pool %s",
					d.CustomerID, n, h, d.OwnerID, p.ID)
			}
			f.checkChain(d.CustomerID) // the customer is where its history ends: in the pool, unowned
		}
		// Every customer is back in the pool listing, with no owner and no
		// deadline.
		inPool := map[string]bool{}
		pg := gonghai.Page{Limit: gonghai.MaxPageSize}
		for {
			cs, next, err := f.db.PoolCustomers(f.ctx, f.admin, p.ID, gonghai.CustomerFilter{}, pg)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if c.OwnerID != "" || c.Recycle != nil || c.Reminder != nil || inPool[c.ID] {
					t.Errorf("pool lists customer %s with owner %q deadline %+v reminder %v (listed before: %v)",
						c.ID, c.OwnerID, c.Recycle, c.Reminder, inPool[c.ID])
				}
				inPool[c.ID] = true
			}
			if next == "" {
				break
			}
			pg.After = next
		}
		if len(inPool) != customers {
			t.Errorf("the pool lists %d customers after the sweep, want %d", len(inPool), customers)
		}
		for _, o := range owners {
			mine, _, err := f.db.MyCustomers(f.ctx, o, gonghai.CustomerFilter{}, gonghai.Page{})
			if err != nil || len(mine) != 0 {
				t.Errorf("%s still owns %d customers after the sweep (%v)", o.Login, len(mine), err)
			}
			notes := f.notifications(o)[gonghai.NotifyRecycled]
			for id, n := range notes {
				if n != 1 {
					t.Errorf("%s was told %d times that customer %s was recycled", o.Login, n, id)
				}
			}
			if len(notes) != per[o.ID] {
				t.Errorf("%s was told of %d recycled customers, want %d", o.Login, len(notes), per[o.ID])
			}
		}
		if left := allDue(f, f.db.DueRecycles); len(left) != 0 {
			t.Errorf("%d customers still due after the sweep", len(left))
		}
		// A sweep after the sweep finds nothing.
		rep, err := (&recycle.Sweeper{Store: nodes[len(nodes)-1]}).Once(f.ctx)
		if err != nil || rep != (recycle.Report{}) {
			t.Errorf("a later sweep: %+v, %v; want nothing done", rep, err)
		}
	})
}

// remindPass is one sweeper's reminder pass: every due reminder, page by
// page, each sent through Remind. It returns how many it sent.
func remindPass(ctx context.Context, db *store.DB) (int, error) {
	sent := 0
	var after *gonghai.Due
	for {
		due, err := db.DueReminders(ctx, after, 50)
		if err != nil {
			return sent, err
		}
		for _, d := range due {
			ok, err := db.Remind(ctx, d)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(due) < 50 {
			return sent, nil
		}
		after = &due[len(due)-1]
	}
}

// remindAtOnce runs one reminder pass on each node at once and returns what
// each sent.
func remindAtOnce(t *testing.T, f *fixture, nodes []*store.DB) []int {
	t.Helper()
	sent := make([]int, len(nodes))
	errs := make([]error, len(nodes))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			sent[i], errs[i] = remindPass(f.ctx, db)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("reminder pass %d: %v", i, err)
		}
	}
	return sent
}

func sum(ns []int) int {
	total := 0
	for _, n := range ns {
		total += n
	}
	return total
}

// TestRemindersOnceAcrossSweepers: with WarnDays 3, owners are warned 3 days
// before the deadline and again the day before. Three reminder passes at
// once send each warning exactly once per customer; another round at the
// same time sends none.
func TestRemindersOnceAcrossSweepers(t *testing.T) {
	forEachNodes(t, 3, func(t *testing.T, f *fixture, nodes []*store.DB) {
		const customers = 300
		owners, ownerIDs := f.reps("rep", 3)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &ownerIDs, Recycle: sweepRules(3)})
		per := f.owned(p, owners, customers)
		first := time.Date(2026, 3, 3, 0, 0, 0, 0, shanghai).UTC() // 3 days before the deadline
		last := time.Date(2026, 3, 5, 0, 0, 0, 0, shanghai).UTC()  // the day before

		f.clock.Set(first.Add(-time.Microsecond))
		if due, err := f.db.DueReminders(f.ctx, nil, 10); err != nil || len(due) != 0 {
			t.Fatalf("reminders due a moment early: %v, %v", due, err)
		}
		var ids []string
		for _, step := range []struct {
			name     string
			at       time.Time
			daysLeft int
			next     *time.Time
		}{
			{"three days before", first.Add(8 * time.Hour), 3, &last},
			{"the day before", last.Add(8 * time.Hour), 1, nil},
		} {
			f.clock.Set(step.at)
			due := allDue(f, f.db.DueReminders)
			if len(due) != customers {
				t.Fatalf("%s: %d reminders due, want %d", step.name, len(due), customers)
			}
			if ids == nil {
				for _, d := range due {
					ids = append(ids, d.CustomerID)
				}
			}
			sent := remindAtOnce(t, f, nodes)
			t.Logf("%s: the three passes sent %v", step.name, sent)
			if sum(sent) != customers {
				t.Errorf("%s: the passes sent %v reminders, %d in all, want %d", step.name, sent, sum(sent), customers)
			}
			if again := remindAtOnce(t, f, nodes); sum(again) != 0 {
				t.Errorf("%s: a second round at the same time sent %v more", step.name, again)
			}

			wantEach := map[string]int{"three days before": 1, "the day before": 2}[step.name]
			for _, o := range owners {
				notes := f.notifications(o)
				warned := notes[gonghai.NotifyRecycleWarning]
				if len(warned) != per[o.ID] {
					t.Errorf("%s: %s was warned about %d customers, want %d", step.name, o.Login, len(warned), per[o.ID])
				}
				for id, n := range warned {
					if n != wantEach {
						t.Errorf("%s: %s was warned %d times about customer %s, want %d", step.name, o.Login, n, id, wantEach)
					}
				}
				if len(notes[gonghai.NotifyRecycled]) != 0 {
					t.Errorf("%s: %s was told of recycles before any deadline", step.name, o.Login)
				}
				ns, _, err := f.db.Notifications(f.ctx, o, gonghai.Page{Limit: 1})
				if err != nil || len(ns) != 1 || ns[0].DaysLeft != step.daysLeft || ns[0].Deadline == nil || !ns[0].Deadline.Equal(deadline) {
					t.Errorf("%s: %s's latest notification %+v (%v), want %d days left before %s", step.name, o.Login, ns, err,
						step.daysLeft, deadline)
				}
			}
			for _, id := range ids {
				c := f.customer(id)
				if (c.Reminder == nil) != (step.next == nil) || (c.Reminder != nil && !c.Reminder.Equal(*step.next)) {
					t.Errorf("%s: customer %s's next reminder is %v, want %v", step.name, id, c.Reminder, step.next)
				}
			}
			if left := allDue(f, f.db.DueReminders); len(left) != 0 {
				t.Errorf("%s: %d reminders still due", step.name, len(left))
			}
		}
	})
}
