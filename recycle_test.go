package gonghai

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Table-driven tests of the recycle-rule arithmetic: deadlines per rule kind,
// rule starts, schedules and reminders, days left, validation, stage
// advances, money and follow-ups.

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// at is a wall-clock time in loc.
func at(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

func tp(t time.Time) *time.Time { return &t }

func fmtTime(t *time.Time, loc *time.Location) string {
	if t == nil {
		return "<nil>"
	}
	return t.In(loc).Format("2006-01-02 15:04:05.999999999 MST")
}

func fmtDeadline(d *Deadline, loc *time.Location) string {
	if d == nil {
		return "<nil>"
	}
	return fmtTime(&d.At, loc) + " by " + string(d.Rule)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func sameDeadline(a, b *Deadline) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.At.Equal(b.At) && a.Rule == b.Rule
}

// TestDeadlinePerRule checks each rule kind on its own, in Asia/Shanghai.
func TestDeadlinePerRule(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	claimed := at(sh, 2026, 3, 2, 15, 0) // a Monday afternoon
	day := func(m time.Month, d int) *time.Time { return tp(at(sh, 2026, m, d, 0, 0)) }

	noFollowUp := RecycleRule{Kind: RuleNoFollowUp, Enabled: true, Days: 7}
	notContacted := RecycleRule{Kind: RuleNotContacted, Enabled: true, Days: 3}
	notWon := RecycleRule{Kind: RuleNotWon, Enabled: true, Days: 30}
	stalled := RecycleRule{Kind: RuleStageStalled, Enabled: true, Days: 10}
	repurchase := RecycleRule{Kind: RuleNoRepurchase, Enabled: true, Days: 90}
	noOpp := RecycleRule{Kind: RuleNoOpportunity, Enabled: true, Days: 14}
	protection := RecycleRule{Kind: RuleProtection, Enabled: true, Days: 15, ExtendDays: 7, MaxDays: 30}

	with := func(r RecycleRule, edit func(*RecycleRule)) RecycleRule {
		edit(&r)
		return r
	}

	cases := []struct {
		name  string
		rule  RecycleRule
		facts RuleFacts
		want  *time.Time // nil: no deadline
	}{
		// not_contacted
		{"not_contacted/brief example", notContacted, RuleFacts{OwnedSince: claimed}, day(3, 6)},
		{"not_contacted/claimed at midnight", notContacted, RuleFacts{OwnedSince: at(sh, 2026, 3, 2, 0, 0)}, day(3, 6)},
		{"not_contacted/claimed a second before midnight", notContacted,
			RuleFacts{OwnedSince: time.Date(2026, 3, 2, 23, 59, 59, 999999999, sh)}, day(3, 6)},
		{"not_contacted/claimed given in UTC", notContacted,
			RuleFacts{OwnedSince: time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC)}, day(3, 6)}, // 00:30 on the 2nd in Shanghai
		{"not_contacted/follow-up at the claim instant", notContacted,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(claimed)}, nil},
		{"not_contacted/follow-up after the claim", notContacted,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 5, 23, 0))}, nil},
		{"not_contacted/previous owner's follow-up does not count", notContacted,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(claimed.Add(-time.Nanosecond))}, day(3, 6)},

		// no_follow_up
		{"no_follow_up/never followed up", noFollowUp, RuleFacts{OwnedSince: claimed}, day(3, 10)},
		{"no_follow_up/from the last follow-up", noFollowUp,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 5, 10, 0))}, day(3, 13)},
		{"no_follow_up/late-evening follow-up counts its own day", noFollowUp,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 5, 23, 59))}, day(3, 13)},
		{"no_follow_up/older follow-up than gaining", noFollowUp,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 2, 20, 10, 0))}, day(3, 10)},
		{"no_follow_up/rule started after the follow-up", with(noFollowUp, func(r *RecycleRule) { r.Since = at(sh, 2026, 3, 4, 9, 0) }),
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 3, 10, 0))}, day(3, 12)},
		{"no_follow_up/follow-up after the rule start", with(noFollowUp, func(r *RecycleRule) { r.Since = at(sh, 2026, 3, 4, 9, 0) }),
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 5, 10, 0))}, day(3, 13)},
		{"no_follow_up/rule started before gaining", with(noFollowUp, func(r *RecycleRule) { r.Since = at(sh, 2025, 1, 1, 0, 0) }),
			RuleFacts{OwnedSince: claimed}, day(3, 10)},

		// not_won
		{"not_won/not won", notWon, RuleFacts{OwnedSince: claimed}, day(4, 2)},
		{"not_won/won", notWon, RuleFacts{OwnedSince: claimed, Won: true}, nil},
		{"not_won/follow-ups do not help", notWon,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 20, 10, 0))}, day(4, 2)},

		// stage_stalled
		{"stage_stalled/no stage change", stalled, RuleFacts{OwnedSince: claimed}, day(3, 13)},
		{"stage_stalled/from the last advance", stalled,
			RuleFacts{OwnedSince: claimed, LastStageChange: tp(at(sh, 2026, 3, 8, 18, 0))}, day(3, 19)},
		{"stage_stalled/advance before gaining", stalled,
			RuleFacts{OwnedSince: claimed, LastStageChange: tp(at(sh, 2026, 2, 1, 18, 0))}, day(3, 13)},

		// no_repurchase
		{"no_repurchase/not won: does not apply", repurchase, RuleFacts{OwnedSince: claimed}, nil},
		{"no_repurchase/not won with an order: does not apply", repurchase,
			RuleFacts{OwnedSince: claimed, LastOrder: tp(at(sh, 2026, 3, 3, 10, 0))}, nil},
		{"no_repurchase/won, no order since gaining", repurchase,
			RuleFacts{OwnedSince: claimed, Won: true, LastOrder: tp(at(sh, 2025, 6, 1, 10, 0))}, day(6, 1)},
		{"no_repurchase/won, from the last order", repurchase,
			RuleFacts{OwnedSince: claimed, Won: true, LastOrder: tp(at(sh, 2026, 4, 10, 10, 0))}, day(7, 10)},

		// no_opportunity
		{"no_opportunity/none", noOpp, RuleFacts{OwnedSince: claimed}, day(3, 17)},
		{"no_opportunity/from the last opportunity", noOpp,
			RuleFacts{OwnedSince: claimed, LastOpportunity: tp(at(sh, 2026, 3, 10, 9, 0))}, day(3, 25)},
		{"no_opportunity/opportunity before gaining", noOpp,
			RuleFacts{OwnedSince: claimed, LastOpportunity: tp(at(sh, 2026, 1, 10, 9, 0))}, day(3, 17)},

		// protection
		{"protection/term only", protection, RuleFacts{OwnedSince: claimed}, day(3, 18)},
		{"protection/follow-up extends", protection,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 15, 20, 0))}, day(3, 23)},
		{"protection/early follow-up does not shorten", protection,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 5, 10, 0))}, day(3, 18)},
		{"protection/extension capped by max_days", protection,
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 28, 10, 0))}, day(4, 2)},
		{"protection/max_days 0 means no maximum", with(protection, func(r *RecycleRule) { r.MaxDays = 0 }),
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 28, 10, 0))}, day(4, 5)},
		{"protection/max_days equal to days", with(protection, func(r *RecycleRule) { r.MaxDays = 15 }),
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 15, 20, 0))}, day(3, 18)},
		{"protection/previous owner's follow-up does not extend",
			with(protection, func(r *RecycleRule) { r.Days, r.ExtendDays, r.MaxDays = 3, 10, 0 }),
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 1, 10, 0))}, day(3, 6)},
		{"protection/term counts from the rule start", with(protection, func(r *RecycleRule) { r.Since = at(sh, 2026, 3, 10, 9, 0) }),
			RuleFacts{OwnedSince: claimed}, day(3, 26)},

		// category days
		{"category_days/override for the category",
			with(notContacted, func(r *RecycleRule) { r.CategoryDays = map[string]int{"A": 10} }),
			RuleFacts{OwnedSince: claimed, Category: "A"}, day(3, 13)},
		{"category_days/other category keeps days",
			with(notContacted, func(r *RecycleRule) { r.CategoryDays = map[string]int{"A": 10} }),
			RuleFacts{OwnedSince: claimed, Category: "B"}, day(3, 6)},
		{"category_days/uncategorised keeps days",
			with(notContacted, func(r *RecycleRule) { r.CategoryDays = map[string]int{"A": 10} }),
			RuleFacts{OwnedSince: claimed}, day(3, 6)},
		{"category_days/shorter override",
			with(noFollowUp, func(r *RecycleRule) { r.CategoryDays = map[string]int{"C": 1} }),
			RuleFacts{OwnedSince: claimed, Category: "C"}, day(3, 4)},
		{"category_days/protection term",
			with(protection, func(r *RecycleRule) { r.CategoryDays = map[string]int{"B": 20} }),
			RuleFacts{OwnedSince: claimed, Category: "B"}, day(3, 23)},

		// exempt won
		{"exempt_won/won is exempt", with(noFollowUp, func(r *RecycleRule) { r.ExemptWon = true }),
			RuleFacts{OwnedSince: claimed, Won: true}, nil},
		{"exempt_won/not won still due", with(noFollowUp, func(r *RecycleRule) { r.ExemptWon = true }),
			RuleFacts{OwnedSince: claimed}, day(3, 10)},
		{"exempt_won/without the flag won is due", noFollowUp,
			RuleFacts{OwnedSince: claimed, Won: true}, day(3, 10)},
		{"exempt_won/protection", with(protection, func(r *RecycleRule) { r.ExemptWon = true }),
			RuleFacts{OwnedSince: claimed, Won: true}, nil},

		// disabled
		{"disabled rule is ignored", with(notContacted, func(r *RecycleRule) { r.Enabled = false }),
			RuleFacts{OwnedSince: claimed}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := RecycleRules{Rules: []RecycleRule{c.rule}}
			got := rs.Deadline(c.facts, sh)
			var want *Deadline
			if c.want != nil {
				want = &Deadline{At: *c.want, Rule: c.rule.Kind}
			}
			if !sameDeadline(got, want) {
				t.Errorf("Deadline = %s, want %s", fmtDeadline(got, sh), fmtDeadline(want, sh))
			}
			if got != nil {
				if l := got.At.In(sh); l.Hour() != 0 || l.Minute() != 0 || l.Second() != 0 || l.Nanosecond() != 0 {
					t.Errorf("deadline %s is not a local midnight", fmtTime(&got.At, sh))
				}
			}
		})
	}
}

