package gonghai

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRecyclePreview groups candidates by the day of their deadline, today
// first, and by owner: an overdue customer counts for today, a deadline at
// the start of the day after the last is left out, and so is a customer no
// rule applies to. Owners go by name, customers by id.
func TestRecyclePreview(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	rules := RecycleRules{Rules: []RecycleRule{{Kind: RuleNoFollowUp, Enabled: true, Days: 3, CategoryDays: map[string]int{"A": 1}}}}
	now := at(sh, 2026, 3, 10, 10, 0)
	gained := func(d, h int) RuleFacts { return RuleFacts{OwnedSince: at(sh, 2026, 3, d, h, 0)} }
	cand := func(id, owner, ownerName string, f RuleFacts) PreviewCandidate {
		return PreviewCandidate{ID: id, Name: "name " + id, Company: "company " + id, OwnerID: owner, OwnerName: ownerName, Facts: f}
	}
	categoryA := gained(10, 8)
	categoryA.Category = "A"
	locked := gained(1, 9)
	locked.Locked = true
	cs := []PreviewCandidate{
		cand("c5", "u2", "王芳", gained(7, 9)),  // due 03-11
		cand("c2", "u1", "李娜", gained(6, 9)),  // due 03-10, today
		cand("c1", "u1", "李娜", gained(1, 9)),  // due 03-05, overdue: today
		cand("c4", "u1", "李娜", gained(7, 18)), // due 03-11
		cand("c6", "u3", "李娜", categoryA),     // due 03-12 by category A's one day
		cand("c7", "u2", "王芳", gained(9, 9)),  // due 03-13: after the preview
		cand("c8", "u2", "王芳", locked),
	}
	due := func(m time.Month, d int) time.Time { return at(sh, 2026, m, d, 0, 0).UTC() }
	pc := func(id string, deadline time.Time) PreviewCustomer {
		return PreviewCustomer{ID: id, Name: "name " + id, Company: "company " + id, Rule: RuleNoFollowUp, Deadline: deadline}
	}
	want := []PreviewDay{
		{Date: "2026-03-10", Total: 2, Owners: []PreviewOwner{
			{OwnerID: "u1", OwnerName: "李娜", Customers: []PreviewCustomer{pc("c1", due(3, 5)), pc("c2", due(3, 10))}},
		}},
		{Date: "2026-03-11", Total: 2, Owners: []PreviewOwner{
			{OwnerID: "u1", OwnerName: "李娜", Customers: []PreviewCustomer{pc("c4", due(3, 11))}},
			{OwnerID: "u2", OwnerName: "王芳", Customers: []PreviewCustomer{pc("c5", due(3, 11))}},
		}},
		{Date: "2026-03-12", Total: 1, Owners: []PreviewOwner{
			{OwnerID: "u3", OwnerName: "李娜", Customers: []PreviewCustomer{pc("c6", due(3, 12))}},
		}},
	}
	got := RecyclePreview(cs, rules, sh, now, 3)
	// 李 sorts before 王 by code point, as the store always sorted them.
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RecyclePreview (-want +got):\n%s", diff)
	}

	if d := PreviewDeadline(cs[5].Facts, rules, sh, now, 3); d != nil {
		t.Errorf("a deadline at the start of the day after the preview is in it: %s", fmtDeadline(d, sh))
	}
	if d := PreviewDeadline(cs[5].Facts, rules, sh, now, 4); d == nil || !d.At.Equal(due(3, 13)) {
		t.Errorf("a four-day preview leaves out the deadline of its last day: %s", fmtDeadline(d, sh))
	}
	if end := PreviewEnd(now, 3, sh); !end.Equal(due(3, 13)) {
		t.Errorf("a three-day preview from %s ends %s", fmtTime(&now, sh), fmtTime(&end, sh))
	}

	// The fewest days of any rule on is category A's one: only customers
	// gained before 03-11 can be due before the 03-13 end of a 3-day
	// preview.
	before, ok := PreviewGainedBefore(rules, sh, now, 3)
	if !ok || !before.Equal(due(3, 11)) {
		t.Errorf("PreviewGainedBefore = %s, %v; want %s", fmtTime(&before, sh), ok, fmtTime(tp(due(3, 11)), sh))
	}
	for _, c := range cs {
		if d := PreviewDeadline(c.Facts, rules, sh, now, 3); d != nil && !c.Facts.OwnedSince.Before(before) {
			t.Errorf("%s, gained %s, is due %s within the preview, though gained after %s", c.ID,
				fmtTime(&c.Facts.OwnedSince, sh), fmtDeadline(d, sh), fmtTime(&before, sh))
		}
	}
	if _, ok := PreviewGainedBefore(RecycleRules{Rules: []RecycleRule{{Kind: RuleNotWon, Days: 3}}}, sh, now, 3); ok {
		t.Errorf("rules that are all off have a bound")
	}

	empty := RecyclePreview(nil, rules, sh, now, 2)
	if len(empty) != 2 || empty[0].Date != "2026-03-10" || empty[1].Date != "2026-03-11" {
		t.Fatalf("an empty two-day preview: %+v", empty)
	}
	for _, d := range empty {
		if d.Total != 0 || d.Owners == nil || len(d.Owners) != 0 {
			t.Errorf("empty day %s: total %d, owners %#v; want 0 and an empty list", d.Date, d.Total, d.Owners)
		}
	}
}

