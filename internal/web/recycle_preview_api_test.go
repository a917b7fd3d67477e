package web_test

import (
	"strings"
	"testing"
	"time"
)

// previewDays reads a preview's days.
func previewDays(t *testing.T, v map[string]any) []map[string]any {
	t.Helper()
	raw, ok := v["days"].([]any)
	if !ok {
		t.Fatalf("no days in preview %v", v)
	}
	out := make([]map[string]any, len(raw))
	for i, d := range raw {
		out[i] = d.(map[string]any)
	}
	return out
}

// previewed returns, for each customer id in a preview, the index of its
// day and its entry.
func previewed(t *testing.T, days []map[string]any) map[string]int {
	t.Helper()
	at := map[string]int{}
	for i, d := range days {
		n := 0
		for _, o := range d["owners"].([]any) {
			owner := o.(map[string]any)
			cs := owner["customers"].([]any)
			if owner["count"] != float64(len(cs)) {
				t.Fatalf("owner %v on %v counts %v of %d customers", owner["owner_name"], d["date"], owner["count"], len(cs))
			}
			for _, c := range cs {
				at[c.(map[string]any)["id"].(string)] = i
				n++
			}
		}
		if d["total"] != float64(n) {
			t.Fatalf("day %v: total %v, customers %d", d["date"], d["total"], n)
		}
	}
	return at
}

// TestRecyclePreview: the preview lists who goes back on each day ahead,
// under the pool's rules or proposed ones, and changes nothing.
func TestRecyclePreview(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		pool := r.setRules(sevenDays)
		r.claim("rep.a", r.c1) // due day 8
		r.claim("rep.b", r.cA) // category A: due day 15
		preview := r.poolPath() + "/recycle-preview"

		days := previewDays(t, r.want("admin", "GET", preview+"?days=7", "", 200))
		if len(days) != 7 {
			t.Fatalf("%d days, want 7", len(days))
		}
		for i, d := range days {
			if d["date"] != date(i) || d["total"] != 0.0 || len(d["owners"].([]any)) != 0 {
				t.Fatalf("day %d: %v, want %s with nobody", i, d, date(i))
			}
		}
		if days := previewDays(t, r.want("admin", "GET", preview, "", 200)); len(days) != 7 {
			t.Fatalf("default preview: %d days, want 7", len(days))
		}

		r.clock.Set(day(3).Add(9 * time.Hour)) // Thursday 09:00
		current := r.want("admin", "GET", preview+"?days=7", "", 200)
		days = previewDays(t, current)
		for i, d := range days {
			if d["date"] != date(3+i) {
				t.Fatalf("day %d is %v, want %s", i, d["date"], date(3+i))
			}
		}
		at := previewed(t, days)
		if len(at) != 1 || at[r.c1] != 5 {
			t.Fatalf("under the pool's rules, want only c1 on %s: %s", date(8), jsonOf(days))
		}
		owner := days[5]["owners"].([]any)[0].(map[string]any)
		pc := owner["customers"].([]any)[0].(map[string]any)
		if owner["owner_id"] != r.a.ID || owner["owner_name"] != "rep.a" || pc["rule"] != "no_follow_up" ||
			pc["company"] != "上海恒信科技有限公司" || pc["name"] != "张伟" {
			t.Fatalf("preview entry: %v", owner)
		}
		wantAt(t, "previewed deadline", pc["deadline"], day(8))
		if j := jsonOf(current); strings.Contains(j, "1381234") || strings.Contains(j, "@") {
			t.Fatalf("the preview carries contacts: %s", j)
		}

		// Shorter days: c1 would go on day 4, cA (5 days for A) on day 6.
		shorter := `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":3,"category_days":{"A":5}}],"warn_days":3}}`
		days = previewDays(t, r.want("admin", "POST", preview+"?days=7", shorter, 200))
		if at := previewed(t, days); len(at) != 2 || at[r.c1] != 1 || at[r.cA] != 3 || days[1]["date"] != date(4) {
			t.Fatalf("under 3 days (A: 5), want c1 on %s and cA on %s: %s", date(4), date(6), jsonOf(days))
		}
		// Overdue under a proposal: both show today, owners by name.
		days = previewDays(t, r.want("admin", "POST", preview+"?days=7",
			`{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":1}]}}`, 200))
		if at := previewed(t, days); len(at) != 2 || at[r.c1] != 0 || at[r.cA] != 0 {
			t.Fatalf("under 1 day, want both today: %s", jsonOf(days))
		}
		if owners := days[0]["owners"].([]any); len(owners) != 2 || owners[0].(map[string]any)["owner_name"] != "rep.a" ||
			owners[1].(map[string]any)["owner_name"] != "rep.b" {
			t.Fatalf("owners of today: %s", jsonOf(owners))
		}

		// Nothing changed.
		wantDeadline(t, r.get("admin", r.c1), day(8), 5, day(5))
		if got := r.want("admin", "GET", r.poolPath(), "", 200)["recycle"]; jsonOf(got) != jsonOf(pool["recycle"]) {
			t.Fatalf("a preview changed the pool's rules: %s, want %s", jsonOf(got), jsonOf(pool["recycle"]))
		}
		if again := r.want("admin", "GET", preview+"?days=7", "", 200); jsonOf(again) != jsonOf(current) {
			t.Fatalf("preview after proposals %s, before %s", jsonOf(again), jsonOf(current))
		}

		if days := previewDays(t, r.want("admin", "GET", preview+"?days=90", "", 200)); len(days) != 90 || days[89]["date"] != date(3+89) {
			t.Fatalf("90 days: %d, last %v", len(days), days[len(days)-1]["date"])
		}
		r.refused("rep.a", "GET", preview+"?days=7", "", 403, "forbidden", "")
		r.refused("rep.a", "POST", preview+"?days=7", shorter, 403, "forbidden", "")
		r.refused("mgr.east", "GET", preview, "", 403, "forbidden", "")
		for _, q := range []string{"0", "91", "-1"} {
			r.refused("admin", "GET", preview+"?days="+q, "", 422, "invalid", "days")
			r.refused("admin", "POST", preview+"?days="+q, shorter, 422, "invalid", "days")
		}
		r.refused("admin", "POST", preview, `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":0}]}}`, 422, "invalid", "")
		r.refused("admin", "POST", preview, `{"recycle":{"rules":[{"kind":"no_follow_up","enabled":true,"days":3},{"kind":"no_follow_up","enabled":true,"days":4}]}}`,
			422, "invalid", "recycle.rules[1].kind")
		r.refused("admin", "GET", "/api/v1/pools/nope/recycle-preview", "", 404, "not_found", "")
	})
}