// TestDeadlineCombined checks the exemptions over all rules and that the
// earliest deadline wins.
func TestDeadlineCombined(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	claimed := at(sh, 2026, 3, 2, 15, 0)
	day := func(m time.Month, d int) time.Time { return at(sh, 2026, m, d, 0, 0) }
	all := []RecycleRule{
		{Kind: RuleNoFollowUp, Enabled: true, Days: 7},
		{Kind: RuleNotContacted, Enabled: true, Days: 3},
		{Kind: RuleNotWon, Enabled: true, Days: 30},
	}
	disabledFirst := []RecycleRule{
		{Kind: RuleNotContacted, Enabled: false, Days: 1},
		{Kind: RuleNoFollowUp, Enabled: true, Days: 7},
	}
	cases := []struct {
		name  string
		rules RecycleRules
		facts RuleFacts
		want  *Deadline
	}{
		{"no rules", RecycleRules{}, RuleFacts{OwnedSince: claimed}, nil},
		{"earliest wins and names its rule", RecycleRules{Rules: all}, RuleFacts{OwnedSince: claimed},
			&Deadline{At: day(3, 6), Rule: RuleNotContacted}},
		{"earliest wins whatever the order",
			RecycleRules{Rules: []RecycleRule{all[2], all[0], all[1]}}, RuleFacts{OwnedSince: claimed},
			&Deadline{At: day(3, 6), Rule: RuleNotContacted}},
		{"after contact the next rule wins", RecycleRules{Rules: all},
			RuleFacts{OwnedSince: claimed, LastFollowUp: tp(at(sh, 2026, 3, 3, 10, 0))},
			&Deadline{At: day(3, 11), Rule: RuleNoFollowUp}},
		{"won: not_won drops out", RecycleRules{Rules: []RecycleRule{all[2], {Kind: RuleNoOpportunity, Enabled: true, Days: 60}}},
			RuleFacts{OwnedSince: claimed, Won: true},
			&Deadline{At: day(5, 2), Rule: RuleNoOpportunity}},
		{"disabled rule ignored though earlier", RecycleRules{Rules: disabledFirst}, RuleFacts{OwnedSince: claimed},
			&Deadline{At: day(3, 10), Rule: RuleNoFollowUp}},
		{"all disabled", RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Days: 7}}}, RuleFacts{OwnedSince: claimed}, nil},
		{"locked exempts from all", RecycleRules{Rules: all}, RuleFacts{OwnedSince: claimed, Locked: true}, nil},
		{"open opportunity exempts from all", RecycleRules{Rules: all, ExemptOpenOpportunity: true},
			RuleFacts{OwnedSince: claimed, OpenOpportunities: 1}, nil},
		{"no open opportunity: not exempt", RecycleRules{Rules: all, ExemptOpenOpportunity: true},
			RuleFacts{OwnedSince: claimed},
			&Deadline{At: day(3, 6), Rule: RuleNotContacted}},
		{"open opportunity without the option: not exempt", RecycleRules{Rules: all},
			RuleFacts{OwnedSince: claimed, OpenOpportunities: 2},
			&Deadline{At: day(3, 6), Rule: RuleNotContacted}},
		{"exempt_won on one rule leaves the others", RecycleRules{Rules: []RecycleRule{
			{Kind: RuleNotContacted, Enabled: true, Days: 3, ExemptWon: true},
			{Kind: RuleNoFollowUp, Enabled: true, Days: 7}}},
			RuleFacts{OwnedSince: claimed, Won: true},
			&Deadline{At: day(3, 10), Rule: RuleNoFollowUp}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.rules.Deadline(c.facts, sh); !sameDeadline(got, c.want) {
				t.Errorf("Deadline = %s, want %s", fmtDeadline(got, sh), fmtDeadline(c.want, sh))
			}
		})
	}
}

