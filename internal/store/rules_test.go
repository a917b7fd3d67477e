package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
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

// ruleCase is one recycle rule as TestRuleKinds drives it. Every case runs
// the rule with 10 days for most customers and 4 for category A, so that
// customers x and y (A) claimed on day 0 are due at the start of day 5 and
// z (B) at the start of day 11.
type ruleCase struct {
	rule gonghai.RecycleRule
	// prepare runs on day 0 after the claims: what makes the rule apply.
	prepare func(f *fixture, rep gonghai.User, ids ...string)
	// keep runs on day 1 on y: activity that must NOT move the deadline.
	keep func(f *fixture, rep gonghai.User, y string)
	// reset runs on day 2 on y: the activity that restarts the rule.
	reset func(f *fixture, rep gonghai.User, y string)
	// resetDay is the day y is due from after reset, or -1 when reset
	// leaves y with no deadline at all.
	resetDay int
}

func ruleCases() []ruleCase {
	cat := map[string]int{"A": 4}
	rule := func(k gonghai.RuleKind) gonghai.RecycleRule {
		return gonghai.RecycleRule{Kind: k, Enabled: true, Days: 10, CategoryDays: cat}
	}
	call := func(f *fixture, rep gonghai.User, y string) { f.logFollowUp(rep, y, "call") }
	note := func(f *fixture, rep gonghai.User, y string) { f.logFollowUp(rep, y, "note") }
	protection := rule(gonghai.RuleProtection)
	protection.ExtendDays = 4
	return []ruleCase{
		{rule: rule(gonghai.RuleNoFollowUp), keep: note, reset: call, resetDay: 2 + 4 + 1},
		{rule: rule(gonghai.RuleNotContacted), keep: note, reset: call, resetDay: -1},
		{rule: rule(gonghai.RuleNotWon),
			keep: func(f *fixture, rep gonghai.User, y string) {
				f.logFollowUp(rep, y, "visit")
				f.opportunity(rep, y)
				f.setStage(rep, y, "谈判")
			},
			reset:    func(f *fixture, rep gonghai.User, y string) { f.order(rep, y, dateOf(2)) },
			resetDay: -1},
		{rule: rule(gonghai.RuleStageStalled),
			keep: func(f *fixture, rep gonghai.User, y string) {
				f.logFollowUp(rep, y, "call")
				f.setStage(rep, y, "方案报价") // the stage it has: no change
				f.setStage(rep, y, "初步接触") // back: not an advance
			},
			reset:    func(f *fixture, rep gonghai.User, y string) { f.setStage(rep, y, "谈判") },
			resetDay: 2 + 4 + 1},
		{rule: rule(gonghai.RuleNoRepurchase),
			prepare: func(f *fixture, rep gonghai.User, ids ...string) {
				for _, id := range ids {
					f.order(rep, id, dateOf(0))
				}
			},
			keep: func(f *fixture, rep gonghai.User, y string) {
				f.logFollowUp(rep, y, "call")
				f.opportunity(rep, y)
				f.order(rep, y, dateOf(-1)) // a late-entered order from before the last one
			},
			reset:    func(f *fixture, rep gonghai.User, y string) { f.order(rep, y, dateOf(2)) },
			resetDay: 2 + 4 + 1},
		{rule: rule(gonghai.RuleNoOpportunity),
			keep: func(f *fixture, rep gonghai.User, y string) {
				f.logFollowUp(rep, y, "call")
				f.setStage(rep, y, "谈判")
			},
			reset:    func(f *fixture, rep gonghai.User, y string) { f.opportunity(rep, y) },
			resetDay: 2 + 4 + 1},
		{rule: protection, keep: note, reset: call, resetDay: 2 + 4 + 1},
	}
}

