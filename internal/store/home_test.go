package store_test

import (
	"testing"

	"github.com/gonghai/gonghai"
)

// TestHome: a rep's 工作台 lists what drops within three days, the most
// urgent first; what was given to them today and is still theirs; their
// plans of today and of days gone by; and their unread notifications.
func TestHome(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		other := f.user("other", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID, other.ID}, Recycle: rulesOf(
			gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 5})})
		// Claimed on day 0, due at the start of day 6; on day 2 four days are
		// left, on day 3 three.
		early := f.claimed(rep, p.ID, "", 2)
		f.clock.Set(dayAt(1, 10))
		late := f.claimed(rep, p.ID, "", 1)[0]
		f.claimed(other, p.ID, "", 1)

		f.clock.Set(dayAt(2, 10))
		h, err := f.db.Home(f.ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Dropping) != 0 || len(h.Received) != 0 || len(h.Planned) != 0 || h.Unread != 0 {
			t.Errorf("home on day 2: %+v, want it empty", h)
		}

		// Yesterday's plan, not met, and today's show; tomorrow's does not.
		f.clock.Set(dayAt(1, 11))
		f.setPlan(rep, early[0], 2, "")
		f.setPlan(rep, early[1], 3, "")
		f.setPlan(rep, late, 4, "")
		f.clock.Set(dayAt(3, 8))
		given := f.ruleCustomer(p.ID, "")
		if _, err := f.db.Assign(f.ctx, f.admin, given, rep.ID, "新线索", false); err != nil {
			t.Fatal(err)
		}
		gone := f.ruleCustomer(p.ID, "")
		if _, err := f.db.Assign(f.ctx, f.admin, gone, rep.ID, "", false); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Transfer(f.ctx, f.admin, gone, other.ID, "", false); err != nil {
			t.Fatal(err)
		}
		if got := planIDs(f); len(got) != 2 {
			t.Errorf("plan reminders on day 3: %v, want 2", got)
		}

		h, err = f.db.Home(f.ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		if got := idsOf(h.Dropping); len(got) != 2 || !(got[0] == early[0] || got[0] == early[1]) || h.DroppingMore {
			t.Errorf("dropping on day 3: %v, want the two claimed on day 0", got)
		}
		for _, c := range h.Dropping {
			if c.Recycle == nil || c.DaysLeft != 3 || c.Recycle.Rule != gonghai.RuleNoFollowUp {
				t.Errorf("dropping %s: %+v, %d days left; want 3 by no_follow_up", c.ID, c.Recycle, c.DaysLeft)
			}
		}
		if len(h.Received) != 1 || h.Received[0].Customer.ID != given || h.Received[0].Kind != gonghai.EventAssigned ||
			h.Received[0].ActorName != "admin" || h.Received[0].Reason != "新线索" {
			t.Errorf("received on day 3: %+v, want %s assigned by admin", h.Received, given)
		}
		if got := idsOf(h.Planned); len(got) != 2 || got[0] != early[0] || got[1] != early[1] {
			t.Errorf("planned on day 3: %v, want %s (yesterday) then %s", got, early[0], early[1])
		}
		if h.Unread != 2 || len(h.Notifications) != 2 || h.Notifications[0].Kind != gonghai.NotifyFollowUpPlan {
			t.Errorf("unread %d, notifications %+v; want the 2 plan reminders", h.Unread, h.Notifications)
		}

		// The next day: the assignment is yesterday's; a follow-up met a plan.
		f.clock.Set(dayAt(4, 9))
		f.logFollowUp(rep, late, "call")
		h, err = f.db.Home(f.ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Received) != 0 || len(h.Planned) != 2 {
			t.Errorf("home on day 4: received %d, planned %v; want none and the two older plans", len(h.Received), idsOf(h.Planned))
		}
	})
}