// TestRuleSwitchedOnNeverDumps: a rule switched on now, for customers whose
// clocks ran long before, counts from now.
func TestRuleSwitchedOnNeverDumps(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	now := at(sh, 2026, 3, 2, 15, 0)
	owned := at(sh, 2025, 1, 10, 9, 0)
	old := tp(at(sh, 2025, 2, 1, 9, 0))
	for _, k := range RuleKinds {
		t.Run(string(k), func(t *testing.T) {
			r := RecycleRule{Kind: k, Enabled: true, Days: 5}
			if k == RuleProtection {
				r.ExtendDays = 3
			}
			rs := RecycleRules{Rules: []RecycleRule{r}}.Started(RecycleRules{}, now)
			if err := rs.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			f := RuleFacts{OwnedSince: owned, LastStageChange: old, LastOrder: old, LastOpportunity: old,
				Won: k == RuleNoRepurchase}
			if k == RuleNoFollowUp {
				f.LastFollowUp = old
			}
			got := rs.Deadline(f, sh)
			want := &Deadline{At: at(sh, 2026, 3, 8, 0, 0), Rule: k}
			if !sameDeadline(got, want) {
				t.Errorf("Deadline = %s, want %s (counted from the rule start %s)",
					fmtDeadline(got, sh), fmtDeadline(want, sh), fmtTime(&now, sh))
			}
			if got != nil && !got.At.After(now) {
				t.Errorf("switching %s on makes the customer due at once (%s)", k, fmtDeadline(got, sh))
			}
		})
	}
}