// TestRuleKinds drives each recycle rule through the store with the clock:
// category days apply by category; a minute before the deadline the sweep
// takes nothing, at the deadline exactly the customer due, to the return
// pool with a recycled event naming the rule, and the old owner is told and
// held back by the re-claim cooldown for 3 days from the recycle; a change
// of category brings that category's days; activity the rule does not read
// leaves the deadline alone, and the activity that restarts the rule moves
// it later (or, for not_contacted and not_won, ends it).
func TestRuleKinds(t *testing.T) {
	for _, tc := range ruleCases() {
		t.Run(string(tc.rule.Kind), func(t *testing.T) {
			forEachDB(t, func(t *testing.T, f *fixture) {
				kind := tc.rule.Kind
				rep := f.user("rep", gonghai.RoleRep, "", nil)
				members := []string{rep.ID}
				ret := f.pool("回收公海", gonghai.PoolInput{MemberUserIDs: &members, ReclaimCooldownDays: ptr(3)})
				p := f.pool("线索池", gonghai.PoolInput{MemberUserIDs: &members, ReturnPoolID: &ret.ID,
					Recycle: rulesOf(tc.rule)})
				x := f.ruleCustomer(p.ID, "A")
				y := f.ruleCustomer(p.ID, "A")
				z := f.ruleCustomer(p.ID, "B")
				w := f.ruleCustomer(p.ID, "B") // becomes A on day 1
				for _, id := range []string{x, y, z, w} {
					f.wantNoDeadline(id) // in a pool: nobody's to recycle
					mustClaim(f, rep, id)
				}
				if tc.prepare != nil {
					tc.prepare(f, rep, x, y, z, w)
				}
				f.wantDeadline(x, dayStart(5), kind)
				f.wantDeadline(y, dayStart(5), kind)
				f.wantDeadline(z, dayStart(11), kind)
				f.wantDeadline(w, dayStart(11), kind)

				f.clock.Set(dayAt(1, 10))
				tc.keep(f, rep, y)
				f.wantDeadline(y, dayStart(5), kind)
				// A new category brings its days, still counted from the claim.
				if _, err := f.db.UpdateCustomer(f.ctx, rep, w, gonghai.CustomerPatch{Category: ptr("A")}); err != nil {
					t.Fatal(err)
				}
				f.wantDeadline(w, dayStart(5), kind)

				f.clock.Set(dayAt(2, 10))
				tc.reset(f, rep, y)
				if tc.resetDay < 0 {
					f.wantNoDeadline(y)
				} else {
					f.wantDeadline(y, dayStart(tc.resetDay), kind)
				}
				f.wantDeadline(x, dayStart(5), kind)

				f.clock.Set(dayStart(5).Add(-time.Minute))
				if c := f.customer(x); c.DaysLeft != 1 {
					t.Errorf("a minute before its deadline x has %d days left, want 1", c.DaysLeft)
				}
				if n := sweep(f); n != 0 {
					t.Fatalf("a minute before the deadline the sweep recycled %d customers, want 0", n)
				}
				sweepAt(f, dayStart(5), x, w)
				f.wantRecycled(x, rep, p.ID, ret.ID, kind)
				f.wantRecycled(w, rep, p.ID, ret.ID, kind)
				notes := f.ruleNotes(rep, gonghai.NotifyRecycled)
				var told []string
				for _, n := range notes {
					told = append(told, n.CustomerID)
					if n.Rule != kind || n.Deadline == nil || !n.Deadline.Equal(dayStart(5)) {
						t.Errorf("recycled notification %+v, want rule %s and deadline %s", n, kind, localTime(dayStart(5)))
					}
				}
				sameIDs(t, "customers rep was told were recycled", told, []string{x, w})
				_, err := f.db.Claim(f.ctx, rep, x, "")
				wantCode(t, err, gonghai.EReclaimCooldown)

				if tc.resetDay >= 0 {
					sweepAt(f, dayStart(tc.resetDay).Add(-time.Minute))
					sweepAt(f, dayStart(tc.resetDay), y)
					f.wantRecycled(y, rep, p.ID, ret.ID, kind)
				}
				// The cooldown counts 3 days from the recycle.
				f.clock.Set(dayStart(8).Add(-time.Minute))
				_, err = f.db.Claim(f.ctx, rep, x, "")
				wantCode(t, err, gonghai.EReclaimCooldown)
				f.clock.Set(dayStart(8))
				mustClaim(f, rep, x)
				f.wantNoDeadline(x) // the return pool has no rules
				sweepAt(f, dayStart(11).Add(-time.Minute))
				sweepAt(f, dayStart(11), z) // category B: Days, not the A days
				f.wantRecycled(z, rep, p.ID, ret.ID, kind)
				if tc.resetDay < 0 {
					if c := f.customer(y); c.OwnerID != rep.ID || c.Recycle != nil {
						t.Errorf("y after the activity that ends the rule: owner %q deadline %s, want still %s's with none",
							c.OwnerID, fmtDeadline(c.Recycle), rep.Login)
					}
					sweepAt(f, dayStart(60))
				}
			})
		})
	}
}

