package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
)

// TestSweepRacesMoves: 300 due customers are recycled in batches, on two
// app nodes, while on a third an admin transfers every other one of them
// to a rep, each transfer started at the same moment as the batch holding
// its customer, hands over all of one owner's customers to another rep in
// one transaction, and reps claim customers from the pool. Batched
// recycling keeps invariant 5: each due customer ends either recycled,
// with its one recycled event and its previous owner told once, or moved
// by its transfer or the hand-over, with a fresh deadline, never both and
// never neither; the batches report exactly the customers recycled; every
// claim wins once; no transaction deadlocks or fails.
func TestSweepRacesMoves(t *testing.T) {
	forEachNodes(t, 3, func(t *testing.T, f *fixture, nodes []*store.DB) {
		const customers, claims = 300, 40
		owners, ownerIDs := f.reps("rep", 4)
		taker := f.user("rep.taker", gonghai.RoleRep, "", nil)
		heir := f.user("rep.heir", gonghai.RoleRep, "", nil)
		members := append(slices.Clone(ownerIDs), taker.ID, heir.ID)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: sweepRules(0)})
		f.owned(p, owners, customers)
		// Company only: the other nodes have keys of their own, which open
		// no sealed field.
		pooled := make([]gonghai.NewCustomer, claims)
		for i := range pooled {
			pooled[i] = gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("公海客户%d", i)}}
		}
		if n, err := f.db.ImportCustomers(f.ctx, f.admin, pooled); err != nil || n != claims {
			t.Fatalf("import %d pool customers: %d, %v", claims, n, err)
		}
		var unowned []string
		for _, c := range f.poolList(f.admin, p.ID, gonghai.CustomerFilter{}) {
			unowned = append(unowned, c.ID)
		}
		f.clock.Set(deadline.Add(10 * time.Hour))
		now := f.clock.Now()
		due := allDue(f, f.db.DueRecycles)
		if len(due) != customers {
			t.Fatalf("%d customers due, want %d", len(due), customers)
		}
		ownerOf := map[string]string{}
		for _, d := range due {
			ownerOf[d.CustomerID] = d.OwnerID
		}

		// Rounds of 20 due customers: each round's batch recycle, on one of
		// two nodes, starts at once with the transfers of every other one of
		// them, and with claims of pool customers; the hand-over starts
		// with the third round. A customer of the hand-over listed in a
		// later round is no longer its owner's when that round comes.
		const round = 20
		mover := nodes[2]
		var recycledByRounds int
		transferred := map[string]bool{}
		transferErrs := map[string]error{}
		var handOver gonghai.HandOverResult
		var handOverErr error
		var sweepErrs []error
		claimErrs := make([]error, claims)
		var mu sync.Mutex
		for r, lo := 0, 0; lo < len(due); r, lo = r+1, lo+round {
			batch := due[lo:min(lo+round, len(due))]
			start := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				<-start
				n, err := nodes[r%2].RecycleBatch(f.ctx, batch)
				mu.Lock()
				recycledByRounds += n
				sweepErrs = append(sweepErrs, err)
				mu.Unlock()
			})
			for i, d := range batch {
				if i%2 == 1 || d.OwnerID == owners[0].ID {
					continue // the hand-over's
				}
				wg.Go(func() {
					<-start
					_, err := mover.Transfer(f.ctx, f.admin, d.CustomerID, taker.ID, "客户要求换人跟进", false)
					mu.Lock()
					transferred[d.CustomerID], transferErrs[d.CustomerID] = err == nil, err
					mu.Unlock()
				})
			}
			if r == 2 {
				wg.Go(func() {
					<-start
					handOver, handOverErr = mover.HandOver(f.ctx, f.admin, owners[0].ID, heir.ID, "离职交接", false)
				})
			}
			for i := r; i < claims; i += len(due) / round {
				wg.Go(func() {
					<-start
					// Not by the owner handed over, whose claims would go too.
					_, claimErrs[i] = mover.Claim(f.ctx, owners[1+i%(len(owners)-1)], unowned[i], p.ID)
				})
			}
			close(start)
			wg.Wait()
		}
		for _, err := range sweepErrs {
			if err != nil {
				t.Fatalf("batch recycle: %v", err)
			}
		}
		if handOverErr != nil {
			t.Fatalf("hand-over: %v", handOverErr)
		}
		for i, err := range claimErrs {
			if err != nil {
				t.Errorf("claim of pool customer %s: %v", unowned[i], err)
			}
		}
		// Whatever a sweeper skipped because another writer held it and
		// did not move it after all, a later sweep takes.
		later, err := (&recycle.Sweeper{Store: f.db}).Once(f.ctx)
		if err != nil {
			t.Fatal(err)
		}

		var recycled, byTransfer, byHandOver int
		recycledOf := map[string]int{}
		for _, d := range due {
			id := d.CustomerID
			c, h := f.customer(id), f.history(id)
			f.checkChain(id)
			if len(h) != 2 {
				t.Errorf("customer %s has events %+v, want created and exactly one recycle or move", id, h)
				continue
			}
			e := h[1]
			switch {
			case e.Kind == gonghai.EventRecycled:
				recycled++
				recycledOf[d.OwnerID]++
				if e.FromOwnerID != d.OwnerID || e.ToPoolID != p.ID || !e.At.Equal(now) || c.OwnerID != "" || c.Recycle != nil {
					t.Errorf("customer %s recycled: event %+v, owner %q, deadline %+v", id, e, c.OwnerID, c.Recycle)
				}
				if transferred[id] {
					t.Errorf("customer %s was recycled AND its transfer succeeded", id)
				}
			case e.Kind == gonghai.EventTransferred && e.ToOwnerID == taker.ID:
				byTransfer++
				if !transferred[id] {
					t.Errorf("customer %s was transferred, but its transfer reported %v", id, transferErrs[id])
				}
			case e.Kind == gonghai.EventTransferred && e.ToOwnerID == heir.ID:
				byHandOver++
				if ownerOf[id] != owners[0].ID {
					t.Errorf("customer %s of %s went with %s's hand-over", id, ownerOf[id], owners[0].Login)
				}
			default:
				t.Errorf("customer %s: unexpected event %+v", id, e)
				continue
			}
			if e.Kind == gonghai.EventTransferred && (c.OwnerID != e.ToOwnerID || c.Recycle == nil || !c.Recycle.At.After(now)) {
				t.Errorf("customer %s moved to %s: owner %q deadline %+v, want a deadline after %s", id, e.ToOwnerID, c.OwnerID, c.Recycle, now)
			}
		}
		for id, err := range transferErrs {
			if err == nil {
				continue
			}
			switch gonghai.ErrorCode(err) {
			case gonghai.EConflict, gonghai.ENotOwner, gonghai.EAlreadyClaimed:
			default:
				t.Errorf("transfer of %s failed with %v, want a refusal because it moved", id, err)
			}
		}
		swept := recycledByRounds + later.Recycled
		t.Logf("%d due: recycled %d (%d by the racing batches, %d by a later sweep), transferred %d of %d tried, handed over %d",
			customers, recycled, recycledByRounds, later.Recycled, byTransfer, len(transferErrs), byHandOver)
		if recycled+byTransfer+byHandOver != customers {
			t.Errorf("recycled %d + transferred %d + handed over %d, want %d", recycled, byTransfer, byHandOver, customers)
		}
		if swept != recycled {
			t.Errorf("the sweeps report %d recycled, the histories %d", swept, recycled)
		}
		if handOver.Moved != byHandOver {
			t.Errorf("the hand-over reports %d moved, the histories %d", handOver.Moved, byHandOver)
		}
		if f.db.Dialect() == store.Postgres && (recycled == 0 || byTransfer == 0 || len(transferErrs) == byTransfer) {
			t.Errorf("recycled %d, transferred %d of %d: the race is not being exercised", recycled, byTransfer, len(transferErrs))
		}
		for _, o := range owners {
			notes := f.notifications(o)[gonghai.NotifyRecycled]
			total := 0
			for id, n := range notes {
				if n != 1 || ownerOf[id] != o.ID {
					t.Errorf("%s was told %d times that customer %s (of %s) was recycled", o.Login, n, id, ownerOf[id])
				}
				total += n
			}
			if total != recycledOf[o.ID] {
				t.Errorf("%s has %d recycled notifications, want %d", o.Login, total, recycledOf[o.ID])
			}
		}
		for _, id := range unowned {
			if c, h := f.customer(id), f.history(id); len(h) != 2 || h[1].Kind != gonghai.EventClaimed || c.OwnerID != h[1].ToOwnerID {
				t.Errorf("pool customer %s: owner %q, events %+v; want claimed once", id, c.OwnerID, h)
			}
		}
		if left := allDue(f, f.db.DueRecycles); len(left) != 0 {
			t.Errorf("%d customers still due", len(left))
		}
	})
}