func TestStarted(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	now := at(sh, 2026, 3, 2, 15, 0)
	t0 := at(sh, 2025, 5, 1, 9, 0)
	t1 := at(sh, 2025, 6, 1, 9, 0)
	given := at(sh, 2026, 1, 1, 0, 0)
	old := RecycleRules{Rules: []RecycleRule{
		{Kind: RuleNoFollowUp, Enabled: true, Days: 7, Since: t0},
		{Kind: RuleNotContacted, Enabled: false, Days: 3, Since: t1},
		{Kind: RuleStageStalled, Enabled: true, Days: 10, Since: t0},
		{Kind: RuleNoOpportunity, Enabled: true, Days: 10, Since: t1},
	}}
	edited := RecycleRules{
		Rules: []RecycleRule{
			{Kind: RuleNoFollowUp, Enabled: true, Days: 14},                             // stays on
			{Kind: RuleNotContacted, Enabled: true, Days: 3},                            // was off, turned on
			{Kind: RuleNotWon, Enabled: true, Days: 30},                                 // new
			{Kind: RuleStageStalled, Enabled: true, Days: 10, Since: given},             // explicit start
			{Kind: RuleProtection, Enabled: true, Days: 5, ExtendDays: 2, Since: given}, // new, explicit start in the past: clamped to now
		},
		CountingKinds:         []string{"call"},
		ExemptOpenOpportunity: true,
		WarnDays:              2,
	}
	got := edited.Started(old, now)
	want := map[RuleKind]time.Time{
		RuleNoFollowUp:   t0,
		RuleNotContacted: now,
		RuleNotWon:       now,
		RuleStageStalled: given,
		RuleProtection:   now,
	}
	if len(got.Rules) != len(edited.Rules) {
		t.Fatalf("Started returned %d rules, want %d", len(got.Rules), len(edited.Rules))
	}
	for i, r := range got.Rules {
		if r.Kind != edited.Rules[i].Kind || r.Days != edited.Rules[i].Days || r.Enabled != edited.Rules[i].Enabled {
			t.Errorf("rule %d = %+v, want the edited %+v apart from Since", i, r, edited.Rules[i])
		}
		if w := want[r.Kind]; !r.Since.Equal(w) {
			t.Errorf("%s.Since = %s, want %s", r.Kind, fmtTime(&r.Since, sh), fmtTime(&w, sh))
		}
	}
	if got.WarnDays != 2 || !got.ExemptOpenOpportunity || len(got.CountingKinds) != 1 {
		t.Errorf("Started lost the shared options: %+v", got)
	}
	for i, r := range edited.Rules {
		if r.Kind != RuleStageStalled && r.Kind != RuleProtection && !r.Since.IsZero() {
			t.Errorf("Started changed its receiver: rule %d Since = %v", i, r.Since)
		}
	}

	// A later start given for a rule turned on is kept; a start moved
	// earlier on a rule that stays on is not.
	later := at(sh, 2026, 4, 1, 0, 0)
	if got := (RecycleRules{Rules: []RecycleRule{{Kind: RuleNotWon, Enabled: true, Days: 30, Since: later}}}).Started(RecycleRules{}, now); !got.Rules[0].Since.Equal(later) {
		t.Errorf("a later start given on turning a rule on = %s, want %s", fmtTime(&got.Rules[0].Since, sh), fmtTime(&later, sh))
	}
	if got := (RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Enabled: true, Days: 7, Since: t0.AddDate(0, -1, 0)}}}).Started(old, now); !got.Rules[0].Since.Equal(t0) {
		t.Errorf("a start moved earlier on a rule that stays on = %s, want it kept at %s", fmtTime(&got.Rules[0].Since, sh), fmtTime(&t0, sh))
	}

	// A rule that was switched off and is switched on again restarts now.
	off := RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Enabled: false, Days: 7}}}.Started(
		RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Enabled: true, Days: 7, Since: t0}}}, t1)
	on := RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Enabled: true, Days: 7}}}.Started(off, now)
	if s := on.Rules[0].Since; !s.Equal(now) {
		t.Errorf("re-enabled rule Since = %s, want now %s", fmtTime(&s, sh), fmtTime(&now, sh))
	}
}

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

