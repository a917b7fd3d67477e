package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestClaimChecks: the verdicts a pool page shows on each row before the
// click are the answers the claims then get. Every refused row is tried and
// must be refused with the same code; the first claimable row is claimed
// and must be won; then the page is checked again, until nothing on it is
// claimable. Along the way each refusal a rep meets must have appeared.
func TestClaimChecks(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		team := f.dept("华南销售部", "")
		members := &[]string{team.ID}
		a := f.pool("深圳公海", gonghai.PoolInput{MemberDepartmentIDs: members, DailyClaimLimit: ptr(1)})
		b := f.pool("广州公海", gonghai.PoolInput{MemberDepartmentIDs: members, ReclaimCooldownDays: ptr(7), ReleaseWaitHours: ptr(2)})
		hidden := f.pool("保留池", gonghai.PoolInput{MemberDepartmentIDs: members, Hidden: ptr(true)})
		other := f.pool("北京公海", gonghai.PoolInput{})
		rep := f.user("rep", gonghai.RoleRep, team.ID, ptr(4))
		rival := f.user("rival", gonghai.RoleRep, team.ID, nil)

		claim := func(u gonghai.User, id string) {
			t.Helper()
			if _, err := f.db.Claim(f.ctx, u, id, ""); err != nil {
				t.Fatal(err)
			}
		}
		release := func(u gonghai.User, id string) {
			t.Helper()
			if _, err := f.db.Release(f.ctx, u, id, "客户暂无需求", ""); err != nil {
				t.Fatal(err)
			}
		}
		inA, inB := f.customers(a.ID, 3), f.customers(b.ID, 8)
		claim(rep, inB[0]) // then released: in cooldown for rep
		release(rep, inB[0])
		f.clock.Advance(3 * time.Hour)
		claim(rep, inA[0])   // rep's own, and the day's one claim from a
		claim(rival, inB[1]) // another rep's
		claim(rival, inB[2]) // released by the rival: waiting
		release(rival, inB[2])
		ids := append(slices.Clone(inA), inB...)
		ids = append(ids, f.customers(hidden.ID, 1)[0], f.customers(other.ID, 1)[0], "no-such-customer")

		seen := map[string]bool{}
		for round := 0; ; round++ {
			verdicts, err := f.db.ClaimChecks(f.ctx, rep, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(verdicts) != len(ids) {
				t.Fatalf("%d verdicts for %d rows", len(verdicts), len(ids))
			}
			next := ""
			for i, id := range ids {
				want := gonghai.ErrorCode(verdicts[i])
				if want == "" {
					if next == "" {
						next = id
					}
					continue
				}
				seen[want] = true
				before := f.history(ids[0])
				_, err := f.db.Claim(f.ctx, rep, id, "")
				if got := gonghai.ErrorCode(err); got != want {
					t.Fatalf("round %d, row %d: the page said %q, the claim answered %q (%v)", round, i, want, got, err)
				}
				if len(f.history(ids[0])) != len(before) {
					t.Fatalf("round %d: a refused claim changed history", round)
				}
			}
			if next == "" {
				break
			}
			if _, err := f.db.Claim(f.ctx, rep, next, ""); err != nil {
				t.Fatalf("round %d: the page said claimable, the claim answered %v", round, err)
			}
		}
		for _, code := range []string{gonghai.EAlreadyClaimed, gonghai.ENotFound, gonghai.EReclaimCooldown,
			gonghai.EReleaseWait, gonghai.EDailyClaimLimit, gonghai.EHoldingLimit} {
			if !seen[code] {
				t.Errorf("no row was refused with %s; seen %v", code, seen)
			}
		}
		if got := f.customer(inB[3]).OwnerID; got != rep.ID {
			t.Errorf("the first claimable row went to %q, want the rep", got)
		}
	})
}
