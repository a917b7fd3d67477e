package store_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// newCustomer creates one customer as actor and fails the test on error.
func (f *fixture) newCustomer(actor gonghai.User, poolID string, fields gonghai.CustomerFields) gonghai.Customer {
	f.t.Helper()
	c, err := f.db.CreateCustomer(f.ctx, actor, gonghai.NewCustomer{PoolID: poolID, CustomerFields: fields})
	if err != nil {
		f.t.Fatalf("%s creates %+v: %v", actor.Login, fields, err)
	}
	return c
}

// myIDs lists the ids of the viewer's private pool, every page.
func (f *fixture) myIDs(viewer gonghai.User) []string {
	f.t.Helper()
	return f.myFiltered(viewer, gonghai.CustomerFilter{}, 0)
}

// myFiltered lists the ids of the viewer's private pool that filter fl
// finds, in its order, reading pages of size rows (0: the largest).
func (f *fixture) myFiltered(viewer gonghai.User, fl gonghai.CustomerFilter, size int) []string {
	f.t.Helper()
	var ids []string
	page := gonghai.Page{Limit: size}
	for i := 0; ; i++ {
		cs, next, err := f.db.MyCustomers(f.ctx, viewer, fl, page)
		if err != nil {
			f.t.Fatalf("%s lists their customers: %v", viewer.Login, err)
		}
		for _, c := range cs {
			if c.OwnerID != viewer.ID {
				f.t.Fatalf("MyCustomers of %s lists %s owned by %q", viewer.Login, c.ID, c.OwnerID)
			}
			ids = append(ids, c.ID)
		}
		if next == "" {
			return ids
		}
		if i > 1000 {
			f.t.Fatalf("MyCustomers of %s does not end", viewer.Login)
		}
		page.After = next
	}
}

// sameIDs fails unless got and want hold the same ids, in any order.
func sameIDs(t testing.TB, what string, got, want []string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", what, diff)
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return slices.Equal(a, b) })

// TestPoolListingMembers: only members list a pool, and they see its
// unowned customers only; a claimed customer moves to the claimer's list.
func TestPoolListingMembers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}})
		q := f.pool("华南公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}})
		ids := f.customers(p.ID, 3)
		f.customers(q.ID, 2)

		for _, outsider := range []gonghai.User{o.rep2, o.mgr2} {
			_, _, err := f.db.PoolCustomers(f.ctx, outsider, p.ID, gonghai.CustomerFilter{}, gonghai.Page{})
			wantCode(t, err, gonghai.ENotFound)
		}
		_, _, err := f.db.PoolCustomers(f.ctx, o.rep1, "no-such-pool", gonghai.CustomerFilter{}, gonghai.Page{})
		wantCode(t, err, gonghai.ENotFound)

		sameIDs(t, "rep's listing", f.poolIDs(o.rep1, p.ID, gonghai.CustomerFilter{}), ids)
		mustClaim(f, o.rep1, ids[1])
		rest := []string{ids[0], ids[2]}
		for _, viewer := range []gonghai.User{o.rep1, o.rep1b, o.mgr1, f.admin} {
			sameIDs(t, viewer.Login+"'s listing after a claim", f.poolIDs(viewer, p.ID, gonghai.CustomerFilter{}), rest)
		}
		sameIDs(t, "claimer's customers", f.myIDs(o.rep1), []string{ids[1]})
		sameIDs(t, "other rep's customers", f.myIDs(o.rep1b), nil)

		// Released, it is listed again, and no longer the rep's.
		if _, err := f.db.Release(f.ctx, o.rep1, ids[1], "暂无需求", ""); err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "listing after release", f.poolIDs(o.rep1b, p.ID, gonghai.CustomerFilter{}), ids)
		sameIDs(t, "customers after release", f.myIDs(o.rep1), nil)
	})
}

