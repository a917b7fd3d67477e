package store_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestClaimVerdicts: the verdicts on a page a pool listing read are those
// ClaimChecks gives reading the same customers again, figures and all.
func TestClaimVerdicts(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		p := f.pool("深圳公海", gonghai.PoolInput{DailyClaimLimit: ptr(2), ReclaimCooldownDays: ptr(7), ReleaseWaitHours: ptr(2)})
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		rival := f.user("rival", gonghai.RoleRep, "", nil)
		if _, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID, rival.ID}}); err != nil {
			t.Fatal(err)
		}
		ids := f.customers(p.ID, 5)
		for _, step := range []struct {
			u  gonghai.User
			id string
		}{{rep, ids[0]}, {rival, ids[1]}} {
			if _, err := f.db.Claim(f.ctx, step.u, step.id, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.Release(f.ctx, step.u, step.id, "暂无需求", ""); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(time.Hour)
		for round := range 3 {
			page, _, err := f.db.PoolCustomers(f.ctx, rep, p.ID, gonghai.CustomerFilter{}, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.db.ClaimVerdicts(f.ctx, rep, page)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(page))
			for i, c := range page {
				ids[i] = c.ID
			}
			want, err := f.db.ClaimChecks(f.ctx, rep, ids)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for i := range ids {
				gf, _ := gonghai.ClaimRefusalOf(got[i])
				wf, _ := gonghai.ClaimRefusalOf(want[i])
				if gonghai.ErrorCode(got[i]) != gonghai.ErrorCode(want[i]) || gf != wf {
					t.Fatalf("round %d, row %d: %v (%+v), ClaimChecks says %v (%+v)", round, i, got[i], gf, want[i], wf)
				}
				seen[gonghai.ErrorCode(got[i])] = true
			}
			if round == 0 && (!seen[gonghai.EReclaimCooldown] || !seen[gonghai.EReleaseWait]) {
				t.Errorf("round 0 shows no cooldown or no release wait: %v", seen)
			}
			if round == 2 && !seen[gonghai.EDailyClaimLimit] {
				t.Errorf("round 2 shows no daily limit: %v", seen)
			}
			for i, err := range got {
				if err == nil {
					if _, err := f.db.Claim(f.ctx, rep, ids[i], p.ID); err != nil {
						t.Fatalf("said claimable, the claim answered %v", err)
					}
					break
				}
			}
		}
	})
}