// TestRuleProtection: a 10-day protection period from the claim, each
// counting follow-up extending it to 7 days after the follow-up's day when
// that is later, never past 20 days from the claim; days are Shanghai
// calendar days, whatever the UTC date.
func TestRuleProtection(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("保护期公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: rulesOf(gonghai.RecycleRule{
			Kind: gonghai.RuleProtection, Enabled: true, Days: 10, ExtendDays: 7, MaxDays: 20})})
		m := f.claimed(rep, p.ID, "", 1)[0]
		f.wantDeadline(m, dayStart(11), gonghai.RuleProtection)
		// 23:30 and 00:30 Shanghai are the same UTC date (15:30 and 16:30
		// UTC) but different local days.
		f.clock.Set(dayStart(1).Add(-30 * time.Minute))
		late := f.claimed(rep, p.ID, "", 1)[0]
		f.clock.Set(dayStart(1).Add(30 * time.Minute))
		early := f.claimed(rep, p.ID, "", 1)[0]
		f.wantDeadline(late, dayStart(11), gonghai.RuleProtection)
		f.wantDeadline(early, dayStart(12), gonghai.RuleProtection)

		f.clock.Set(dayAt(2, 10))
		f.logFollowUp(rep, m, "call") // day 2 + 7 → due day 10, before the default term
		f.wantDeadline(m, dayStart(11), gonghai.RuleProtection)
		f.clock.Set(dayAt(6, 10))
		f.logFollowUp(rep, m, "wechat") // day 6 + 7 → due day 14
		f.wantDeadline(m, dayStart(14), gonghai.RuleProtection)
		f.clock.Set(dayAt(7, 10))
		f.logFollowUp(rep, m, "note") // does not count
		f.logFollowUpAt(rep, m, "visit", dayAt(3, 15))
		f.wantDeadline(m, dayStart(14), gonghai.RuleProtection)

		sweepAt(f, dayStart(11).Add(-time.Minute))
		sweepAt(f, dayStart(11), late)
		f.wantRecycled(late, rep, p.ID, p.ID, gonghai.RuleProtection)
		sweepAt(f, dayStart(12).Add(-time.Minute))
		sweepAt(f, dayStart(12), early)
		f.wantRecycled(early, rep, p.ID, p.ID, gonghai.RuleProtection)

		f.clock.Set(dayAt(12, 10))
		f.logFollowUp(rep, m, "call") // day 12 + 7 → due day 20
		f.wantDeadline(m, dayStart(20), gonghai.RuleProtection)
		f.clock.Set(dayAt(19, 10))
		f.logFollowUp(rep, m, "call") // day 19 + 7 = day 27, capped at day 0 + 20
		f.wantDeadline(m, dayStart(21), gonghai.RuleProtection)
		f.clock.Set(dayAt(20, 23))
		f.logFollowUp(rep, m, "meeting")
		f.wantDeadline(m, dayStart(21), gonghai.RuleProtection)
		sweepAt(f, dayStart(21).Add(-time.Minute))
		sweepAt(f, dayStart(21), m)
		f.wantRecycled(m, rep, p.ID, p.ID, gonghai.RuleProtection)
	})
}

// TestRuleExemptions: a locked customer, a customer with an open
// opportunity where the pool exempts those, and a won customer under a rule
// that exempts won customers are not recycled by it; a follow-up of a kind
// the pool does not count leaves the deadline where it was, whichever kinds
// the pool counts.
func TestRuleExemptions(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		members := []string{rep.ID}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: &gonghai.RecycleRules{
			Rules: []gonghai.RecycleRule{
				{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5, ExemptWon: true},
				{Kind: gonghai.RuleStageStalled, Enabled: true, Days: 8},
			},
			ExemptOpenOpportunity: true}})
		// Only visits and notes count in q.
		q := f.pool("电销池", gonghai.PoolInput{MemberUserIDs: &members, Recycle: &gonghai.RecycleRules{
			Rules:         []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5}},
			CountingKinds: []string{"visit", "note"}}})
		ids := f.claimed(rep, p.ID, "", 6)
		locked, open, won, noted, called, plain := ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]
		qs := f.claimed(rep, q.ID, "", 4)
		qCalled, qNoted, qVisited, qOpen := qs[0], qs[1], qs[2], qs[3]

		_, err := f.db.SetLocked(f.ctx, rep, locked, true)
		wantCode(t, err, gonghai.EForbidden)
		f.wantDeadline(locked, dayStart(6), gonghai.RuleNoFollowUp)
		if _, err := f.db.SetLocked(f.ctx, f.admin, locked, true); err != nil {
			t.Fatal(err)
		}
		f.wantNoDeadline(locked)
		opp := f.opportunity(rep, open)
		f.wantNoDeadline(open)
		f.order(rep, won, dateOf(0))
		f.wantDeadline(won, dayStart(9), gonghai.RuleStageStalled) // no_follow_up exempts it
		f.opportunity(rep, qOpen)                                  // q does not exempt open opportunities
		f.wantDeadline(qOpen, dayStart(6), gonghai.RuleNoFollowUp)

		f.clock.Set(dayAt(2, 10))
		f.logFollowUp(rep, noted, "note")
		f.wantDeadline(noted, dayStart(6), gonghai.RuleNoFollowUp)
		f.logFollowUp(rep, called, "call")
		f.wantDeadline(called, dayStart(8), gonghai.RuleNoFollowUp)
		f.logFollowUp(rep, qCalled, "call")
		f.wantDeadline(qCalled, dayStart(6), gonghai.RuleNoFollowUp)
		f.logFollowUp(rep, qVisited, "visit")
		f.wantDeadline(qVisited, dayStart(8), gonghai.RuleNoFollowUp)
		f.clock.Set(dayAt(3, 10))
		f.logFollowUp(rep, qNoted, "note")
		f.wantDeadline(qNoted, dayStart(9), gonghai.RuleNoFollowUp)

		sweepAt(f, dayStart(6).Add(-time.Minute))
		sweepAt(f, dayStart(6), noted, plain, qCalled, qOpen)
		f.wantRecycled(noted, rep, p.ID, p.ID, gonghai.RuleNoFollowUp)
		f.wantRecycled(qCalled, rep, q.ID, q.ID, gonghai.RuleNoFollowUp)
		sweepAt(f, dayStart(8), called, qVisited)
		sweepAt(f, dayStart(9), won, qNoted)
		f.wantRecycled(won, rep, p.ID, p.ID, gonghai.RuleStageStalled)
		sweepAt(f, dayStart(40))
		for _, id := range []string{locked, open} {
			if c := f.customer(id); c.OwnerID != rep.ID {
				t.Errorf("exempt customer %s left its owner: owner %q", id, c.OwnerID)
			}
			f.wantNoDeadline(id)
		}

		// What held them was the exemption: lifted, the rules' deadlines
		// (long past) come back and the next sweep takes them.
		if _, err := f.db.CloseOpportunity(f.ctx, rep, opp.ID, gonghai.OpportunityLost); err != nil {
			t.Fatal(err)
		}
		f.wantDeadline(open, dayStart(6), gonghai.RuleNoFollowUp)
		if _, err := f.db.SetLocked(f.ctx, f.admin, locked, false); err != nil {
			t.Fatal(err)
		}
		f.wantDeadline(locked, dayStart(6), gonghai.RuleNoFollowUp)
		sweepAt(f, dayStart(40).Add(time.Minute), open, locked)
		f.wantRecycled(open, rep, p.ID, p.ID, gonghai.RuleNoFollowUp)
	})
}