func TestRecycleRulesValidate(t *testing.T) {
	one := func(r RecycleRule) RecycleRules { return RecycleRules{Rules: []RecycleRule{r}} }
	valid := []struct {
		name string
		rs   RecycleRules
	}{
		{"empty", RecycleRules{}},
		{"every kind", RecycleRules{Rules: []RecycleRule{
			{Kind: RuleNoFollowUp, Enabled: true, Days: 7, CategoryDays: map[string]int{"A": 14, "B": 7, "C": 3}, ExemptWon: true},
			{Kind: RuleNotContacted, Enabled: true, Days: 3},
			{Kind: RuleNotWon, Days: 30},
			{Kind: RuleStageStalled, Days: 10},
			{Kind: RuleNoRepurchase, Days: 90},
			{Kind: RuleNoOpportunity, Days: 14},
			{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 30},
		}, CountingKinds: []string{"call", "visit", "note"}, WarnDays: 3}},
		{"days 1", one(RecycleRule{Kind: RuleNoFollowUp, Days: 1})},
		{"days 10000", one(RecycleRule{Kind: RuleNoFollowUp, Days: 10000})},
		{"protection max 0", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7})},
		{"protection max = days", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 15})},
		{"protection max 10000", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 10000, MaxDays: 10000})},
		{"warn 365", RecycleRules{WarnDays: 365}},
	}
	for _, c := range valid {
		if err := c.rs.Validate(); err != nil {
			t.Errorf("%s: Validate = %v, want nil", c.name, err)
		}
	}

	invalid := []struct {
		name   string
		rs     RecycleRules
		fields []string // the error must name one of these
	}{
		{"start past the year 2200", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, Since: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}),
			[]string{"recycle.rules[0].since"}},
		{"unknown kind", one(RecycleRule{Kind: "no_such_rule", Days: 7}), []string{"recycle.rules[0].kind"}},
		{"empty kind", one(RecycleRule{Days: 7}), []string{"recycle.rules[0].kind"}},
		{"duplicate kind", RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Days: 7}, {Kind: RuleNoFollowUp, Days: 8}}},
			[]string{"recycle.rules[1].kind"}},
		{"days 0", one(RecycleRule{Kind: RuleNoFollowUp}), []string{"recycle.rules[0].days"}},
		{"days -1", one(RecycleRule{Kind: RuleNoFollowUp, Days: -1}), []string{"recycle.rules[0].days"}},
		{"days 10001", one(RecycleRule{Kind: RuleNoFollowUp, Days: 10001}), []string{"recycle.rules[0].days"}},
		{"category key D", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"D": 5}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category key lower case", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"a": 5}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category key empty", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"": 5}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category days 0", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"A": 0}}),
			[]string{"recycle.rules[0].category_days"}},
		{"category days 10001", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, CategoryDays: map[string]int{"A": 10001}}),
			[]string{"recycle.rules[0].category_days"}},
		{"protection without extend_days", one(RecycleRule{Kind: RuleProtection, Days: 15}),
			[]string{"recycle.rules[0].extend_days"}},
		{"protection extend_days 10001", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 10001}),
			[]string{"recycle.rules[0].extend_days"}},
		{"protection max_days < days", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 14}),
			[]string{"recycle.rules[0].max_days"}},
		{"protection max_days 10001", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: 10001}),
			[]string{"recycle.rules[0].max_days"}},
		{"protection max_days negative", one(RecycleRule{Kind: RuleProtection, Days: 15, ExtendDays: 7, MaxDays: -1}),
			[]string{"recycle.rules[0].max_days"}},
		{"extend_days on non-protection", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, ExtendDays: 3}),
			[]string{"recycle.rules[0].extend_days"}},
		{"max_days on non-protection", one(RecycleRule{Kind: RuleNoFollowUp, Days: 7, MaxDays: 30}),
			[]string{"recycle.rules[0].max_days", "recycle.rules[0].extend_days"}},
		{"unknown counting kind", RecycleRules{CountingKinds: []string{"call", "sms"}}, []string{"recycle.counting_kinds"}},
		{"warn_days -1", RecycleRules{WarnDays: -1}, []string{"recycle.warn_days"}},
		{"warn_days 366", RecycleRules{WarnDays: 366}, []string{"recycle.warn_days"}},
		{"the second rule at fault", RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Days: 7}, {Kind: RuleNotWon, Days: 0}}},
			[]string{"recycle.rules[1].days"}},
	}
	for _, c := range invalid {
		t.Run(c.name, func(t *testing.T) {
			err := c.rs.Validate()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate = %v (%T), want an *Error", err, err)
			}
			if e.Code != EInvalid {
				t.Errorf("Code = %q, want %q", e.Code, EInvalid)
			}
			if ErrorCode(err) != EInvalid {
				t.Errorf("ErrorCode = %q, want %q", ErrorCode(err), EInvalid)
			}
			named := false
			for _, f := range c.fields {
				if _, ok := e.Fields[f]; ok {
					named = true
				}
			}
			if !named {
				t.Errorf("Fields = %v, want one of %v", e.Fields, c.fields)
			}
		})
	}

	// Every fault at once is reported at once.
	err := RecycleRules{Rules: []RecycleRule{{Kind: "bogus"}}, WarnDays: -1, CountingKinds: []string{"fax"}}.Validate()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate = %v, want an *Error", err)
	}
	for _, f := range []string{"recycle.rules[0].kind", "recycle.rules[0].days", "recycle.warn_days", "recycle.counting_kinds"} {
		if _, ok := e.Fields[f]; !ok {
			t.Errorf("all faults: Fields = %v, missing %s", e.Fields, f)
		}
	}
}

