package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/store"
)

// recycleTable is the table of one recycle bench: customers of one pool,
// each owned by one of a few reps and carrying its deadline, a known set of
// them due. It grows by grow; reown puts the due ones back in their owners'
// hands between measured phases. Everything is written through the store's
// public paths: the bulk path seeds, Assign gives back.
type recycleTable struct {
	db     *store.DB
	clock  *Clock
	admin  gonghai.User
	poolID string
	owners []string
	// due are the times the due customers were gained, later those of the
	// rest: a spread, so that deadlines differ as they would.
	due, later []time.Time
	rows       int // rows seeded so far: 1 … rows
	nDue       int
	dueSpan    int // the due rows are spread over rows 1 … dueSpan
	dueRows    []dueRow
}

// dueRow is one due customer as seeded.
type dueRow struct {
	id, owner string
	gained    time.Time
}

// recycleOwnedDays are how many days before the seed the not-due customers
// were gained, and recycleOverdueDays how many days past their deadline the
// due ones are.
var (
	recycleOwnedDays   = []int{0, 1, 2, 3, 4, 5, 6, 7}
	recycleOverdueDays = []int{1, 2, 3, 4}
)

// newRecycleTable prepares to seed customers into pool poolID, owned in
// turn by owners, due customers due under the pool's recycle rules: gained
// long enough ago that they are due now, the rest so recently that none
// comes due for a day at least. The pool must have rules that give every
// such customer a deadline by one rule.
func newRecycleTable(ctx context.Context, db *store.DB, clock *Clock, admin gonghai.User, poolID string, owners []string, due int) (*recycleTable, error) {
	if len(owners) == 0 || due < 1 {
		return nil, errors.New("recycle table: want owners and at least one due customer")
	}
	p, err := db.Pool(ctx, admin, poolID)
	if err != nil {
		return nil, err
	}
	s, err := db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	loc, now := s.Location(), clock.Now()
	b := &recycleTable{db: db, clock: clock, admin: admin, poolID: poolID, owners: owners, nDue: due}
	var rule gonghai.RuleKind
	deadline := func(gained time.Time) (time.Time, error) {
		d := p.Recycle.Deadline(gonghai.RuleFacts{OwnedSince: gained}, loc)
		switch {
		case d == nil:
			return time.Time{}, fmt.Errorf("recycle table: pool %s gives a customer gained %s no deadline", poolID, gained)
		case rule != "" && d.Rule != rule:
			return time.Time{}, fmt.Errorf("recycle table: pool %s decides by two rules, %s and %s", poolID, rule, d.Rule)
		}
		rule = d.Rule
		return d.At, nil
	}
	var kept time.Duration // how long a customer is kept: deadline less gained, for the most recent
	for _, days := range recycleOwnedDays {
		gained := now.AddDate(0, 0, -days)
		at, err := deadline(gained)
		if err != nil {
			return nil, err
		}
		if !at.After(now.Add(24 * time.Hour)) {
			return nil, fmt.Errorf("recycle table: pool %s recycles a customer gained %d days ago within a day; give its rule more days", poolID, days)
		}
		if days == 0 {
			kept = at.Sub(now)
		}
		b.later = append(b.later, gained)
	}
	for _, days := range recycleOverdueDays {
		gained := now.Add(-kept).AddDate(0, 0, -days)
		at, err := deadline(gained)
		if err != nil {
			return nil, err
		}
		if at.After(now) {
			return nil, fmt.Errorf("recycle table: a customer gained %s is not due by %s", gained, now)
		}
		b.due = append(b.due, gained)
	}
	return b, nil
}

// owned is how many customers are seeded.
func (b *recycleTable) owned() int { return b.rows }

// dueIDs returns the ids of the due customers.
func (b *recycleTable) dueIDs() []string {
	ids := make([]string, len(b.dueRows))
	for i, d := range b.dueRows {
		ids[i] = d.id
	}
	return ids
}

// recycleSeedChunk is how many rows one seeding transaction writes.
const recycleSeedChunk = 50_000

