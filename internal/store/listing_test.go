package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// newCustomer creates one customer as actor and fails the test on error.
// Its company may be like others' (listings hold 增长100%科技 and 增长1000
// 科技): the fixture goes on, as a creator who has seen them would.
func (f *fixture) newCustomer(actor gonghai.User, poolID string, fields gonghai.CustomerFields) gonghai.Customer {
	f.t.Helper()
	c, err := f.db.CreateCustomer(f.ctx, actor, gonghai.NewCustomer{PoolID: poolID, CustomerFields: fields, AllowSimilar: true})
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

// poolPages lists the ids of a pool listing in its order, reading pages of
// size rows.
func (f *fixture) poolPages(viewer gonghai.User, poolID string, fl gonghai.CustomerFilter, size int) []string {
	f.t.Helper()
	var ids []string
	pg := gonghai.Page{Limit: size}
	for range 1000 {
		cs, next, err := f.db.PoolCustomers(f.ctx, viewer, poolID, fl, pg)
		if err != nil {
			f.t.Fatalf("%s lists pool %s: %v", viewer.Login, poolID, err)
		}
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if pg.After = next; next == "" {
			return ids
		}
	}
	f.t.Fatalf("pool %s listing does not end", poolID)
	return nil
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

// TestFilteredPages: a filter that keeps most rows, one that keeps few and
// the two together page through a pool newest first, each row once, from
// any page's start.
func TestFilteredPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		want := map[string][]string{}
		filters := map[string]gonghai.CustomerFilter{"most": {Category: "B"}, "few": {Region: "广东省/深圳市"},
			"both": {Category: "B", Region: "广东省/深圳市"}, "city of many": {Region: "广东省/广州市", Source: "官网"}}
		for i := range 45 {
			fields := gonghai.CustomerFields{Company: fmt.Sprintf("公司%d", i), Category: "B", Region: "广东省/广州市/天河区", Source: "官网"}
			if i%4 == 0 {
				fields.Category = "A"
			}
			if i%7 == 0 {
				fields.Region, fields.Source = "广东省/深圳市/南山区", "展会"
			}
			id := f.newCustomer(f.admin, p.ID, fields).ID
			for name, fl := range filters {
				if (fl.Category == "" || fl.Category == fields.Category) && (fl.Source == "" || fl.Source == fields.Source) &&
					(fl.Region == "" || strings.HasPrefix(fields.Region, fl.Region+"/")) {
					want[name] = append([]string{id}, want[name]...)
				}
			}
			f.clock.Advance(time.Minute)
		}
		for name, fl := range filters {
			for _, size := range []int{1, 3, 200} {
				got := f.poolPages(rep, p.ID, fl, size)
				if diff := cmp.Diff(want[name], got); diff != "" {
					t.Fatalf("%s in pages of %d (-want +got):\n%s", name, size, diff)
				}
			}
		}
	})
}
