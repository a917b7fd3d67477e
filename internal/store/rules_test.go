package store_test

import (
	"fmt"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// The rule tests count days from start (Monday 2 March 2026, 09:00 in
// Shanghai). dayStart(n) is local midnight at the beginning of the n-th
// day after start's day: a customer gained on day D under an N-day rule is
// due at dayStart(D+N+1). It is written with time.Date, not the package's
// own day arithmetic, so that the tests do not check the code with itself.
var rulesLoc = func() *time.Location {
	loc, err := time.LoadLocation(gonghai.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

func dayStart(n int) time.Time { return time.Date(2026, 3, 2+n, 0, 0, 0, 0, rulesLoc).UTC() }

// dayAt is hour:00 on day n, Shanghai time.
func dayAt(n, hour int) time.Time { return dayStart(n).Add(time.Duration(hour) * time.Hour) }

// dateOf is day n as the store writes dates: YYYY-MM-DD in Shanghai.
func dateOf(n int) string { return dayStart(n).In(rulesLoc).Format(time.DateOnly) }

func localTime(t time.Time) string { return t.In(rulesLoc).Format("2006-01-02 15:04 MST") }

func fmtDeadline(d *gonghai.Deadline) string {
	if d == nil {
		return "none"
	}
	return localTime(d.At) + " by " + string(d.Rule)
}

// rulesOf is a pool's recycle rules made of rs, with the shared options
// left at their defaults.
func rulesOf(rs ...gonghai.RecycleRule) *gonghai.RecycleRules {
	return &gonghai.RecycleRules{Rules: rs}
}

// sweepIDs runs one recycle sweep as the sweeper does: it pages through
// the due rows (small pages, so that a sweep crosses page boundaries) and
// recycles each in its own transaction. It returns the ids recycled. In
// these single-threaded tests nothing races the sweep, so a due row that
// Recycle declines is a fault: DueRecycles and Recycle disagree.
func sweepIDs(f *fixture) []string {
	f.t.Helper()
	const page = 2
	var ids []string
	var after *gonghai.Due
	for {
		due, err := f.db.DueRecycles(f.ctx, after, page)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, d := range due {
			if d.At.After(f.clock.Now()) {
				f.t.Errorf("DueRecycles at %s lists %+v, due only at %s", localTime(f.clock.Now()), d, localTime(d.At))
			}
			ok, err := f.db.Recycle(f.ctx, d)
			if err != nil {
				f.t.Fatal(err)
			}
			if !ok {
				f.t.Errorf("due row %+v was listed but not recycled, with nothing racing the sweep", d)
				continue
			}
			ids = append(ids, d.CustomerID)
		}
		if len(due) < page {
			return ids
		}
		after = &due[len(due)-1]
	}
}

// sweep runs one recycle sweep and returns how many customers it recycled.
func sweep(f *fixture) int {
	f.t.Helper()
	return len(sweepIDs(f))
}

// sweepAt moves the clock to at, sweeps, and fails unless exactly want were
// recycled.
func sweepAt(f *fixture, at time.Time, want ...string) {
	f.t.Helper()
	f.clock.Set(at)
	sameIDs(f.t, "recycled by the sweep at "+localTime(at), sweepIDs(f), want)
}

// remindIDs runs one reminder sweep, page by page, and returns the ids of
// the customers whose owners it reminded.
func remindIDs(f *fixture) []string {
	f.t.Helper()
	const page = 2
	var ids []string
	var after *gonghai.Due
	for {
		due, err := f.db.DueReminders(f.ctx, after, page)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, d := range due {
			ok, err := f.db.Remind(f.ctx, d)
			if err != nil {
				f.t.Fatal(err)
			}
			if !ok {
				f.t.Errorf("due reminder %+v was listed but not sent, with nothing racing the sweep", d)
				continue
			}
			ids = append(ids, d.CustomerID)
		}
		if len(due) < page {
			return ids
		}
		after = &due[len(due)-1]
	}
}

// ruleCustomer creates a customer of category cat in pool poolID, at stage
// 方案报价, and returns its id.
func (f *fixture) ruleCustomer(poolID, cat string) string {
	f.t.Helper()
	return f.newCustomer(f.admin, poolID, gonghai.CustomerFields{Company: fmt.Sprintf("规则测试公司%d", f.n.Add(1)),
		Category: cat, Stage: "方案报价"}).ID
}

// claimed creates n customers of category cat in pool poolID and has u
// claim them now.
func (f *fixture) claimed(u gonghai.User, poolID, cat string, n int) []string {
	f.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = f.ruleCustomer(poolID, cat)
		mustClaim(f, u, ids[i])
	}
	return ids
}

func (f *fixture) logFollowUp(u gonghai.User, id, kind string) {
	f.t.Helper()
	if _, err := f.db.AddFollowUp(f.ctx, u, id, gonghai.NewFollowUp{Kind: kind, Content: "跟进：" + kind}); err != nil {
		f.t.Fatalf("%s logs a %s with %s: %v", u.Login, kind, id, err)
	}
}

func (f *fixture) logFollowUpAt(u gonghai.User, id, kind string, at time.Time) {
	f.t.Helper()
	if _, err := f.db.AddFollowUp(f.ctx, u, id, gonghai.NewFollowUp{Kind: kind, Content: "补记跟进", At: &at}); err != nil {
		f.t.Fatalf("%s logs a %s with %s at %s: %v", u.Login, kind, id, localTime(at), err)
	}
}

func (f *fixture) setStage(u gonghai.User, id, stage string) {
	f.t.Helper()
	if _, err := f.db.UpdateCustomer(f.ctx, u, id, gonghai.CustomerPatch{Stage: &stage}); err != nil {
		f.t.Fatalf("%s moves %s to stage %s: %v", u.Login, id, stage, err)
	}
}

func (f *fixture) order(u gonghai.User, id, on string) {
	f.t.Helper()
	if _, err := f.db.CreateOrder(f.ctx, u, id, 1280000, on); err != nil {
		f.t.Fatalf("%s records an order of %s on %s: %v", u.Login, id, on, err)
	}
}

func (f *fixture) opportunity(u gonghai.User, id string) gonghai.Opportunity {
	f.t.Helper()
	o, err := f.db.CreateOpportunity(f.ctx, u, id, "年度采购", 500000)
	if err != nil {
		f.t.Fatalf("%s opens an opportunity with %s: %v", u.Login, id, err)
	}
	return o
}

func (f *fixture) setRules(p gonghai.Pool, rules *gonghai.RecycleRules) gonghai.Pool {
	f.t.Helper()
	p, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{Recycle: rules})
	if err != nil {
		f.t.Fatalf("update the recycle rules of %s: %v", p.Name, err)
	}
	return p
}

// wantDeadline fails unless customer id is due at at by rule.
func (f *fixture) wantDeadline(id string, at time.Time, rule gonghai.RuleKind) {
	f.t.Helper()
	c := f.customer(id)
	if c.Recycle == nil || !c.Recycle.At.Equal(at) || c.Recycle.Rule != rule {
		f.t.Errorf("customer %s (%s) is due %s, want %s by %s", id, c.Company, fmtDeadline(c.Recycle), localTime(at), rule)
	}
}

// wantNoDeadline fails unless customer id has no deadline and no reminder.
func (f *fixture) wantNoDeadline(id string) {
	f.t.Helper()
	c := f.customer(id)
	if c.Recycle != nil || c.Reminder != nil {
		f.t.Errorf("customer %s (%s) is due %s with reminder %v, want no deadline", id, c.Company, fmtDeadline(c.Recycle), c.Reminder)
	}
}

// wantRecycled fails unless customer id was just recycled from owner in
// pool from to pool to by rule: unowned, without a deadline, its last event
// the recycle, its chain whole.
func (f *fixture) wantRecycled(id string, owner gonghai.User, from, to string, rule gonghai.RuleKind) {
	f.t.Helper()
	c := f.customer(id)
	if c.OwnerID != "" || c.PoolID != to || c.Recycle != nil || c.Reminder != nil {
		f.t.Errorf("customer %s after its recycle: owner %q pool %q deadline %s reminder %v; want in pool %s, unowned, no deadline",
			id, c.OwnerID, c.PoolID, fmtDeadline(c.Recycle), c.Reminder, to)
	}
	h := f.history(id)
	last := h[len(h)-1]
	want := gonghai.Event{ID: last.ID, CustomerID: id, Seq: len(h), Kind: gonghai.EventRecycled, FromOwnerID: owner.ID,
		FromPoolID: from, ToPoolID: to, Reason: string(rule), At: f.clock.Now()}
	if diff := cmp.Diff(want, last); diff != "" {
		f.t.Errorf("customer %s: recycled event (-want +got):\n%s", id, diff)
	}
	f.checkChain(id)
}

// ruleNotes returns u's notifications of kind, oldest first.
func (f *fixture) ruleNotes(u gonghai.User, kind string) []gonghai.Notification {
	f.t.Helper()
	ns, _, err := f.db.Notifications(f.ctx, u, gonghai.Page{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []gonghai.Notification
	for _, n := range ns {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b gonghai.Notification) int { return a.Created.Compare(b.Created) })
	return out
}
