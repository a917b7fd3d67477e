package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestSearchByPart: a company is found by any part of its name, down to
// one character; a name, phone, email or WeChat id only whole, in any of
// the forms people type it.
func TestSearchByPart(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		add := func(fields gonghai.CustomerFields) string {
			t.Helper()
			return f.newCustomer(f.admin, p.ID, fields).ID
		}
		beijing := add(gonghai.CustomerFields{Company: "北京星辰科技有限公司", Name: "林星辰", Phone: "13712348000",
			Email: "li@xingchen.cn", WeChat: "xingchen_li"})
		shenzhen := add(gonghai.CustomerFields{Company: "深圳星辰网络"})
		shanghai := add(gonghai.CustomerFields{Company: "上海辰星贸易有限公司"})
		star := add(gonghai.CustomerFields{Company: "星"})
		add(gonghai.CustomerFields{Company: "杭州恒信科技有限公司"})
		for _, tc := range []struct {
			q    string
			want []string
		}{
			{"星辰", []string{beijing, shenzhen}},
			{"星", []string{beijing, shenzhen, shanghai, star}},
			{"辰星", []string{shanghai}},
			{"星辰科技有限公司", []string{beijing}},
			{"北京星辰科技有限公司", []string{beijing}},
			{"网络", []string{shenzhen}},
			{"星辰网", []string{shenzhen}},
			{"公司北京", nil},
			{"林星辰", []string{beijing}},
			{"林 星辰", []string{beijing}},
			{"星辰林", nil},
			{"13712348000", []string{beijing}},
			{"137 1234 8000", []string{beijing}},
			{"+86-137-1234-8000", []string{beijing}},
			{"１３７１２３４８０００", []string{beijing}},
			{"1371234800", nil},
			{"LI@XINGCHEN.CN", []string{beijing}},
			{"li@xingchen", nil},
			{"XingChen_Li", []string{beijing}},
			{"xingchen", nil},
		} {
			sameIDs(t, tc.q, f.poolIDs(rep, p.ID, gonghai.CustomerFilter{Q: tc.q}), tc.want)
		}
	})
}

// TestSearchFollowsEdits: a company found by its name is found by its new
// name once edited and no more by the old one; a claim takes it from the
// pool's search to its owner's.
func TestSearchFollowsEdits(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
		id := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: "北京星辰科技", Category: "A"}).ID
		mustClaim(f, rep, id)
		sameIDs(t, "the owner's search", f.myFiltered(rep, gonghai.CustomerFilter{Q: "星辰"}, 0), []string{id})
		sameIDs(t, "the pool's search after the claim", f.poolIDs(rep, p.ID, gonghai.CustomerFilter{Q: "星辰"}), nil)
		renamed := "上海恒信贸易"
		if _, err := f.db.UpdateCustomer(f.ctx, rep, id, gonghai.CustomerPatch{Company: &renamed}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]string{"星辰": nil, "恒信": {id}, "贸易": {id}, "恒": {id}} {
			sameIDs(t, "after the edit, "+q, f.myFiltered(rep, gonghai.CustomerFilter{Q: q}, 0), want)
		}
		stage := "谈判"
		if _, err := f.db.UpdateCustomer(f.ctx, rep, id, gonghai.CustomerPatch{Stage: &stage}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.Release(f.ctx, rep, id, "暂无需求", ""); err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "the pool's search after the release", f.poolIDs(rep, p.ID, gonghai.CustomerFilter{Q: "恒信", Category: "A"}), []string{id})
	})
}

// TestSearchPages: a search that finds many pages of customers, alone or
// with a filter, in a pool or a private pool in either order, returns each
// exactly once, in the listing's order.
func TestSearchPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		rep := f.user("rep", gonghai.RoleRep, "", nil)
		p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID},
			Recycle: rulesOf(gonghai.RecycleRule{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10})})
		var tech, techA, mine []string
		for i := range 40 {
			cat := []string{"A", "B"}[i%2]
			company := fmt.Sprintf("第%d号科技有限公司", i)
			if i%4 == 3 {
				company = fmt.Sprintf("第%d号贸易公司", i)
			}
			id := f.newCustomer(f.admin, p.ID, gonghai.CustomerFields{Company: company, Category: cat}).ID
			switch {
			case i%5 == 0:
				mustClaim(f, rep, id)
				if i%4 != 3 {
					mine = append(mine, id)
				}
			case i%4 != 3:
				tech = append(tech, id)
				if cat == "A" {
					techA = append(techA, id)
				}
			}
			if i%3 == 0 {
				f.clock.Advance(time.Hour)
			}
		}
		slices.Reverse(tech)
		slices.Reverse(techA)
		for _, size := range []int{1, 4, 200} {
			for _, tc := range []struct {
				fl   gonghai.CustomerFilter
				want []string
			}{{gonghai.CustomerFilter{Q: "科技"}, tech}, {gonghai.CustomerFilter{Q: "科技", Category: "A"}, techA}} {
				got := f.poolPages(rep, p.ID, tc.fl, size)
				if !slices.Equal(got, tc.want) {
					t.Fatalf("%+v in pages of %d: %v, want %v", tc.fl, size, got, tc.want)
				}
			}
			// Claimed in turn, a private pool's deadlines come in the
			// order of claiming.
			got := f.myFiltered(rep, gonghai.CustomerFilter{Q: "科技", Sort: gonghai.SortUrgent}, size)
			if !slices.Equal(got, mine) {
				t.Fatalf("the rep's, most urgent first, in pages of %d: %v, want %v", size, got, mine)
			}
		}
	})
}