// TestRuleEdit: a rule edit recomputes the deadline of every customer owned
// from the pool in the same call (and no other customer's): shorter days,
// other counting kinds, a rule added (counting from now), all rules off.
func TestRuleEdit(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", nil)
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		members := []string{a.ID, b.ID}
		noFollowUp := func(days int) gonghai.RecycleRule {
			return gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: days}
		}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: rulesOf(noFollowUp(30))})
		q := f.pool("别的公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: rulesOf(noFollowUp(30))})
		as := f.claimed(a, p.ID, "", 2)
		b1 := f.claimed(b, p.ID, "", 1)[0]
		free := f.ruleCustomer(p.ID, "")
		other := f.claimed(a, q.ID, "", 1)[0]
		f.clock.Set(dayAt(1, 10))
		f.logFollowUp(b, b1, "call")
		f.wantDeadline(b1, dayStart(32), gonghai.RuleNoFollowUp)

		want := func(day int, rule gonghai.RuleKind, ids ...string) {
			t.Helper()
			for _, id := range ids {
				f.wantDeadline(id, dayStart(day), rule)
			}
		}
		f.clock.Set(dayAt(3, 10))
		p = f.setRules(p, rulesOf(noFollowUp(10)))
		if since := p.Recycle.Rules[0].Since; !since.Equal(start) {
			t.Errorf("a rule that stayed on restarted: since %s, want %s", localTime(since), localTime(start))
		}
		want(11, gonghai.RuleNoFollowUp, as...)
		want(12, gonghai.RuleNoFollowUp, b1)
		want(31, gonghai.RuleNoFollowUp, other)
		f.wantNoDeadline(free)

		// Calls stop counting: b1's call no longer holds it.
		p = f.setRules(p, &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{noFollowUp(10)}, CountingKinds: []string{"visit"}})
		want(11, gonghai.RuleNoFollowUp, b1)
		want(11, gonghai.RuleNoFollowUp, as...)
		p = f.setRules(p, rulesOf(noFollowUp(10)))
		want(12, gonghai.RuleNoFollowUp, b1)

		// A rule turned on now counts from now: not_won 5 days from day 3.
		p = f.setRules(p, rulesOf(noFollowUp(10), gonghai.RecycleRule{Kind: gonghai.RuleNotWon, Enabled: true, Days: 5}))
		want(9, gonghai.RuleNotWon, append(as, b1)...)
		want(31, gonghai.RuleNoFollowUp, other)

		// All rules off: no deadlines, and nothing is ever recycled.
		off := rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Days: 10},
			gonghai.RecycleRule{Kind: gonghai.RuleNotWon, Days: 5})
		p = f.setRules(p, off)
		for _, id := range append(as, b1, free) {
			f.wantNoDeadline(id)
		}
		want(31, gonghai.RuleNoFollowUp, other)
		sweepAt(f, dayStart(30))
		sweepAt(f, dayStart(31), other)

		// Back on 40 days later, the rule counts from then.
		f.clock.Set(dayAt(40, 10))
		p = f.setRules(p, rulesOf(noFollowUp(10)))
		want(51, gonghai.RuleNoFollowUp, append(as, b1)...)
		p = f.setRules(p, &gonghai.RecycleRules{})
		for _, id := range append(as, b1) {
			f.wantNoDeadline(id)
		}
		sweepAt(f, dayStart(100))
	})
}

