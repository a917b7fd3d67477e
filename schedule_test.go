package gonghai

import (
	"testing"
	"time"
)

func TestScheduleAndReminders(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	claimed := at(sh, 2026, 3, 2, 15, 0)
	due := at(sh, 2026, 3, 6, 0, 0)
	rules := RecycleRules{Rules: []RecycleRule{{Kind: RuleNotContacted, Enabled: true, Days: 3}}, WarnDays: 2}
	noWarn := rules
	noWarn.WarnDays = 0
	carriedReminder := tp(at(sh, 2026, 3, 5, 0, 0)) // the day-before reminder, after the first was sent
	owned := func(edit func(*Customer)) Customer {
		c := Customer{ID: "c1", OwnerID: "u1", PoolID: "p1", OwnedSince: tp(claimed)}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	cases := []struct {
		name         string
		c            Customer
		rules        RecycleRules
		wantD        *Deadline
		wantReminder *time.Time
		wantChanged  bool
	}{
		{"unowned: nothing", Customer{ID: "c1", PoolID: "p1"}, rules, nil, nil, false},
		{"unowned carrying a deadline: cleared",
			Customer{ID: "c1", PoolID: "p1", OwnedSince: tp(claimed), Recycle: &Deadline{At: due, Rule: RuleNotContacted}, Reminder: carriedReminder},
			rules, nil, nil, true},
		{"unowned carrying only a reminder: cleared",
			Customer{ID: "c1", PoolID: "p1", Reminder: carriedReminder}, rules, nil, nil, true},
		{"new deadline: first reminder", owned(nil), rules,
			&Deadline{At: due, Rule: RuleNotContacted}, tp(at(sh, 2026, 3, 4, 0, 0)), true},
		{"new deadline, warn_days 0: no reminder", owned(nil), noWarn,
			&Deadline{At: due, Rule: RuleNotContacted}, nil, true},
		{"same deadline: keeps its reminder",
			owned(func(c *Customer) {
				c.Recycle = &Deadline{At: due.UTC(), Rule: RuleNotContacted}
				c.Reminder = carriedReminder
			}), rules, &Deadline{At: due, Rule: RuleNotContacted}, carriedReminder, false},
		{"same deadline, reminders all sent: stays without one",
			owned(func(c *Customer) { c.Recycle = &Deadline{At: due, Rule: RuleNotContacted} }),
			rules, &Deadline{At: due, Rule: RuleNotContacted}, nil, false},
		{"moved deadline: reminder restarts",
			owned(func(c *Customer) {
				c.Category = "A"
				c.Recycle = &Deadline{At: due, Rule: RuleNotContacted}
				c.Reminder = carriedReminder
			}),
			RecycleRules{Rules: []RecycleRule{{Kind: RuleNotContacted, Enabled: true, Days: 3, CategoryDays: map[string]int{"A": 10}}}, WarnDays: 2},
			&Deadline{At: at(sh, 2026, 3, 13, 0, 0), Rule: RuleNotContacted}, tp(at(sh, 2026, 3, 11, 0, 0)), true},
		{"contacted: deadline gone",
			owned(func(c *Customer) {
				c.LastFollowUp = tp(at(sh, 2026, 3, 3, 9, 0))
				c.Recycle = &Deadline{At: due, Rule: RuleNotContacted}
				c.Reminder = carriedReminder
			}), rules, nil, nil, true},
		{"locked: deadline gone",
			owned(func(c *Customer) {
				c.Locked = true
				c.Recycle = &Deadline{At: due, Rule: RuleNotContacted}
			}), rules, nil, nil, true},
		{"open opportunity: exempt, nothing carried", owned(func(c *Customer) { c.OpenOpportunities = 1 }),
			RecycleRules{Rules: rules.Rules, ExemptOpenOpportunity: true, WarnDays: 2}, nil, nil, false},
		{"won reads through Facts",
			owned(func(c *Customer) { c.Won = true; c.LastOrder = tp(at(sh, 2026, 3, 10, 9, 0)) }),
			RecycleRules{Rules: []RecycleRule{{Kind: RuleNoRepurchase, Enabled: true, Days: 10}}, WarnDays: 1},
			&Deadline{At: at(sh, 2026, 3, 21, 0, 0), Rule: RuleNoRepurchase}, tp(at(sh, 2026, 3, 20, 0, 0)), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, reminder, changed := Schedule(c.c, c.rules, sh)
			if !sameDeadline(d, c.wantD) {
				t.Errorf("deadline = %s, want %s", fmtDeadline(d, sh), fmtDeadline(c.wantD, sh))
			}
			if !sameTime(reminder, c.wantReminder) {
				t.Errorf("reminder = %s, want %s", fmtTime(reminder, sh), fmtTime(c.wantReminder, sh))
			}
			if changed != c.wantChanged {
				t.Errorf("changed = %v, want %v", changed, c.wantChanged)
			}
		})
	}
}