// TestPreviewGainedBeforeBounds: under any rules, a customer the preview
// lists was gained before PreviewGainedBefore, whatever else it did.
func TestPreviewGainedBeforeBounds(t *testing.T) {
	sh := mustLoc(t, "Asia/Shanghai")
	rng := rand.New(rand.NewPCG(1, 2))
	now := at(sh, 2026, 3, 29, 23, 30) // daylight saving elsewhere; none here
	hour := func(back int) time.Time { return now.Add(-time.Duration(back) * time.Hour) }
	some := func() *time.Time {
		if rng.IntN(2) == 0 {
			return nil
		}
		return tp(hour(rng.IntN(24 * 40)))
	}
	listed := 0
	for i := range 2000 {
		var rules RecycleRules
		for _, k := range RuleKinds {
			if rng.IntN(3) > 0 {
				continue
			}
			r := RecycleRule{Kind: k, Enabled: true, Days: 1 + rng.IntN(20), Since: hour(rng.IntN(24 * 60))}
			if rng.IntN(2) == 0 {
				r.CategoryDays = map[string]int{"A": 1 + rng.IntN(20)}
			}
			if k == RuleProtection {
				r.ExtendDays = 1 + rng.IntN(10)
				if rng.IntN(2) == 0 {
					r.MaxDays = r.Days + rng.IntN(10)
				}
			}
			rules.Rules = append(rules.Rules, r)
		}
		days := 1 + rng.IntN(14)
		f := RuleFacts{Category: []string{"", "A", "B"}[rng.IntN(3)], Won: rng.IntN(2) == 0, OwnedSince: hour(rng.IntN(24 * 40)),
			LastFollowUp: some(), LastStageChange: some(), LastOrder: some(), LastOpportunity: some()}
		before, ok := PreviewGainedBefore(rules, sh, now, days)
		d := PreviewDeadline(f, rules, sh, now, days)
		if d != nil {
			listed++
		}
		if d != nil && (!ok || !f.OwnedSince.Before(before)) {
			t.Fatalf("case %d: %+v under %+v is due %s within %d days, but the bound is %s (%v)", i, f, rules,
				fmtDeadline(d, sh), days, fmtTime(&before, sh), ok)
		}
	}
	if listed < 200 {
		t.Errorf("only %d of 2000 cases fall within their preview: the cases prove little", listed)
	}
}