// TestRuleStart: turning a 30-day no-follow-up rule on over customers owned
// for 60 days does not make them due at once: the rule counts from the day
// it started.
func TestRuleStart(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		ids := f.claimed(rep, p.ID, "", 3)
		f.clock.Set(dayAt(50, 10))
		f.logFollowUp(rep, ids[1], "call")
		for _, id := range ids {
			f.wantNoDeadline(id)
		}

		f.clock.Set(dayAt(60, 10))
		rule := gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30}
		preview, err := f.db.RecyclePreview(f.ctx, f.admin, p.ID, rulesOf(rule), 30)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range preview {
			if d.Total != 0 {
				t.Errorf("preview of the rule to turn on expects %d recycled on %s, want none within 30 days", d.Total, d.Date)
			}
		}
		p = f.setRules(p, rulesOf(rule))
		if since := p.Recycle.Rules[0].Since; !since.Equal(dayAt(60, 10)) {
			t.Errorf("rule turned on at %s starts %s", localTime(dayAt(60, 10)), localTime(since))
		}
		for _, id := range ids {
			f.wantDeadline(id, dayStart(91), gonghai.RuleNoFollowUp)
		}
		if n := sweep(f); n != 0 {
			t.Fatalf("the sweep right after the rule was turned on recycled %d customers, want 0", n)
		}
		f.clock.Set(dayAt(70, 10))
		late := f.claimed(rep, p.ID, "", 1)[0]
		f.wantDeadline(late, dayStart(101), gonghai.RuleNoFollowUp)
		f.clock.Set(dayAt(75, 10))
		f.logFollowUp(rep, ids[2], "call")
		f.wantDeadline(ids[2], dayStart(106), gonghai.RuleNoFollowUp)

		sweepAt(f, dayStart(91).Add(-time.Minute))
		sweepAt(f, dayStart(91), ids[0], ids[1])
		f.wantRecycled(ids[0], rep, p.ID, p.ID, gonghai.RuleNoFollowUp)
		f.wantRecycled(ids[1], rep, p.ID, p.ID, gonghai.RuleNoFollowUp)
		sweepAt(f, dayStart(101), late)
		f.wantRecycled(late, rep, p.ID, p.ID, gonghai.RuleNoFollowUp)
		sweepAt(f, dayStart(106), ids[2])
		f.wantRecycled(ids[2], rep, p.ID, p.ID, gonghai.RuleNoFollowUp)
	})
}

// TestHandOverResetsClocks: handing a rep's customers to another rep gives
// each a transferred event and a fresh deadline from the handover, in one
// call; a handover that would put the receiver over their holding limit
// changes nothing at all.
func TestHandOverResetsClocks(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", nil)
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		c := f.user("rep.c", gonghai.RoleRep, "", ptr(2))
		d := f.user("rep.d", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{a.ID, b.ID, c.ID, d.ID},
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10})})
		as := f.claimed(a, p.ID, "", 3)
		b1 := f.claimed(b, p.ID, "", 1)[0]
		c1 := f.claimed(c, p.ID, "", 1)[0]
		ds := f.claimed(d, p.ID, "", 2)
		b2 := f.claimed(b, p.ID, "", 1)[0]
		g := f.ruleCustomer(p.ID, "")
		f.clock.Set(dayAt(2, 10))
		f.logFollowUp(a, as[2], "call")
		f.wantDeadline(as[2], dayStart(13), gonghai.RuleNoFollowUp)

		// One by one, assign and transfer restart the clock too.
		f.clock.Set(dayAt(3, 10))
		f.assign(f.admin, b, g, "分配")
		f.wantDeadline(g, dayStart(14), gonghai.RuleNoFollowUp)
		f.transfer(f.admin, d, b2, "调整")
		f.wantDeadline(b2, dayStart(14), gonghai.RuleNoFollowUp)

		f.clock.Set(dayAt(4, 10))
		res, err := f.db.HandOver(f.ctx, f.admin, a.ID, b.ID, "离职交接", false)
		if n := res.Moved; err != nil || n != 3 || len(res.Left) != 0 {
			t.Fatalf("hand over a's customers: %d, %v; want 3", n, err)
		}
		for _, id := range as {
			f.wantDeadline(id, dayStart(15), gonghai.RuleNoFollowUp)
			f.wantLastEvent(id, gonghai.Event{Kind: gonghai.EventTransferred, FromOwnerID: a.ID, ToOwnerID: b.ID,
				FromPoolID: p.ID, ToPoolID: p.ID, ActorID: f.admin.ID, Reason: "离职交接"})
			f.checkChain(id)
		}
		f.wantDeadline(b1, dayStart(11), gonghai.RuleNoFollowUp)
		sameIDs(t, "a's customers after the handover", f.myIDs(a), nil)

		// c may hold 2 and holds 1: d's two do not fit, so neither moves.
		before := map[string]snapshot{}
		for _, id := range append(ds, c1) {
			before[id] = f.snap(id)
		}
		res, err = f.db.HandOver(f.ctx, f.admin, d.ID, c.ID, "调岗", false)
		wantCode(t, err, gonghai.EHoldingLimit)
		if n := res.Moved; n != 0 {
			t.Errorf("a refused handover reports %d customers moved", n)
		}
		for id, s := range before {
			f.unchanged(id, s)
		}
		sameIDs(t, "c's customers after the refused handover", f.myIDs(c), []string{c1})
		sameIDs(t, "d's customers after the refused handover", f.myIDs(d), append(slices.Clone(ds), b2))

		// An admin may force it: both move, each forced, each with a fresh clock.
		f.clock.Set(dayAt(5, 10))
		if res, err := f.db.HandOver(f.ctx, f.admin, d.ID, c.ID, "调岗", true); err != nil || res.Moved != 3 {
			t.Fatalf("forced handover: %d, %v; want 3", res.Moved, err)
		}
		for _, id := range append(slices.Clone(ds), b2) {
			f.wantDeadline(id, dayStart(16), gonghai.RuleNoFollowUp)
			f.wantLastEvent(id, gonghai.Event{Kind: gonghai.EventTransferred, FromOwnerID: d.ID, ToOwnerID: c.ID,
				FromPoolID: p.ID, ToPoolID: p.ID, ActorID: f.admin.ID, Reason: "调岗", Forced: true})
		}

		sweepAt(f, dayStart(11).Add(-time.Minute))
		sweepAt(f, dayStart(11), b1, c1)
		sweepAt(f, dayStart(14), g)
		sweepAt(f, dayStart(15).Add(-time.Minute))
		sweepAt(f, dayStart(15), as...)
		for _, id := range as {
			f.wantRecycled(id, b, p.ID, p.ID, gonghai.RuleNoFollowUp)
		}
		sweepAt(f, dayStart(16), append(slices.Clone(ds), b2)...)
	})
}