func TestFirstAndNextReminder(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	d := at(sh, 2026, 3, 6, 0, 0)
	first := []struct {
		warn int
		want *time.Time
	}{
		{-1, nil},
		{0, nil},
		{1, tp(at(sh, 2026, 3, 5, 0, 0))},
		{3, tp(at(sh, 2026, 3, 3, 0, 0))},
		{7, tp(at(sh, 2026, 2, 27, 0, 0))},
		{365, tp(at(sh, 2025, 3, 6, 0, 0))},
	}
	for _, c := range first {
		if got := FirstReminder(d, c.warn, sh); !sameTime(got, c.want) {
			t.Errorf("FirstReminder(%s, %d) = %s, want %s", fmtTime(&d, sh), c.warn, fmtTime(got, sh), fmtTime(c.want, sh))
		}
	}
	dayBefore := tp(at(sh, 2026, 3, 5, 0, 0))
	next := []struct {
		now  time.Time
		want *time.Time
	}{
		{at(sh, 2026, 3, 3, 0, 0), dayBefore},
		{at(sh, 2026, 3, 4, 23, 59), dayBefore},
		{dayBefore.Add(-time.Nanosecond), dayBefore},
		{*dayBefore, nil},
		{at(sh, 2026, 3, 5, 8, 0), nil},
		{d, nil},
		{at(sh, 2026, 3, 9, 8, 0), nil},
	}
	for _, c := range next {
		if got := NextReminder(d, c.now, sh); !sameTime(got, c.want) {
			t.Errorf("NextReminder(%s, now %s) = %s, want %s", fmtTime(&d, sh), fmtTime(&c.now, sh), fmtTime(got, sh), fmtTime(c.want, sh))
		}
	}
}

func TestDaysLeft(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	d := at(sh, 2026, 3, 6, 0, 0)
	cases := []struct {
		now  time.Time
		want int
	}{
		{d.Add(48 * time.Hour), 0},
		{d.Add(time.Nanosecond), 0},
		{d, 0},
		{d.Add(-time.Nanosecond), 1},
		{at(sh, 2026, 3, 5, 12, 0), 1},
		{at(sh, 2026, 3, 5, 0, 0), 1},
		{at(sh, 2026, 3, 4, 23, 59), 2},
		{at(sh, 2026, 3, 4, 0, 0), 2},
		{at(sh, 2026, 3, 3, 23, 59), 3},
		{at(sh, 2026, 3, 2, 15, 0), 4},
	}
	for _, c := range cases {
		if got := DaysLeft(c.now, d, sh); got != c.want {
			t.Errorf("DaysLeft(now %s, %s) = %d, want %d", fmtTime(&c.now, sh), fmtTime(&d, sh), got, c.want)
		}
	}
}

// TestCalendarDaysAcrossDST: in a zone with daylight saving, days are
// calendar days, not 24-hour spans.
func TestCalendarDaysAcrossDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	rule := func(days int) RecycleRules {
		return RecycleRules{Rules: []RecycleRule{{Kind: RuleNotContacted, Enabled: true, Days: days}}, WarnDays: 2}
	}
	t.Run("deadline", func(t *testing.T) {
		cases := []struct {
			name    string
			claimed time.Time
			days    int
			want    time.Time
		}{
			// 2026-03-08 is 23 hours long in New York.
			{"spring forward", at(ny, 2026, 3, 6, 15, 0), 3, time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)},
			{"spring forward, claimed on the short day", at(ny, 2026, 3, 8, 23, 30), 1, time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC)},
			// 2026-11-01 is 25 hours long.
			{"fall back", at(ny, 2026, 10, 30, 15, 0), 3, time.Date(2026, 11, 3, 5, 0, 0, 0, time.UTC)},
			{"fall back, claimed in the repeated hour", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), 1,
				time.Date(2026, 11, 3, 5, 0, 0, 0, time.UTC)},
		}
		for _, c := range cases {
			got := rule(c.days).Deadline(RuleFacts{OwnedSince: c.claimed}, ny)
			want := &Deadline{At: c.want, Rule: RuleNotContacted}
			if !sameDeadline(got, want) {
				t.Errorf("%s: Deadline = %s, want %s", c.name, fmtDeadline(got, ny), fmtDeadline(want, ny))
			}
		}
	})
	t.Run("reminders", func(t *testing.T) {
		d := time.Date(2026, 3, 10, 4, 0, 0, 0, time.UTC) // 2026-03-10 00:00 EDT
		if got, want := FirstReminder(d, 2, ny), tp(at(ny, 2026, 3, 8, 0, 0)); !sameTime(got, want) {
			t.Errorf("FirstReminder = %s, want %s", fmtTime(got, ny), fmtTime(want, ny))
		}
		if got, want := NextReminder(d, at(ny, 2026, 3, 8, 0, 0), ny), tp(at(ny, 2026, 3, 9, 0, 0)); !sameTime(got, want) {
			t.Errorf("NextReminder = %s, want %s", fmtTime(got, ny), fmtTime(want, ny))
		}
	})
	t.Run("days left", func(t *testing.T) {
		spring := at(ny, 2026, 3, 9, 0, 0) // the last day, the 8th, is 23 hours long
		fall := at(ny, 2026, 11, 2, 0, 0)  // the last day, the 1st, is 25 hours long
		cases := []struct {
			name string
			now  time.Time
			d    time.Time
			want int
		}{
			{"spring: start of the last day", at(ny, 2026, 3, 8, 0, 0), spring, 1},
			{"spring: noon of the last day", at(ny, 2026, 3, 8, 12, 0), spring, 1},
			{"spring: late on the day before the last", at(ny, 2026, 3, 7, 23, 30), spring, 2},
			{"spring: start of the day before the last", at(ny, 2026, 3, 7, 0, 0), spring, 2},
			{"fall: early on the last day", at(ny, 2026, 11, 1, 0, 30), fall, 1},
			{"fall: noon of the last day", at(ny, 2026, 11, 1, 12, 0), fall, 1},
			{"fall: noon of the day before the last", at(ny, 2026, 10, 31, 12, 0), fall, 2},
		}
		for _, c := range cases {
			if got := DaysLeft(c.now, c.d, ny); got != c.want {
				t.Errorf("%s: DaysLeft(now %s, %s) = %d, want %d", c.name, fmtTime(&c.now, ny), fmtTime(&c.d, ny), got, c.want)
			}
		}
	})
}
