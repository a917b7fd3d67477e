package store_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// TestPoolsVisibility: members see the open pools they belong to, directly
// or through a parent department; a hidden pool only its pool admins and
// admins.
func TestPoolsVisibility(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		hiddenAdmin := f.user("hidden.admin", gonghai.RoleRep, o.north1.ID, nil)
		f.pool("A 销售部公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		f.pool("B 个人公海", gonghai.PoolInput{MemberUserIDs: &[]string{o.rep1b.ID}})
		f.pool("C 二组公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north2.ID}})
		f.pool("D 重点客户", gonghai.PoolInput{Hidden: ptr(true), MemberDepartmentIDs: &[]string{o.sales.ID},
			AdminUserIDs: &[]string{hiddenAdmin.ID}})
		f.pool("E 无人公海", gonghai.PoolInput{})

		for _, tc := range []struct {
			viewer gonghai.User
			want   []string
		}{
			{o.rep1, []string{"A 销售部公海"}},
			{o.rep1b, []string{"A 销售部公海", "B 个人公海"}},
			{o.rep2, []string{"A 销售部公海", "C 二组公海"}},
			{o.mgr2, []string{"A 销售部公海", "C 二组公海"}},
			// A manager sees the pools that serve their subtree.
			{o.salesMgr, []string{"A 销售部公海", "B 个人公海", "C 二组公海"}},
			{hiddenAdmin, []string{"A 销售部公海", "D 重点客户"}},
			{f.admin, []string{"A 销售部公海", "B 个人公海", "C 二组公海", "D 重点客户", "E 无人公海"}},
		} {
			pools, err := f.db.Pools(f.ctx, tc.viewer)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range pools {
				names = append(names, p.Name)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Fatalf("pools of %s (-want +got):\n%s", tc.viewer.Login, diff)
			}
		}
	})
}

// TestUpdatePool: pool admins change claim rules only; admins change
// everything; a bad change changes nothing.
func TestUpdatePool(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		pa := f.user("pool.admin", gonghai.RoleRep, o.north1.ID, nil)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}, AdminUserIDs: &[]string{pa.ID}})
		taken := f.pool("华南公海", gonghai.PoolInput{})
		read := func() gonghai.Pool {
			t.Helper()
			got, err := f.db.Pool(f.ctx, f.admin, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		refuse := func(actor gonghai.User, in gonghai.PoolInput, code string) error {
			t.Helper()
			before := read()
			_, err := f.db.UpdatePool(f.ctx, actor, p.ID, in)
			wantCode(t, err, code)
			if diff := cmp.Diff(before, read()); diff != "" {
				t.Fatalf("pool changed after a refused update (-before +after):\n%s", diff)
			}
			return err
		}

		f.clock.Advance(time.Hour)
		got, err := f.db.UpdatePool(f.ctx, pa, p.ID, gonghai.PoolInput{DailyClaimLimit: ptr(3), ReclaimCooldownDays: ptr(7)})
		if err != nil {
			t.Fatalf("pool admin changes claim rules: %v", err)
		}
		want := p
		want.DailyClaimLimit, want.ReclaimCooldownDays, want.Updated = 3, 7, f.clock.Now()
		if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
			t.Fatalf("update result (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want, read(), cmpEmpty); diff != "" {
			t.Fatalf("stored pool (-want +got):\n%s", diff)
		}

		refuse(pa, gonghai.PoolInput{Name: ptr("改名公海")}, gonghai.EForbidden)
		refuse(pa, gonghai.PoolInput{DailyClaimLimit: ptr(9), Name: ptr("改名公海")}, gonghai.EForbidden)
		refuse(pa, gonghai.PoolInput{MemberUserIDs: &[]string{o.rep2.ID}}, gonghai.EForbidden)
		refuse(pa, gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}}, gonghai.EForbidden)
		refuse(pa, gonghai.PoolInput{AdminUserIDs: &[]string{pa.ID, o.rep1.ID}}, gonghai.EForbidden)
		refuse(pa, gonghai.PoolInput{Hidden: ptr(true)}, gonghai.EForbidden)
		refuse(pa, gonghai.PoolInput{ReturnPoolID: &taken.ID}, gonghai.EForbidden)
		refuse(o.rep1, gonghai.PoolInput{DailyClaimLimit: ptr(100)}, gonghai.EForbidden)
		refuse(o.mgr1, gonghai.PoolInput{DailyClaimLimit: ptr(100)}, gonghai.EForbidden)
		refuse(o.rep2, gonghai.PoolInput{DailyClaimLimit: ptr(100)}, gonghai.ENotFound)

		// Bad input names the field and changes nothing, even the good parts.
		err = refuse(f.admin, gonghai.PoolInput{DailyClaimLimit: ptr(-1), ReclaimCooldownDays: ptr(1), Name: ptr("新名字")}, gonghai.EInvalid)
		wantField(t, err, "daily_claim_limit")
		err = refuse(pa, gonghai.PoolInput{HoldingLimit: ptr(-5)}, gonghai.EInvalid)
		wantField(t, err, "holding_limit")
		err = refuse(f.admin, gonghai.PoolInput{Name: ptr("  ")}, gonghai.EInvalid)
		wantField(t, err, "name")
		err = refuse(f.admin, gonghai.PoolInput{MemberUserIDs: &[]string{o.rep2.ID, "no-such-user"}}, gonghai.EInvalid)
		wantField(t, err, "member_user_ids")
		refuse(f.admin, gonghai.PoolInput{Name: ptr("华南公海")}, gonghai.EConflict)
		_, err = f.db.CreatePool(f.ctx, f.admin, gonghai.PoolInput{Name: ptr("华北公海")})
		wantCode(t, err, gonghai.EConflict)

		// An admin changes everything.
		f.clock.Advance(time.Hour)
		got, err = f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{Name: ptr("华北重点池"), Hidden: ptr(true),
			MemberUserIDs: &[]string{o.rep2.ID}, MemberDepartmentIDs: &[]string{}, AdminUserIDs: &[]string{o.mgr1.ID},
			ReturnPoolID: &taken.ID, HoldingLimit: ptr(50)})
		if err != nil {
			t.Fatal(err)
		}
		want.Name, want.Hidden, want.MemberUserIDs, want.MemberDepartmentIDs, want.AdminUserIDs = "华北重点池", true, []string{o.rep2.ID}, nil, []string{o.mgr1.ID}
		want.ReturnPoolID, want.HoldingLimit, want.Updated = taken.ID, 50, f.clock.Now()
		if diff := cmp.Diff(want, read(), cmpEmpty); diff != "" {
			t.Fatalf("stored pool after the admin's update (-want +got):\n%s", diff)
		}
		// The old pool admin lost it; the new one has it.
		_, err = f.db.UpdatePool(f.ctx, pa, p.ID, gonghai.PoolInput{DailyClaimLimit: ptr(1)})
		wantCode(t, err, gonghai.ENotFound)
		if _, err := f.db.UpdatePool(f.ctx, o.mgr1, p.ID, gonghai.PoolInput{DailyClaimLimit: ptr(1)}); err != nil {
			t.Fatalf("new pool admin changes a rule: %v", err)
		}
	})
}