// TestPoolListingPages: keyset pages return every customer exactly once,
// newest first, and the last page says there is no next.
func TestPoolListingPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		var ids []string
		for range 30 {
			ids = append(ids, f.customers(p.ID, 1)...)
			f.clock.Advance(time.Minute)
		}
		newestFirst := slices.Clone(ids)
		slices.Reverse(newestFirst)
		for _, tc := range []struct{ limit, pages int }{{7, 5}, {10, 3}, {30, 1}, {200, 1}} {
			var got []string
			var sizes []int
			page := gonghai.Page{Limit: tc.limit}
			for {
				cs, next, err := f.db.PoolCustomers(f.ctx, rep, p.ID, gonghai.CustomerFilter{}, page)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(cs))
				for _, c := range cs {
					got = append(got, c.ID)
				}
				if next == "" {
					break
				}
				if len(cs) == 0 || next != cs[len(cs)-1].ID || len(sizes) > tc.pages {
					t.Fatalf("limit %d: page %d of %d rows has next %q", tc.limit, len(sizes), len(cs), next)
				}
				page.After = next
			}
			if len(sizes) != tc.pages {
				t.Fatalf("limit %d: %d pages of sizes %v, want %d", tc.limit, len(sizes), sizes, tc.pages)
			}
			for i, n := range sizes[:len(sizes)-1] {
				if n != tc.limit {
					t.Fatalf("limit %d: page %d holds %d rows", tc.limit, i+1, n)
				}
			}
			if diff := cmp.Diff(newestFirst, got); diff != "" {
				t.Fatalf("limit %d: ids not each once newest first (-want +got):\n%s", tc.limit, diff)
			}
		}
	})
}

