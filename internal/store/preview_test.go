package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

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