// TestPreviewMatchesSweep: the preview of the next 7 days names, day by
// day, exactly the customers the sweeps of those days recycle, grouped by
// owner; a preview of proposed rules writes nothing.
func TestPreviewMatchesSweep(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.user("rep.a", gonghai.RoleRep, "", nil)
		b := f.user("rep.b", gonghai.RoleRep, "", nil)
		c := f.user("rep.c", gonghai.RoleRep, "", nil)
		members := []string{a.ID, b.ID, c.ID}
		rules := &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{
			{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5, CategoryDays: map[string]int{"A": 3, "C": 8}},
			{Kind: gonghai.RuleNotWon, Enabled: true, Days: 9},
		}}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &members, Recycle: rules})
		q := f.pool("别的公海", gonghai.PoolInput{MemberUserIDs: &members,
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 1})})

		// Day 0: claims. Deadlines: A 3 days, B 5, C 8 without follow-up.
		one := func(u gonghai.User, cat string) string { return f.claimed(u, p.ID, cat, 1)[0] }
		c1, c2, c3, c4 := one(a, "A"), one(b, "B"), one(c, "A"), one(a, "B")
		c5, c6, c12 := one(b, ""), one(c, "A"), one(a, "B")
		locked := one(b, "B")
		if _, err := f.db.SetLocked(f.ctx, f.admin, locked, true); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(dayAt(2, 11))
		c7, c8, c9, c10, c13, c14 := one(a, "B"), one(b, "A"), one(c, "B"), one(a, "B"), one(c, "B"), one(b, "B")
		f.order(b, c14, dateOf(2))
		f.clock.Set(dayAt(5, 10))
		c15 := one(c, "C")
		elsewhere := f.claimed(a, q.ID, "B", 1)[0] // due day 7, but q's
		f.logFollowUpAt(c, c3, "call", dayAt(1, 9))
		f.logFollowUpAt(a, c4, "call", dayAt(1, 18))
		f.logFollowUpAt(b, c5, "visit", dayAt(3, 20))
		f.logFollowUpAt(c, c6, "wechat", dayAt(4, 8))
		f.logFollowUpAt(c, c9, "note", dayAt(4, 8)) // not counted
		f.logFollowUp(a, c10, "call")
		f.logFollowUp(a, c12, "call")
		f.logFollowUp(c, c13, "call")
		f.logFollowUp(b, c14, "call")

		// now is day 5, 10:00: c1 (day 4) is overdue, c3 due since
		// midnight; both belong to today.
		wantDays := map[string][]string{
			dateOf(5):  {c1, c3},
			dateOf(6):  {c2, c8},
			dateOf(7):  {c4},
			dateOf(8):  {c6, c7, c9},
			dateOf(9):  {c5},
			dateOf(10): {c12},           // not_won: 9 days from day 0
			dateOf(11): {c10, c13, c14}, // c14 is won
		}
		owners := map[string]string{c1: a.ID, c2: b.ID, c3: c.ID, c4: a.ID, c5: b.ID, c6: c.ID, c7: a.ID, c8: b.ID,
			c9: c.ID, c10: a.ID, c12: a.ID, c13: c.ID, c14: b.ID}
		f.wantDeadline(c12, dayStart(10), gonghai.RuleNotWon)
		f.wantDeadline(c15, dayStart(14), gonghai.RuleNoFollowUp) // past the window

		_, err := f.db.RecyclePreview(f.ctx, a, p.ID, nil, 7)
		wantCode(t, err, gonghai.EForbidden)
		preview, err := f.db.RecyclePreview(f.ctx, f.admin, p.ID, nil, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(preview) != 7 {
			t.Fatalf("a 7-day preview has %d days", len(preview))
		}
		byDay := map[string][]string{}
		for i, day := range preview {
			if day.Date != dateOf(5+i) {
				t.Errorf("preview day %d is %s, want %s", i, day.Date, dateOf(5+i))
			}
			total := 0
			for _, o := range day.Owners {
				if o.OwnerName == "" {
					t.Errorf("preview %s: owner %s without a name", day.Date, o.OwnerID)
				}
				for _, pc := range o.Customers {
					total++
					byDay[day.Date] = append(byDay[day.Date], pc.ID)
					if owners[pc.ID] != o.OwnerID {
						t.Errorf("preview %s lists %s under owner %s, want %s", day.Date, pc.ID, o.OwnerID, owners[pc.ID])
					}
					stored := f.customer(pc.ID).Recycle
					if stored == nil || !stored.At.Equal(pc.Deadline) || stored.Rule != pc.Rule {
						t.Errorf("preview %s: %s due %s by %s, but the customer carries %s", day.Date, pc.ID,
							localTime(pc.Deadline), pc.Rule, fmtDeadline(stored))
					}
				}
			}
			if total != day.Total {
				t.Errorf("preview %s: total %d, but it lists %d customers", day.Date, day.Total, total)
			}
		}
		for i := range 7 {
			sameIDs(t, "preview of "+dateOf(5+i), byDay[dateOf(5+i)], wantDays[dateOf(5+i)])
		}

		// A preview of other rules reads, and writes nothing.
		all := append([]string{c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c12, c13, c14, c15, locked}, elsewhere)
		before := map[string]gonghai.Customer{}
		for _, id := range all {
			before[id] = f.customer(id)
		}
		proposed := rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 1})
		other, err := f.db.RecyclePreview(f.ctx, f.admin, p.ID, proposed, 7)
		if err != nil {
			t.Fatal(err)
		}
		proposedDays := map[string][]string{}
		for _, day := range other {
			for _, o := range day.Owners {
				for _, pc := range o.Customers {
					proposedDays[day.Date] = append(proposedDays[day.Date], pc.ID)
				}
			}
		}
		sameIDs(t, "proposed preview, today", proposedDays[dateOf(5)], []string{c1, c2, c3, c4, c5, c7, c8, c9})
		sameIDs(t, "proposed preview, day 6", proposedDays[dateOf(6)], []string{c6})
		sameIDs(t, "proposed preview, day 7", proposedDays[dateOf(7)], []string{c10, c12, c13, c14, c15})
		for _, id := range all {
			if diff := cmp.Diff(before[id], f.customer(id)); diff != "" {
				t.Errorf("customer %s changed after a preview (-before +after):\n%s", id, diff)
			}
		}
		if got, err := f.db.Pool(f.ctx, f.admin, p.ID); err != nil || !cmp.Equal(got.Recycle, p.Recycle) {
			t.Errorf("pool rules after a preview: %+v, %v; want %+v", got.Recycle, err, p.Recycle)
		}

		// Each day's sweep takes what the preview said for that day. q's
		// customer is due on day 7 too, but it is not p's.
		for i := range 7 {
			at := f.clock.Now()
			if i > 0 {
				at = dayStart(5 + i).Add(time.Minute)
			}
			want := wantDays[dateOf(5+i)]
			if i == 2 {
				want = append(slices.Clone(want), elsewhere)
			}
			sweepAt(f, at, want...)
		}
		f.wantDeadline(c15, dayStart(14), gonghai.RuleNoFollowUp)
		if c := f.customer(locked); c.OwnerID != b.ID {
			t.Errorf("locked customer recycled: owner %q", c.OwnerID)
		}
	})
}