func TestCounts(t *testing.T) {
	cases := []struct {
		kinds []string
		kind  string
		want  bool
	}{
		{nil, "call", true},
		{nil, "meeting", true},
		{nil, "note", false},
		{nil, "sms", false},
		{[]string{"note"}, "note", true},
		{[]string{"note"}, "call", false},
		{[]string{}, "call", false},
	}
	for _, c := range cases {
		if got := (RecycleRules{CountingKinds: c.kinds}).Counts(c.kind); got != c.want {
			t.Errorf("Counts(%q) with %v = %v, want %v", c.kind, c.kinds, got, c.want)
		}
	}
}

func TestCustomerFacts(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	owned := at(sh, 2026, 3, 2, 15, 0)
	fu, sc, or, op := tp(owned.Add(time.Hour)), tp(owned.Add(2*time.Hour)), tp(owned.Add(3*time.Hour)), tp(owned.Add(4*time.Hour))
	c := Customer{Category: "B", Won: true, Locked: true, OpenOpportunities: 3, OwnedSince: &owned,
		LastFollowUp: fu, LastStageChange: sc, LastOrder: or, LastOpportunity: op}
	f := c.Facts()
	if f.Category != "B" || !f.Won || !f.Locked || f.OpenOpportunities != 3 || !f.OwnedSince.Equal(owned) ||
		f.LastFollowUp != fu || f.LastStageChange != sc || f.LastOrder != or || f.LastOpportunity != op {
		t.Errorf("Facts = %+v, want the customer's fields", f)
	}
	if f := (Customer{}).Facts(); !f.OwnedSince.IsZero() {
		t.Errorf("Facts of an unowned customer: OwnedSince = %v, want zero", f.OwnedSince)
	}
}

