package store_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestMasking: contact fields leave the server in full only to the owner;
// everyone else gets them masked or hidden, as the pool says, and those
// entitled reveal them one logged, counted reveal at a time (invariant 6).
func TestMasking(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		pa := f.user("pool.admin", gonghai.RoleRep, "", nil)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}, AdminUserIDs: &[]string{pa.ID}})
		const phone, email, wechat = "13812348000", "zhang.wei@example.cn", "zhangwei_bj"
		full := [3]string{phone, email, wechat}
		masked := [3]string{"138****8000", "z***@example.cn", "zh***"}
		id := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Name: "张伟", Company: "北京示例科技", Phone: phone, Email: email, WeChat: wechat}).ID

		contacts := func(what string, c gonghai.Customer, want [3]string) {
			t.Helper()
			if got := [3]string{c.Phone, c.Email, c.WeChat}; c.ID != id || got != want || c.Name != "张伟" {
				t.Fatalf("%s: customer %s %q shows %q, want %q", what, c.ID, c.Name, got, want)
			}
		}
		listed := func(viewer gonghai.User) gonghai.Customer {
			t.Helper()
			cs := f.poolList(viewer, p.ID, gonghai.CustomerFilter{})
			if len(cs) != 1 {
				t.Fatalf("%s lists %d customers, want 1", viewer.Login, len(cs))
			}
			return cs[0]
		}
		detail := func(viewer gonghai.User) gonghai.Customer {
			t.Helper()
			c, err := f.db.Customer(f.ctx, viewer, id)
			if err != nil {
				t.Fatalf("%s reads %s: %v", viewer.Login, id, err)
			}
			return c
		}
		reveal := func(viewer gonghai.User, code string) {
			t.Helper()
			got, err := f.db.Reveal(f.ctx, viewer, id)
			if code != "" {
				wantCode(t, err, code)
				return
			}
			if err != nil || [3]string{got.Phone, got.Email, got.WeChat} != full {
				t.Fatalf("%s reveals %+v, %v", viewer.Login, got, err)
			}
		}
		reveals := func(viewer gonghai.User) int {
			t.Helper()
			log, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditReveal, ActorID: viewer.ID}, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(log)
		}

		for _, viewer := range []gonghai.User{o.rep1, o.mgr1, o.salesMgr, pa, f.admin} {
			contacts(viewer.Login+" in the pool listing", listed(viewer), masked)
			contacts(viewer.Login+" in the detail of a pool customer", detail(viewer), masked)
		}
		// In a pool, its admins and admins may reveal; members claim first.
		reveal(o.rep1, gonghai.EForbidden)
		reveal(o.mgr1, gonghai.EForbidden)
		reveal(pa, "")
		reveal(f.admin, "")

		c, err := f.db.Claim(f.ctx, o.rep1, id, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		contacts("claim result", c, full)
		mine, _, err := f.db.MyCustomers(f.ctx, o.rep1, gonghai.CustomerFilter{}, gonghai.Page{})
		if err != nil || len(mine) != 1 {
			t.Fatalf("owner lists %d customers (%v), want 1", len(mine), err)
		}
		contacts("owner in MyCustomers", mine[0], full)
		contacts("owner in the detail", detail(o.rep1), full)
		for _, viewer := range []gonghai.User{o.mgr1, o.salesMgr, pa, f.admin} {
			contacts(viewer.Login+" in the detail of an owned customer", detail(viewer), masked)
		}
		for _, other := range []gonghai.User{o.mgr2, o.rep1b, o.rep2} {
			_, err := f.db.Customer(f.ctx, other, id)
			wantCode(t, err, gonghai.ENotFound)
			reveal(other, gonghai.ENotFound)
		}
		// The owner's managers reveal; the owner needs no reveal, and none
		// is counted; a pool admin does not work owned customers.
		reveal(o.rep1, "")
		reveal(o.mgr1, "")
		reveal(o.salesMgr, "")
		reveal(pa, gonghai.EForbidden)
		if n := reveals(o.rep1); n != 0 {
			t.Fatalf("the owner's reveal was logged %d times", n)
		}
		if n := reveals(o.mgr1); n != 1 {
			t.Fatalf("the manager's reveal was logged %d times, want 1", n)
		}

		// A note that carries a number shows it masked to all but the owner.
		if _, err := f.db.AddFollowUp(f.ctx, o.rep1, id, gonghai.NewFollowUp{Kind: "call",
			Content: "新号码 139-1234-5678，邮箱 li.si@example.cn"}); err != nil {
			t.Fatal(err)
		}
		for viewer, want := range map[*gonghai.User]string{&o.rep1: "新号码 139-1234-5678，邮箱 li.si@example.cn",
			&o.mgr1: "新号码 139****5678，邮箱 l***@example.cn"} {
			fs, _, err := f.db.FollowUps(f.ctx, *viewer, id, gonghai.Page{})
			if err != nil || len(fs) != 1 || fs[0].Content != want {
				t.Fatalf("%s reads the note as %+v (%v), want %q", viewer.Login, fs, err, want)
			}
		}

		// Back in the pool, even its former owner sees it masked.
		c, err = f.db.Release(f.ctx, o.rep1, id, "暂无需求", "")
		if err != nil {
			t.Fatal(err)
		}
		contacts("release result", c, masked)
		contacts("former owner in the listing", listed(o.rep1), masked)

		// A pool that hides contacts shows none of them.
		if _, err := f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{ContactMask: ptr(gonghai.MaskHidden)}); err != nil {
			t.Fatal(err)
		}
		contacts("listing of a hiding pool", listed(o.rep1), [3]string{})
		contacts("detail in a hiding pool", detail(f.admin), [3]string{})
		_, err = f.db.UpdatePool(f.ctx, f.admin, p.ID, gonghai.PoolInput{ContactMask: ptr("blurred")})
		wantCode(t, err, gonghai.EInvalid)
	})
}

// TestRevealQuota: each user reveals at most the day's quota; the count
// starts again the next day in the organisation's zone, and 0 turns reveals
// off.
func TestRevealQuota(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{RevealDailyQuota: ptr(2)}); err != nil {
			t.Fatal(err)
		}
		ids := f.customers(p.ID, 3)
		for _, id := range ids {
			if _, err := f.db.Reveal(f.ctx, f.admin, id); err != nil && id != ids[2] {
				t.Fatalf("reveal within the quota: %v", err)
			} else if id == ids[2] {
				wantCode(t, err, gonghai.ERevealQuota)
			}
		}
		f.clock.Advance(24 * time.Hour)
		if _, err := f.db.Reveal(f.ctx, f.admin, ids[2]); err != nil {
			t.Fatalf("the next day's reveal: %v", err)
		}
		log, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditReveal}, gonghai.Page{})
		if err != nil || len(log) != 3 {
			t.Fatalf("audit holds %d reveals (%v), want 3: a refused reveal is not one", len(log), err)
		}
		if _, err := f.db.UpdateSettings(f.ctx, f.admin, gonghai.SettingsPatch{RevealDailyQuota: ptr(0)}); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Reveal(f.ctx, f.admin, ids[0])
		wantCode(t, err, gonghai.ERevealQuota)
	})
}