// TestRemindBeforeDeadline: with WarnDays 3 the owner is reminded once 3
// days before the deadline and once the day before; sweeping again sends
// nothing more; a follow-up that moves the deadline restarts the reminders
// for the new one.
func TestRemindBeforeDeadline(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: &gonghai.RecycleRules{
			Rules:    []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10}},
			WarnDays: 3}})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.wantDeadline(id, dayStart(11), gonghai.RuleNoFollowUp)
		wantReminder := func(at *time.Time) {
			t.Helper()
			got := f.customer(id).Reminder
			if (got == nil) != (at == nil) || (got != nil && !got.Equal(*at)) {
				t.Errorf("next reminder %v, want %v", got, at)
			}
		}
		wantReminder(ptr(dayStart(8)))
		warnings := func(want ...int) {
			t.Helper()
			ns := f.ruleNotes(rep, gonghai.NotifyRecycleWarning)
			var got []int
			for _, n := range ns {
				got = append(got, n.DaysLeft)
				if n.CustomerID != id || n.Rule != gonghai.RuleNoFollowUp || n.Deadline == nil || n.UserID != rep.ID ||
					!strings.Contains(n.Text, fmt.Sprintf("还剩 %d 天", n.DaysLeft)) {
					t.Errorf("warning %+v, want one about %s by no_follow_up", n, id)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("warnings with days left %v, want %v", got, want)
			}
		}
		remind := func(at time.Time, want int) {
			t.Helper()
			f.clock.Set(at)
			if got := len(remindIDs(f)); got != want {
				t.Errorf("reminder sweep at %s sent %d, want %d", localTime(at), got, want)
			}
		}

		remind(dayStart(8).Add(-time.Minute), 0)
		warnings()
		remind(dayStart(8).Add(time.Minute), 1)
		remind(dayStart(8).Add(2*time.Minute), 0)
		remind(dayAt(9, 12), 0)
		warnings(3)
		wantReminder(ptr(dayStart(10)))
		remind(dayStart(10).Add(time.Minute), 1)
		remind(dayStart(10).Add(time.Hour), 0)
		warnings(3, 1)
		wantReminder(nil)
		if n := f.ruleNotes(rep, gonghai.NotifyRecycleWarning); len(n) == 2 && !n[1].Deadline.Equal(dayStart(11)) {
			t.Errorf("the day-before warning names deadline %s, want %s", localTime(*n[1].Deadline), localTime(dayStart(11)))
		}

		// A call moves the deadline: reminders start over for the new one.
		f.clock.Set(dayAt(10, 15))
		f.logFollowUp(rep, id, "call")
		f.wantDeadline(id, dayStart(21), gonghai.RuleNoFollowUp)
		wantReminder(ptr(dayStart(18)))
		remind(dayAt(10, 16), 0)
		remind(dayStart(18).Add(-time.Minute), 0)
		remind(dayStart(18), 1)
		remind(dayStart(18).Add(time.Minute), 0)
		remind(dayStart(20), 1)
		remind(dayAt(20, 23), 0)
		warnings(3, 1, 3, 1)
		sweepAt(f, dayStart(21), id)
		if n := f.ruleNotes(rep, gonghai.NotifyRecycled); len(n) != 1 || n[0].CustomerID != id {
			t.Errorf("recycled notifications %+v, want one about %s", n, id)
		}
		remind(dayStart(30), 0)
		warnings(3, 1, 3, 1)
	})
}

