package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// planIDs sends every follow-up plan reminder due now, a page of two at a
// time, and returns the customers whose owners it reminded.
func planIDs(f *fixture) []string {
	f.t.Helper()
	var ids []string
	var after *gonghai.Due
	for {
		due, err := f.db.DuePlans(f.ctx, after, 2)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, d := range due {
			if d.At.After(f.clock.Now()) {
				f.t.Errorf("DuePlans at %s lists %+v, due only at %s", localTime(f.clock.Now()), d, localTime(d.At))
			}
			n, err := f.db.PlanBatch(f.ctx, []gonghai.Due{d})
			if err != nil {
				f.t.Fatal(err)
			}
			if n == 1 {
				ids = append(ids, d.CustomerID)
			}
		}
		if len(due) < 2 {
			return ids
		}
		after = &due[len(due)-1]
	}
}

func (f *fixture) setPlan(u gonghai.User, id string, day int, note string) gonghai.Customer {
	f.t.Helper()
	c, err := f.db.SetPlan(f.ctx, u, id, gonghai.NewFollowUpPlan{Day: dateOf(day), Note: note})
	if err != nil {
		f.t.Fatalf("%s plans %s on day %d: %v", u.Login, id, day, err)
	}
	return c
}

// wantPlan fails unless customer id, as u sees it, has a plan for day
// (-1: none).
func (f *fixture) wantPlan(u gonghai.User, id string, day int) {
	f.t.Helper()
	c, err := f.db.Customer(f.ctx, u, id)
	if err != nil {
		f.t.Fatal(err)
	}
	switch {
	case day < 0 && c.Plan != nil:
		f.t.Errorf("customer %s has plan %+v, want none", id, *c.Plan)
	case day >= 0 && (c.Plan == nil || c.Plan.Day != dateOf(day)):
		f.t.Errorf("customer %s has plan %+v, want one on %s", id, c.Plan, dateOf(day))
	}
}

// TestFollowUpPlan: the owner sets a plan for a day from today on; it
// shows with the customer, its note masked for those who do not see the
// contacts; the owner is reminded once, at the start of its day; who may
// not work the customer may not plan it, and a customer in a pool has no
// plan.
func TestFollowUpPlan(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		d := f.dept("销售部", "")
		rep := f.user("rep", gonghai.RoleRep, d.ID, nil)
		other := f.user("other", gonghai.RoleRep, d.ID, nil)
		boss := f.user("boss", gonghai.RoleManager, d.ID, nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID, other.ID}})
		ids := f.claimed(rep, p.ID, "", 2)
		id, free := ids[0], f.ruleCustomer(p.ID, "")

		c := f.setPlan(rep, id, 3, "带报价单，电话 13812345678")
		if c.Plan == nil || c.Plan.OwnerID != rep.ID || c.Plan.SetBy != rep.ID || c.Plan.RemindAt == nil ||
			!c.Plan.RemindAt.Equal(dayStart(3)) || !strings.Contains(c.Plan.Note, "13812345678") {
			t.Fatalf("plan as set %+v, want day 3 for rep, reminded at %s", c.Plan, localTime(dayStart(3)))
		}
		f.wantPlan(rep, id, 3)
		seen, err := f.db.Customer(f.ctx, boss, id)
		if err != nil || seen.Plan == nil || strings.Contains(seen.Plan.Note, "13812345678") {
			t.Errorf("the manager sees plan %+v (%v), want it with its note masked", seen.Plan, err)
		}
		// The manager may replace it: the owner is still the one reminded.
		c = f.setPlan(boss, id, 4, "")
		if c.Plan.OwnerID != rep.ID || c.Plan.SetBy != boss.ID {
			t.Errorf("plan set by the manager %+v, want rep reminded", c.Plan)
		}
		f.setPlan(rep, id, 3, "带报价单")

		for _, bad := range []struct{ day, note, field string }{
			{dateOf(-1), "", "date"}, {"2026-3-5", "", "date"}, {"明天", "", "date"}, {dateOf(400), "", "date"},
			{dateOf(1), strings.Repeat("长", 501), "note"}, {dateOf(1), "a\x00b", "note"},
		} {
			_, err := f.db.SetPlan(f.ctx, rep, id, gonghai.NewFollowUpPlan{Day: bad.day, Note: bad.note})
			wantCode(t, err, gonghai.EInvalid)
			var e *gonghai.Error
			if errors.As(err, &e) && e.Fields[bad.field] == "" {
				t.Errorf("plan %q: fields %v, want %s named", bad.day, e.Fields, bad.field)
			}
		}
		// Today is fine.
		f.setPlan(rep, ids[1], 0, "")

		// Another rep does not see the customer; a pool admin sees it but
		// does not work it.
		_, err = f.db.SetPlan(f.ctx, other, id, gonghai.NewFollowUpPlan{Day: dateOf(2)})
		wantCode(t, err, gonghai.ENotFound)
		wantCode(t, f.db.ClearPlan(f.ctx, other, id), gonghai.ENotFound)
		if _, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{AdminUserIDs: &[]string{other.ID}}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.SetPlan(f.ctx, other, id, gonghai.NewFollowUpPlan{Day: dateOf(2)})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.SetPlan(f.ctx, f.admin, free, gonghai.NewFollowUpPlan{Day: dateOf(2)})
		wantCode(t, err, gonghai.ENotOwner)
		f.wantPlan(rep, id, 3)

		// The day before: nothing due but today's plan, reminded at once.
		f.clock.Set(dayAt(2, 23))
		if got := planIDs(f); len(got) != 1 || got[0] != ids[1] {
			t.Errorf("reminders on day 2 went for %v, want only today's plan of %s", got, ids[1])
		}
		f.clock.Set(dayStart(3).Add(time.Minute))
		if got := planIDs(f); len(got) != 1 || got[0] != id {
			t.Errorf("reminders on day 3 went for %v, want %s", got, id)
		}
		if got := planIDs(f); len(got) != 0 {
			t.Errorf("a second sweep reminded %v again", got)
		}
		notes := f.ruleNotes(rep, gonghai.NotifyFollowUpPlan)
		if len(notes) != 2 {
			t.Fatalf("rep has %d plan notifications, want 2", len(notes))
		}
		n := notes[1]
		if n.CustomerID != id || n.Deadline == nil || !n.Deadline.Equal(dayStart(3)) ||
			!strings.Contains(n.Text, dateOf(3)) || strings.Contains(n.Text, "报价单") {
			t.Errorf("plan notification %+v, want one naming %s and leaving the note out", n, dateOf(3))
		}
		c = f.customer(id)
		if c.Plan == nil || c.Plan.RemindAt != nil {
			t.Errorf("after its reminder the plan is %+v, want it kept, reminded", c.Plan)
		}

		if err := f.db.ClearPlan(f.ctx, rep, id); err != nil {
			t.Fatal(err)
		}
		f.wantPlan(rep, id, -1)
		if err := f.db.ClearPlan(f.ctx, rep, id); err != nil {
			t.Errorf("clearing no plan: %v", err)
		}
	})
}