// grow seeds owned customers through the store's bulk path until the table
// holds to of them, one transaction per chunk: each customer gained when
// its class says, so that the bulk path gives it the deadline the pool's
// rules give, with its created event. The first call also seeds the due
// customers, spread evenly over its rows; later calls add only customers
// that are not due. progress, if not nil, hears the rows seeded so far
// after each chunk.
func (b *recycleTable) grow(ctx context.Context, to int, progress func(rows int)) error {
	if b.rows == 0 {
		if to < b.nDue {
			return fmt.Errorf("recycle table: %d owned cannot hold %d due", to, b.nDue)
		}
		b.dueSpan = to
	}
	for b.rows < to {
		lo, hi := b.rows+1, min(b.rows+recycleSeedChunk, to)
		in := make([]store.BulkCustomer, 0, hi-lo+1)
		for i := lo; i <= hi; i++ {
			gained := b.later[i%len(b.later)]
			if isDue(i, b.nDue, b.dueSpan) {
				gained = b.due[i%len(b.due)]
			}
			in = append(in, store.BulkCustomer{At: gained, NewCustomer: gonghai.NewCustomer{PoolID: b.poolID,
				OwnerID: b.owners[i%len(b.owners)], CustomerFields: gonghai.CustomerFields{Company: recycleCompany(i)}}})
		}
		ids, err := b.db.BulkInsertCustomers(ctx, b.admin, in)
		if err != nil {
			return fmt.Errorf("recycle table: seed rows %d to %d: %w", lo, hi, err)
		}
		for k, id := range ids {
			if i := lo + k; isDue(i, b.nDue, b.dueSpan) {
				b.dueRows = append(b.dueRows, dueRow{id: id, owner: in[k].OwnerID, gained: in[k].At})
			}
		}
		b.rows = hi
		if progress != nil {
			progress(b.rows)
		}
	}
	if len(b.dueRows) != b.nDue {
		return fmt.Errorf("recycle table: %d rows seeded as due, want %d", len(b.dueRows), b.nDue)
	}
	return b.db.Vacuum(ctx)
}

// recycleCompany names seeded row i. The number is in base 36: seven
// digits in a row would read as a phone number, which a company name may
// not hold. 号 ends it, so that no number reads as a legal form ending a
// name (co, ag, bv …), which the company's normal form drops.
func recycleCompany(i int) string { return "压测客户" + strconv.FormatInt(int64(i), 36) + "号" }

// isDue reports whether row i of 1 … span is one of the due rows: exactly
// due of them, evenly spread.
func isDue(i, due, span int) bool {
	return i <= span && (int64(i)*int64(due))/int64(span) != (int64(i-1)*int64(due))/int64(span)
}

// reownWorkers is how many assignments run at once: PostgreSQL serves
// them side by side; SQLite queues them at its one writer.
const reownWorkers = 8

// reown gives every due customer that is in a pool back to the owner it
// was seeded with, gained when it was, so due again: what the next phase
// starts from. Each goes through Assign, with the clock wound back to when
// it was gained, so it gets its assigned event and the deadline the rules
// give. It is forced past holding limits (there are none here), so that
// no assignment counts its rep's tens of thousands of customers. A
// customer still owned (a capped phase left it) stays as it is. It
// returns how many it gave back.
func (b *recycleTable) reown(ctx context.Context) (int, error) {
	defer b.clock.windBack(0)
	byTime := map[time.Time][]dueRow{}
	for _, d := range b.dueRows {
		byTime[d.gained] = append(byTime[d.gained], d)
	}
	var mu sync.Mutex
	total := 0
	var errs []error
	for gained, rows := range byTime {
		b.clock.windBack(time.Since(gained))
		work := make(chan dueRow)
		var wg sync.WaitGroup
		for range reownWorkers {
			wg.Go(func() {
				for d := range work {
					_, err := b.db.Assign(ctx, b.admin, d.id, d.owner, "bench: owned again for the next phase", true)
					mu.Lock()
					switch gonghai.ErrorCode(err) {
					case "":
						total++
					case gonghai.EAlreadyClaimed:
					default:
						errs = append(errs, err)
					}
					mu.Unlock()
				}
			})
		}
		for _, d := range rows {
			work <- d
		}
		close(work)
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return total, fmt.Errorf("recycle table: own due customers again: %w", err)
		}
	}
	return total, b.db.Vacuum(ctx)
}
