package gonghai

import (
	"testing"
	"time"
)

// Table-driven tests of the recycle-rule arithmetic: deadlines per rule
// kind and rule starts here; schedules, reminders and days left in
// schedule_test.go; validation in recycle_rules_test.go.

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
