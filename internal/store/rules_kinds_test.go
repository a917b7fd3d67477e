package store_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

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
