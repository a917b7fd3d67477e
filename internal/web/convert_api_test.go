package web_test

import (
	"strings"
	"sync"
	"testing"
)

// TestLeadsAPI: a lead is created with its size through create-customer,
// the listings filter leads from customers, and convert-lead converts it
// once: eight clicks at once give one 200 and seven 409
// already_converted, one opportunity, one converted event.
func TestLeadsAPI(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		body := `{"company":"苏州启明电子有限公司","name":"王芳","phone":"13700001111","pool_id":"` + r.pool.ID +
			`","owner_id":"` + r.a.ID + `","lifecycle":"lead","size":"medium"}`
		lead := r.want("admin", "POST", "/api/v1/customers", body, 201)
		if lead["lifecycle"] != "lead" || lead["size"] != "medium" || lead["converted_at"] != nil {
			t.Fatalf("created lead %v", lead)
		}
		id := lead["id"].(string)
		r.refused("admin", "POST", "/api/v1/customers", `{"company":"甲","pool_id":"`+r.pool.ID+`","lifecycle":"prospect"}`, 422, "invalid", "")
		r.refused("admin", "POST", "/api/v1/customers", `{"company":"乙","pool_id":"`+r.pool.ID+`","size":"huge"}`, 422, "invalid", "")
		pooled := r.want("admin", "POST", "/api/v1/customers", `{"company":"无锡远航物流","pool_id":"`+r.pool.ID+`","lifecycle":"lead"}`, 201)

		// Filters: the pool listing, the private pool and the list of all.
		ids := func(as, path string) string {
			var out []string
			for _, it := range r.items(as, path) {
				out = append(out, it.(map[string]any)["id"].(string))
			}
			return strings.Join(out, ",")
		}
		if got := ids("rep.a", r.poolPath()+"/customers?lifecycle=lead"); got != pooled["id"] {
			t.Errorf("pool leads %q, want only %v", got, pooled["id"])
		}
		if got := ids("rep.a", r.poolPath()+"/customers?lifecycle=customer"); strings.Contains(got, pooled["id"].(string)) || got == "" {
			t.Errorf("pool customers %q: want c1 and cA, no lead", got)
		}
		if got := ids("rep.a", "/api/v1/me/customers?lifecycle=lead"); got != id {
			t.Errorf("my leads %q, want %s", got, id)
		}
		if got := ids("admin", "/api/v1/customers?lifecycle=lead&size=medium"); got != id {
			t.Errorf("medium leads %q, want %s", got, id)
		}
		r.refused("admin", "GET", "/api/v1/customers?lifecycle=prospect", "", 422, "invalid", "")

		path := cust(id) + "/convert"
		r.refused("rep.a", "POST", path, `{"opportunity":{"title":"年度采购","stage":"不存在"}}`, 422, "invalid", "opportunity.stage")
		r.refused("rep.a", "POST", path, `{"opportunity":{"title":"年度采购","amount":"abc"}}`, 422, "invalid", "opportunity.amount")
		r.refused("rep.b", "POST", path, `{}`, 404, "not_found", "")
		r.refused("rep.a", "POST", cust(r.c1)+"/convert", `{}`, 409, "already_converted", "")
		r.refused("admin", "POST", cust(r.c1)+"/convert", `{}`, 409, "already_converted", "")
		if c := r.get("rep.a", id); c["lifecycle"] != "lead" {
			t.Fatalf("a refused conversion changed the lead: %v", c)
		}

		const n = 8
		var wg sync.WaitGroup
		statuses := make([]int, n)
		answers := make([]map[string]any, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], answers[i], _ = r.call("rep.a", "POST", path, `{"opportunity":{"title":"年度采购","amount":"12800.00","stage":"需求确认"}}`)
			}()
		}
		wg.Wait()
		ok, refused := 0, 0
		for i, st := range statuses {
			switch {
			case st == 200:
				ok++
				a := answers[i]
				c, _ := a["customer"].(map[string]any)
				o, _ := a["opportunity"].(map[string]any)
				if c["id"] != id || c["lifecycle"] != "customer" || c["converted_at"] == nil || a["joined"] != false ||
					o["title"] != "年度采购" || o["amount"] != "12800.00" || c["stage"] != "需求确认" {
					t.Errorf("conversion answered %v", a)
				}
			case st == 409 && answers[i]["code"] == "already_converted":
				refused++
			default:
				t.Errorf("conversion answered %d %v", st, answers[i])
			}
		}
		if ok != 1 || refused != n-1 {
			t.Fatalf("%d converted, %d already_converted; want 1 and %d", ok, refused, n-1)
		}
		if os := r.items("rep.a", cust(id)+"/opportunities"); len(os) != 1 {
			t.Errorf("%d opportunities, want 1", len(os))
		}
		converted := 0
		for _, e := range r.items("admin", cust(id)+"/history") {
			if e.(map[string]any)["kind"] == "converted" {
				converted++
			}
		}
		if converted != 1 {
			t.Errorf("%d converted events, want 1", converted)
		}
		if got := ids("rep.a", "/api/v1/me/customers?lifecycle=lead"); got != "" {
			t.Errorf("my leads after the conversion %q, want none", got)
		}
	})
}
