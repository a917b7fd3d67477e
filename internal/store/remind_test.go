package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

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