// TestFollowUpPlanDone: a follow-up that happens on the plan's day or
// later clears it; one before its day leaves it, and so does one logged
// today, backdated to before the day.
func TestFollowUpPlanDone(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.setPlan(rep, id, 2, "回访")
		f.clock.Set(dayAt(1, 10))
		f.logFollowUp(rep, id, "call")
		f.wantPlan(rep, id, 2)
		f.clock.Set(dayAt(3, 10))
		f.logFollowUpAt(rep, id, "visit", dayAt(1, 15))
		f.wantPlan(rep, id, 2)
		f.logFollowUp(rep, id, "note")
		f.wantPlan(rep, id, -1)
		if got := planIDs(f); len(got) != 0 {
			t.Errorf("a plan done was reminded: %v", got)
		}
	})
}

// TestFollowUpPlanLeavesWithOwner: a plan is its owner's. A customer
// released, recycled or transferred takes no plan to its next owner, and
// its old owner is not reminded.
func TestFollowUpPlanLeavesWithOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		next := f.user("next", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID, next.ID}, Recycle: rulesOf(
			gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 1})})
		ids := f.claimed(rep, p.ID, "", 3)
		for _, id := range ids {
			f.setPlan(rep, id, 5, "")
		}
		if _, err := f.db.Release(f.ctx, rep, ids[0], "客户无意向", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Transfer(f.ctx, f.admin, ids[1], next.ID, "调整", false); err != nil {
			t.Fatal(err)
		}
		f.wantPlan(f.admin, ids[0], -1)
		f.wantPlan(next, ids[1], -1)
		f.wantPlan(rep, ids[2], 5)
		// The third is recycled on day 2 and claimed back by rep: the old
		// plan does not come back with it.
		f.clock.Set(dayAt(2, 9))
		if got := sweepIDs(f); !slices.Contains(got, ids[2]) {
			t.Fatalf("sweep recycled %v, want %s among them", got, ids[2])
		}
		f.clock.Set(dayAt(4, 9))
		mustClaim(f, rep, ids[2])
		f.wantPlan(rep, ids[2], -1)
		f.clock.Set(dayAt(5, 9))
		if got := planIDs(f); len(got) != 0 {
			t.Errorf("plans of customers that left their owner were reminded: %v", got)
		}
		if n := f.ruleNotes(rep, gonghai.NotifyFollowUpPlan); len(n) != 0 {
			t.Errorf("rep got %d plan notifications, want none", len(n))
		}
	})
}

// TestFollowUpPlanZone: a plan's reminder is at the start of its day in
// the organisation's zone, and moves with the zone.
func TestFollowUpPlanZone(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		id := f.claimed(rep, p.ID, "", 1)[0]
		f.setPlan(rep, id, 3, "")
		zone := "Europe/Berlin"
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		berlin, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 3, 5, 0, 0, 0, 0, berlin)
		if c := f.customer(id); c.Plan == nil || c.Plan.RemindAt == nil || !c.Plan.RemindAt.Equal(want) {
			t.Errorf("after the zone moved to Berlin the plan is %+v, want reminded at %s", c.Plan, want)
		}
	})
}