func TestSettingsAdvances(t *testing.T) {
	staged := Settings{Stages: DefaultStages} // 初步接触 需求确认 方案报价 谈判 赢单
	free := Settings{}
	cases := []struct {
		name     string
		s        Settings
		old, new string
		want     bool
	}{
		{"later", staged, "初步接触", "需求确认", true},
		{"skip ahead", staged, "初步接触", "赢单", true},
		{"earlier", staged, "谈判", "需求确认", false},
		{"same", staged, "方案报价", "方案报价", false},
		{"from none to the first", staged, "", "初步接触", true},
		{"to none", staged, "谈判", "", false},
		{"none to none", staged, "", "", false},
		{"empty list: any change", free, "b", "a", true},
		{"empty list: from none", free, "", "a", true},
		{"empty list: same", free, "a", "a", false},
		{"empty list: to none", free, "a", "", false},
	}
	for _, c := range cases {
		if got := c.s.Advances(c.old, c.new); got != c.want {
			t.Errorf("%s: Advances(%q, %q) = %v, want %v", c.name, c.old, c.new, got, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	parse := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"12800", 1280000, true},
		{"12800.5", 1280050, true},
		{"12800.50", 1280050, true},
		{"0.05", 5, true},
		{"0", 0, true},
		{"0.5", 50, true},
		{"007", 700, true},
		{"9999999999999.99", 999999999999999, true},
		{"-1", 0, false},
		{"1.234", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"1.", 0, false},
		{".5", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1,000", 0, false},
		{"1e3", 0, false},
		{"１２", 0, false}, // full-width digits
		{"12345678901234", 0, false},
	}
	for _, c := range parse {
		got, ok := ParseMoney(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	str := []struct {
		m    Money
		want string
	}{
		{1280050, "12800.50"},
		{1280000, "12800.00"},
		{5, "0.05"},
		{0, "0.00"},
		{100, "1.00"},
		{999999999999999, "9999999999999.99"},
	}
	for _, c := range str {
		if got := c.m.String(); got != c.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(c.m), got, c.want)
		}
		if back, ok := ParseMoney(c.want); !ok || back != c.m {
			t.Errorf("ParseMoney(%q) = %d, %v; want it to read back %d", c.want, back, ok, int64(c.m))
		}
	}
}

func TestNewFollowUpValidate(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	now := at(sh, 2026, 3, 2, 15, 0)
	cases := []struct {
		name   string
		f      NewFollowUp
		fields []string // nil: valid
	}{
		{"call", NewFollowUp{Kind: "call", Content: "聊了报价"}, nil},
		{"every kind is known", NewFollowUp{Kind: "note", Content: "x"}, nil},
		{"at now", NewFollowUp{Kind: "visit", Content: "上门", At: tp(now)}, nil},
		{"at in the past", NewFollowUp{Kind: "email", Content: "sent", At: tp(now.Add(-72 * time.Hour))}, nil},
		{"5000 characters", NewFollowUp{Kind: "call", Content: strings.Repeat("话", 5000)}, nil},
		{"unknown kind", NewFollowUp{Kind: "sms", Content: "hi"}, []string{"kind"}},
		{"empty kind", NewFollowUp{Content: "hi"}, []string{"kind"}},
		{"empty content", NewFollowUp{Kind: "call"}, []string{"content"}},
		{"blank content", NewFollowUp{Kind: "call", Content: " \t\n　"}, []string{"content"}},
		{"5001 characters", NewFollowUp{Kind: "call", Content: strings.Repeat("话", 5001)}, []string{"content"}},
		{"in the future", NewFollowUp{Kind: "call", Content: "hi", At: tp(now.Add(time.Second))}, []string{"at"}},
		{"all wrong", NewFollowUp{Kind: "fax", At: tp(now.Add(time.Hour))}, []string{"kind", "content", "at"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.f.Validate(now)
			if c.fields == nil {
				if err != nil {
					t.Errorf("Validate = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid {
				t.Fatalf("Validate = %v, want an *Error with code %q", err, EInvalid)
			}
			for _, f := range c.fields {
				if _, ok := e.Fields[f]; !ok {
					t.Errorf("Fields = %v, missing %q", e.Fields, f)
				}
			}
			if len(e.Fields) != len(c.fields) {
				t.Errorf("Fields = %v, want exactly %v", e.Fields, c.fields)
			}
		})
	}
}

func TestNotificationText(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	d := time.Date(2026, 3, 5, 16, 0, 0, 0, time.UTC) // 2026-03-06 00:00 in Shanghai
	cases := []struct {
		kind     string
		name     string
		rule     RuleKind
		daysLeft int
		want     string
	}{
		{NotifyRecycleWarning, "华为", RuleNotContacted, 2,
			"【回收提醒】客户「华为」还剩 2 天将按规则「领取后未联系」回收到公海（2026-03-06 00:00 起），请及时跟进。"},
		{NotifyRecycleWarning, "Acme", RuleProtection, 1,
			"【回收提醒】客户「Acme」还剩 1 天将按规则「保护期到期」回收到公海（2026-03-06 00:00 起），请及时跟进。"},
		{NotifyRecycled, "华为", RuleNoFollowUp, 0,
			"【公海回收】客户「华为」已按规则「超期未跟进」回收到公海。"},
	}
	for _, c := range cases {
		if got := NotificationText(c.kind, c.name, c.rule, c.daysLeft, d, sh); got != c.want {
			t.Errorf("NotificationText(%q, %q, %q, %d) =\n  %s\nwant\n  %s", c.kind, c.name, c.rule, c.daysLeft, got, c.want)
		}
	}
	for _, k := range RuleKinds {
		if k.Label() == string(k) || k.Label() == "" {
			t.Errorf("%s has no label", k)
		}
	}
}
