package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

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
