package gonghai

import (
	"testing"
	"time"
)

// A refusal carries the figures it was decided on, and keeps its code and
// English message: pages say the figures, clients read the code.
func TestClaimRefusalFigures(t *testing.T) {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	left := now.Add(-48 * time.Hour)
	p := openPool
	p.DailyClaimLimit, p.ReclaimCooldownDays, p.HoldingLimit = 20, 7, 3
	base := ClaimFacts{CustomerFacts: CustomerFacts{Customer: Customer{ID: "c1", PoolID: "p1"}, Pool: p, Membership: member},
		Claimer: rep, Now: now, Settings: Settings{TimeZone: "Asia/Shanghai"}}
	limit := 5
	for _, tc := range []struct {
		name   string
		change func(*ClaimFacts)
		want   ClaimRefusal
	}{
		{"holding in the pool", func(f *ClaimFacts) { f.Holding.InPool = 3 }, ClaimRefusal{Count: 3, Limit: 3}},
		{"holding overall", func(f *ClaimFacts) { f.Claimer.HoldingLimit, f.Holding.Overall = &limit, 5 }, ClaimRefusal{Count: 5, Limit: 5}},
		{"daily", func(f *ClaimFacts) { f.ClaimedToday = 20 }, ClaimRefusal{Count: 20, Limit: 20}},
		// Seven calendar days after it left, at midnight in the zone.
		{"cooldown", func(f *ClaimFacts) { f.LastLeft = &left }, ClaimRefusal{Until: time.Date(2026, 3, 7, 0, 0, 0, 0, zone)}},
		{"release wait", func(f *ClaimFacts) { f.Customer.ClaimableAt = &later }, ClaimRefusal{Until: later}},
	} {
		f := base
		tc.change(&f)
		err := CanClaim(rep, f)
		got, ok := ClaimRefusalOf(err)
		if !ok || got.Count != tc.want.Count || got.Limit != tc.want.Limit || !got.Until.Equal(tc.want.Until) {
			t.Errorf("%s: %v: figures %+v, %v; want %+v", tc.name, err, got, ok, tc.want)
		}
	}
	if _, ok := ClaimRefusalOf(Errorf(ENotFound, "no such customer")); ok {
		t.Error("a refusal without figures has none")
	}
	f := base
	f.ClaimedToday = 20
	if msg := ErrorMessage(CanClaim(rep, f)); msg != "you have claimed 20 customers from pool "+p.Name+" today, the most allowed" {
		t.Errorf("message changed: %q", msg)
	}
}