// TestPoolListingFilters: exact filters, region by path prefix, and a text
// search in which % and _ are plain characters.
func TestPoolListingFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		other := f.pool("别的公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		add := func(fields gonghai.CustomerFields) string {
			t.Helper()
			return f.newCustomer(f.admin, p.ID, fields).ID
		}
		a := add(gonghai.CustomerFields{Company: "深圳南山科技", Category: "A", Industry: "制造业", Region: "广东省/深圳市/南山区", ProductLine: "ERP", Source: "展会"})
		b := add(gonghai.CustomerFields{Company: "广州天河贸易", Category: "B", Industry: "零售", Region: "广东省/广州市/天河区", ProductLine: "CRM", Source: "官网"})
		c := add(gonghai.CustomerFields{Company: "省外贸易", Category: "A", Industry: "零售", Region: "广东省外", ProductLine: "ERP", Source: "官网"})
		d := add(gonghai.CustomerFields{Name: "王小明", Phone: "13700000001", Email: "wang@example.cn", Category: "C", Industry: "制造业", Region: "广东省", ProductLine: "CRM", Source: "转介绍"})
		e := add(gonghai.CustomerFields{Company: "增长100%科技", Category: "B", Region: "广西壮族自治区/南宁市"})
		g := add(gonghai.CustomerFields{Company: "增长1000科技", Category: "B", Region: "广西壮族自治区"})
		h := add(gonghai.CustomerFields{Company: "a_b数据", Category: "C"})
		i := add(gonghai.CustomerFields{Company: "axb数据", Category: "C"})
		// The same attributes in another pool never leak into this one.
		f.newCustomer(f.admin, other.ID, gonghai.CustomerFields{Company: "深圳南山科技分公司", Category: "A", Industry: "制造业",
			Region: "广东省/深圳市/南山区", ProductLine: "ERP", Source: "展会"})

		for _, tc := range []struct {
			name   string
			filter gonghai.CustomerFilter
			want   []string
		}{
			{"none", gonghai.CustomerFilter{}, []string{a, b, c, d, e, g, h, i}},
			{"category", gonghai.CustomerFilter{Category: "A"}, []string{a, c}},
			{"industry", gonghai.CustomerFilter{Industry: "制造业"}, []string{a, d}},
			{"province", gonghai.CustomerFilter{Region: "广东省"}, []string{a, b, d}},
			{"city", gonghai.CustomerFilter{Region: "广东省/深圳市"}, []string{a}},
			{"district", gonghai.CustomerFilter{Region: "广东省/深圳市/南山区"}, []string{a}},
			{"region with no customers", gonghai.CustomerFilter{Region: "广东"}, nil},
			{"product line", gonghai.CustomerFilter{ProductLine: "ERP"}, []string{a, c}},
			{"source", gonghai.CustomerFilter{Source: "官网"}, []string{b, c}},
			{"company substring", gonghai.CustomerFilter{Q: "南山"}, []string{a}},
			// Names are sealed: they match whole, through their blind index.
			{"whole name", gonghai.CustomerFilter{Q: "王小明"}, []string{d}},
			{"whole name spaced", gonghai.CustomerFilter{Q: "王 小明"}, []string{d}},
			{"name part", gonghai.CustomerFilter{Q: "小明"}, nil},
			{"q trimmed", gonghai.CustomerFilter{Q: "  王小明 "}, []string{d}},
			{"phone in another format", gonghai.CustomerFilter{Q: "+86 137-0000-0001"}, []string{d}},
			{"email in capitals", gonghai.CustomerFilter{Q: "WANG@EXAMPLE.CN"}, []string{d}},
			{"q with %", gonghai.CustomerFilter{Q: "100%"}, []string{e}},
			{"q only %", gonghai.CustomerFilter{Q: "%"}, []string{e}},
			{"q with _", gonghai.CustomerFilter{Q: "a_b"}, []string{h}},
			{"q only _", gonghai.CustomerFilter{Q: "_"}, []string{h}},
			{"q with backslash", gonghai.CustomerFilter{Q: `\`}, nil},
			{"combined", gonghai.CustomerFilter{Category: "A", Region: "广东省"}, []string{a}},
			{"combined with q", gonghai.CustomerFilter{Category: "B", Q: "科技"}, []string{e, g}},
		} {
			sameIDs(t, tc.name, f.poolIDs(rep, p.ID, tc.filter), tc.want)
		}
		// Owned customers drop out of filtered listings too.
		mustClaim(f, rep, a)
		sameIDs(t, "category after claim", f.poolIDs(rep, p.ID, gonghai.CustomerFilter{Category: "A"}), []string{c})
	})
}

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

// TestCreateCustomer: a rep creates into a pool they belong to or straight
// to themselves within their limits; never to someone else; bad input is
// refused whole.
func TestCreateCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		limited := f.user("rep.limited", gonghai.RoleRep, o.north1.ID, ptr(1))
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}})
		count := func() int {
			t.Helper()
			return len(f.poolIDs(f.admin, p.ID, gonghai.CustomerFilter{}))
		}
		refuse := func(actor gonghai.User, in gonghai.NewCustomer, code string) error {
			t.Helper()
			inPool, mine, theirs := count(), f.myIDs(actor), f.myIDs(o.rep1b)
			_, err := f.db.CreateCustomer(f.ctx, actor, in)
			wantCode(t, err, code)
			if count() != inPool || !slices.Equal(f.myIDs(actor), mine) || !slices.Equal(f.myIDs(o.rep1b), theirs) {
				t.Fatalf("a refused create left a customer behind")
			}
			return err
		}
		// Each create has a phone of its own: a repeated one is a duplicate.
		phones := 0
		next := func() gonghai.CustomerFields {
			phones++
			return gonghai.CustomerFields{Company: "北京新客户", Phone: fmt.Sprintf("139%08d", phones), Category: "B"}
		}
		fields := next()

		// Straight to themselves.
		f.clock.Advance(time.Minute)
		c, err := f.db.CreateCustomer(f.ctx, limited, gonghai.NewCustomer{PoolID: p.ID, OwnerID: limited.ID, CustomerFields: fields})
		if err != nil {
			t.Fatalf("rep creates a customer for themselves: %v", err)
		}
		if c.OwnerID != limited.ID || c.PoolID != p.ID || c.OwnedSince == nil || c.Phone != fields.Phone || c.Company != fields.Company {
			t.Fatalf("created %+v", c)
		}
		f.checkChain(c.ID)
		f.wantLastEvent(c.ID, gonghai.Event{Kind: gonghai.EventCreated, ToOwnerID: limited.ID, ToPoolID: p.ID, ActorID: limited.ID})
		sameIDs(t, "creator's customers", f.myIDs(limited), []string{c.ID})
		refuse(limited, gonghai.NewCustomer{PoolID: p.ID, OwnerID: limited.ID, CustomerFields: fields}, gonghai.EHoldingLimit)

		// Into the pool.
		before := count()
		c = f.newCustomer(o.rep1, p.ID, next())
		if c.OwnerID != "" || count() != before+1 {
			t.Fatalf("rep's new pool customer %+v; pool went from %d to %d", c, before, count())
		}
		f.checkChain(c.ID)
		f.wantLastEvent(c.ID, gonghai.Event{Kind: gonghai.EventCreated, ToPoolID: p.ID, ActorID: o.rep1.ID})

		// Never to someone else, nor into a pool they do not belong to.
		refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, OwnerID: o.rep1b.ID, CustomerFields: next()}, gonghai.EForbidden)
		// A pool one may not see is answered as an unknown one: it does not
		// tell its name, nor that it exists.
		for _, id := range []string{p.ID, "no-such-pool"} {
			err = refuse(o.rep2, gonghai.NewCustomer{PoolID: id, CustomerFields: next()}, gonghai.EInvalid)
			wantField(t, err, "pool_id")
			if strings.Contains(err.Error(), p.Name) {
				t.Fatalf("the refusal names the pool: %v", err)
			}
		}
		// The same phone in another format is a duplicate, named to whoever
		// may know its owner.
		dup := fields
		dup.Phone = "+86 " + fields.Phone[:3] + "-" + fields.Phone[3:7] + "-" + fields.Phone[7:]
		err = refuse(o.mgr1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: dup}, gonghai.EDuplicate)
		var ge *gonghai.Error
		if !errors.As(err, &ge) || ge.Match == nil || ge.Match.Field != "phone" || ge.Match.OwnerID != limited.ID || !ge.Match.Owned {
			t.Fatalf("duplicate for the owner's manager names %+v, want the phone of %s's customer", ge.Match, limited.Login)
		}
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: dup}, gonghai.EDuplicate)
		if !errors.As(err, &ge) || ge.Match == nil || ge.Match.OwnerID != "" || ge.Match.OwnerName != "" || !ge.Match.Owned ||
			strings.Contains(ge.Message, limited.Name) || strings.Contains(ge.Message, fields.Phone) {
			t.Fatalf("duplicate for another rep names %+v (%q): the owner, or the phone", ge.Match, ge.Message)
		}
		// The manager gives to their team; the admin to anyone.
		f.clock.Advance(time.Minute)
		c, err = f.db.CreateCustomer(f.ctx, o.mgr1, gonghai.NewCustomer{PoolID: p.ID, OwnerID: o.rep1b.ID, CustomerFields: next()})
		if err != nil || c.OwnerID != o.rep1b.ID {
			t.Fatalf("manager creates for their rep: %+v %v", c, err)
		}
		f.wantLastEvent(c.ID, gonghai.Event{Kind: gonghai.EventCreated, ToOwnerID: o.rep1b.ID, ToPoolID: p.ID, ActorID: o.mgr1.ID})

		// Bad input.
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "坏分类", Category: "D"}}, gonghai.EInvalid)
		wantField(t, err, "category")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Name: " ", Company: "\t", Phone: "13900001111"}}, gonghai.EInvalid)
		wantField(t, err, "name")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "坏电话", Phone: "call me"}}, gonghai.EInvalid)
		wantField(t, err, "phone")
		// A masked value sent back as it was shown.
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "回填", Email: "z***@example.cn"}}, gonghai.EInvalid)
		wantField(t, err, "email")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: p.ID, CustomerFields: gonghai.CustomerFields{Company: "回填", WeChat: "wx***"}}, gonghai.EInvalid)
		wantField(t, err, "wechat")
		err = refuse(o.rep1, gonghai.NewCustomer{PoolID: "no-such-pool", CustomerFields: fields}, gonghai.EInvalid)
		wantField(t, err, "pool_id")
		// The request names the owner owner_id (as the API does), so the error must too.
		err = refuse(f.admin, gonghai.NewCustomer{PoolID: p.ID, OwnerID: "no-such-user", CustomerFields: fields}, gonghai.EInvalid)
		wantField(t, err, "owner_id")
	})
}

// TestUpdateCustomer: the owner edits; other reps do not, and a pool
// customer is claimed before it is edited.
func TestUpdateCustomer(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.sales.ID}})
		ids := f.customers(p.ID, 2)
		mustClaim(f, o.rep1, ids[0])

		f.clock.Advance(time.Hour)
		c, err := f.db.UpdateCustomer(f.ctx, o.rep1, ids[0], gonghai.CustomerPatch{Stage: ptr("需求确认"), Category: ptr("A"),
			Region: ptr(" 北京市/海淀区 "), Email: ptr("li.lei@example.cn")})
		if err != nil {
			t.Fatalf("owner edits: %v", err)
		}
		stored, err := f.db.Customer(f.ctx, o.rep1, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(stored, c); diff != "" {
			t.Fatalf("update result differs from the stored customer (-stored +result):\n%s", diff)
		}
		if c.Stage != "需求确认" || c.Category != "A" || c.Region != "北京市/海淀区" || c.Email != "li.lei@example.cn" ||
			c.OwnerID != o.rep1.ID || !c.Updated.Equal(f.clock.Now()) {
			t.Fatalf("after the owner's edit: %+v", c)
		}
		if h := f.history(ids[0]); len(h) != 2 {
			t.Fatalf("editing fields wrote ownership events: %+v", h)
		}

		refuse := func(actor gonghai.User, id string, patch gonghai.CustomerPatch, codes ...string) {
			t.Helper()
			before := f.snap(id)
			_, err := f.db.UpdateCustomer(f.ctx, actor, id, patch)
			wantRefused(t, err, codes...)
			f.unchanged(id, before)
		}
		refuse(o.rep1b, ids[0], gonghai.CustomerPatch{Stage: ptr("已流失")}, gonghai.ENotFound, gonghai.EForbidden)
		refuse(o.rep2, ids[0], gonghai.CustomerPatch{Stage: ptr("已流失")}, gonghai.ENotFound, gonghai.EForbidden)
		refuse(o.mgr2, ids[0], gonghai.CustomerPatch{Stage: ptr("已流失")}, gonghai.ENotFound, gonghai.EForbidden)
		refuse(o.rep1, ids[1], gonghai.CustomerPatch{Stage: ptr("跟进中")}, gonghai.EForbidden)
		refuse(o.mgr1, ids[1], gonghai.CustomerPatch{Stage: ptr("跟进中")}, gonghai.EForbidden)
		refuse(o.rep1, ids[0], gonghai.CustomerPatch{Category: ptr("Z"), Stage: ptr("跟进中")}, gonghai.EInvalid)
		refuse(o.rep1, ids[0], gonghai.CustomerPatch{Name: ptr(""), Company: ptr("")}, gonghai.EInvalid)

		// The owner's manager edits too.
		if _, err := f.db.UpdateCustomer(f.ctx, o.mgr1, ids[0], gonghai.CustomerPatch{Stage: ptr("谈判")}); err != nil {
			t.Fatalf("owner's manager edits: %v", err)
		}
		if got := f.customer(ids[0]).Stage; got != "谈判" {
			t.Fatalf("stage = %q after the manager's edit", got)
		}
	})
}

// TestUsers: logins are unique, roles are checked, and each viewer lists
// only the users they may see.
func TestUsers(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		_, err := f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "rep.north1", Name: "重名", Role: gonghai.RoleRep})
		wantCode(t, err, gonghai.ELoginTaken)
		_, err = f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "boss", Name: "老板", Role: "owner"})
		wantField(t, err, "role")
		_, err = f.db.CreateUser(f.ctx, &o.mgr1, gonghai.NewUser{Login: "new.rep", Name: "新人", Role: gonghai.RoleRep, DepartmentID: o.north1.ID})
		wantCode(t, err, gonghai.EForbidden)
		_, err = f.db.CreateUser(f.ctx, &f.admin, gonghai.NewUser{Login: "new.rep", Name: "新人", Role: gonghai.RoleRep, DepartmentID: "no-such-dept"})
		wantField(t, err, "department_id")
		if _, err := f.db.UserByLogin(f.ctx, "new.rep"); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Fatalf("a refused user was created: %v", err)
		}
		loner := f.user("mgr.nodept", gonghai.RoleManager, "", nil)

		list := func(viewer gonghai.User, limit int) []string {
			t.Helper()
			var logins []string
			page := gonghai.Page{Limit: limit}
			for {
				us, next, err := f.db.Users(f.ctx, viewer, page)
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range us {
					logins = append(logins, u.Login)
				}
				if next == "" {
					return logins
				}
				page.After = next
			}
		}
		all := []string{"admin", "mgr.sales", "mgr.north1", "mgr.north2", "rep.north1", "rep.north1b", "rep.north2", "mgr.nodept"}
		for _, tc := range []struct {
			viewer gonghai.User
			want   []string
		}{
			{f.admin, all},
			{o.salesMgr, []string{"mgr.sales", "mgr.north1", "mgr.north2", "rep.north1", "rep.north1b", "rep.north2"}},
			{o.mgr1, []string{"mgr.north1", "rep.north1", "rep.north1b"}},
			{o.mgr2, []string{"mgr.north2", "rep.north2"}},
			{o.rep1, []string{"rep.north1"}},
			// A manager of no department manages no one.
			{loner, []string{"mgr.nodept"}},
		} {
			sameIDs(t, "users of "+tc.viewer.Login, list(tc.viewer, 0), tc.want)
			sameIDs(t, "users of "+tc.viewer.Login+" two at a time", list(tc.viewer, 2), tc.want)
		}
		if _, err := f.db.User(f.ctx, o.mgr1, o.rep2.ID); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Fatalf("manager reads a user of another team: %v", err)
		}
	})
}

// TestHistory: events come in order, and only to those who may see the
// customer.
func TestHistory(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		o := newSalesTree(f)
		p := f.pool("华北公海", gonghai.PoolInput{MemberDepartmentIDs: &[]string{o.north1.ID}})
		id := f.customers(p.ID, 1)[0]
		times := []time.Time{f.clock.Now()}
		step := func(do func()) {
			t.Helper()
			f.clock.Advance(time.Hour)
			times = append(times, f.clock.Now())
			do()
		}
		step(func() { mustClaim(f, o.rep1, id) })
		step(func() { f.release(o.rep1, id, "暂无需求", "", p.ID) })
		step(func() { mustClaim(f, o.rep1b, id) })
		step(func() { f.transfer(o.mgr1, o.rep1, id, "交接") })
		f.checkChain(id)

		h, err := f.db.History(f.ctx, o.rep1, id)
		if err != nil {
			t.Fatalf("owner reads the history: %v", err)
		}
		if diff := cmp.Diff(f.history(id), h); diff != "" {
			t.Fatalf("owner's and admin's history differ (-admin +owner):\n%s", diff)
		}
		want := []gonghai.EventKind{gonghai.EventCreated, gonghai.EventClaimed, gonghai.EventReleased, gonghai.EventClaimed, gonghai.EventTransferred}
		if len(h) != len(want) {
			t.Fatalf("history has %d events, want %d: %+v", len(h), len(want), h)
		}
		for i, e := range h {
			if e.Seq != i+1 || e.Kind != want[i] || !e.At.Equal(times[i]) || e.CustomerID != id {
				t.Fatalf("event %d = %+v, want seq %d kind %s at %s", i, e, i+1, want[i], times[i])
			}
		}
		if _, err := f.db.History(f.ctx, o.mgr1, id); err != nil {
			t.Fatalf("owner's manager reads the history: %v", err)
		}
		for _, u := range []gonghai.User{o.rep1b, o.rep2, o.mgr2} {
			_, err := f.db.History(f.ctx, u, id)
			wantCode(t, err, gonghai.ENotFound)
		}
		_, err = f.db.History(f.ctx, f.admin, "no-such-customer")
		wantCode(t, err, gonghai.ENotFound)
	})
}