// TestRemindRuleEdit: reminders follow the pool's WarnDays when it is
// edited, like the deadlines do (invariant 4): turned on, owners of
// customers already owned are reminded WarnDays before; turned off (0:
// never), nobody is reminded any more.
func TestRemindRuleEdit(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		rules := func(warn int) *gonghai.RecycleRules {
			return &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10}},
				WarnDays: warn}
		}
		quiet := f.pool("不提醒的公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: rules(0)})
		loud := f.pool("提醒的公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: rules(3)})
		q := f.claimed(rep, quiet.ID, "", 1)[0]
		l := f.claimed(rep, loud.ID, "", 1)[0]
		f.wantDeadline(q, dayStart(11), gonghai.RuleNoFollowUp)
		f.wantDeadline(l, dayStart(11), gonghai.RuleNoFollowUp)
		if c := f.customer(q); c.Reminder != nil {
			t.Errorf("customer of a pool that never reminds has a reminder at %s", localTime(*c.Reminder))
		}

		f.clock.Set(dayAt(1, 10))
		f.setRules(quiet, rules(3))
		f.setRules(loud, rules(0))
		f.wantDeadline(q, dayStart(11), gonghai.RuleNoFollowUp)
		f.wantDeadline(l, dayStart(11), gonghai.RuleNoFollowUp)
		if c := f.customer(q); c.Reminder == nil || !c.Reminder.Equal(dayStart(8)) {
			t.Errorf("after WarnDays 0 -> 3 the next reminder is %v, want %s", c.Reminder, localTime(dayStart(8)))
		}
		if c := f.customer(l); c.Reminder != nil {
			t.Errorf("after WarnDays 3 -> 0 a reminder is still set for %s", localTime(*c.Reminder))
		}
		var got []string
		for _, at := range []time.Time{dayStart(8), dayStart(10)} {
			f.clock.Set(at)
			got = append(got, remindIDs(f)...)
		}
		sameIDs(t, "reminded on days 8 and 10", got, []string{q, q})
	})
}

// TestRuleEditNoCountingKinds: a pool may count no follow-up kind at all
// (an empty list, which Validate accepts): saving it recounts its owned
// customers' last follow-up (to none) and reschedules them.
func TestRuleEditNoCountingKinds(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		rule := gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10}
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: rulesOf(rule)})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.clock.Set(dayAt(2, 10))
		f.logFollowUp(rep, id, "call")
		f.wantDeadline(id, dayStart(13), gonghai.RuleNoFollowUp)
		f.clock.Set(dayAt(3, 10))
		_, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{Recycle: &gonghai.RecycleRules{
			Rules: []gonghai.RecycleRule{rule}, CountingKinds: []string{}}})
		if err != nil {
			t.Fatalf("save rules that count no follow-up kind: %v", err)
		}
		f.wantDeadline(id, dayStart(11), gonghai.RuleNoFollowUp)
		f.logFollowUp(rep, id, "visit")
		f.wantDeadline(id, dayStart(11), gonghai.RuleNoFollowUp)
	})
}

// TestRuleZoneChange: rules count days in the organisation's time zone, so
// moving the organisation to another zone reschedules every owned
// customer in the same save: the deadline moves to midnight there, and the
// reminder with it.
func TestRuleZoneChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		rules := rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10})
		rules.WarnDays = 2
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: rules})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.wantDeadline(id, dayStart(11), gonghai.RuleNoFollowUp)

		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{TimeZone: ptr("Europe/London")}); err != nil {
			t.Fatal(err)
		}
		london, _ := time.LoadLocation("Europe/London")
		// Claimed Monday 2 March 09:00 in Shanghai is 01:00 in London, the
		// same day there: due at London's midnight starting 13 March.
		want := time.Date(2026, 3, 13, 0, 0, 0, 0, london).UTC()
		f.wantDeadline(id, want, gonghai.RuleNoFollowUp)
		if c := f.customer(id); c.Reminder == nil || !c.Reminder.Equal(time.Date(2026, 3, 11, 0, 0, 0, 0, london).UTC()) {
			t.Fatalf("reminder after the zone change = %v, want London midnight starting 11 March", c.Reminder)
		}
	})
}
