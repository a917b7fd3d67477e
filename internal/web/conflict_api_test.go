package web_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
)

// seedConflict records that actor tried matched's company (and created
// newID anyway, when set), as a refused or overridden create records it.
func (r *rig) seedConflict(actorID, matched, newID string) string {
	r.t.Helper()
	c, err := r.db.Customer(context.Background(), r.admin, matched)
	if err != nil {
		r.t.Fatal(err)
	}
	k, err := r.db.SeedConflict(context.Background(), gonghai.Conflict{Kind: gonghai.ConflictSimilar, At: r.clock.Now(),
		ActorID: actorID, Field: "company", Company: c.Company, MatchedID: matched, MatchedOwnerID: c.OwnerID, NewID: newID})
	if err != nil {
		r.t.Fatal(err)
	}
	return k.ID
}

// TestConflictAPI: the list, one conflict, resolving and merging through
// the API, each refusal with its documented code; a merged customer
// answers 404 merged with a pointer to the survivor.
func TestConflictAPI(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.claim("rep.a", r.c1)
		k := r.seedConflict(r.b.ID, r.c1, r.cA)
		path := "/api/v1/conflicts/" + k

		r.refused("rep.a", "GET", "/api/v1/conflicts", "", 403, "forbidden", "")
		r.refused("rep.a", "GET", path, "", 403, "forbidden", "")
		r.refused("admin", "GET", "/api/v1/conflicts?status=later", "", 422, "invalid", "")
		l := r.want("mgr.east", "GET", "/api/v1/conflicts?status=open", "", 200)
		if items := l["items"].([]any); len(items) != 1 || l["open"] != 1.0 {
			t.Fatalf("manager's list: %v", l)
		}
		d := r.want("mgr.east", "GET", path, "", 200)
		matched, _ := d["matched"].(map[string]any)
		if matched == nil || matched["phone"] == "13812348000" || d["actor_name"] != "rep.b" || d["matched_owner_name"] != "rep.a" ||
			d["new"] == nil || d["matched_seq"] != 2.0 {
			t.Fatalf("one conflict: %v", d)
		}
		r.refused("mgr.east", "GET", "/api/v1/conflicts/nope", "", 404, "not_found", "")
		r.refused("admin", "POST", path+"/resolve", `{"action":"later"}`, 422, "invalid", "")
		r.refused("admin", "POST", path+"/resolve", `{"action":"merge","fields":{"phone":"mine"}}`, 422, "invalid", "")
		// The manager may not work on a pool customer: merging it is an admin's.
		r.refused("mgr.east", "POST", path+"/resolve", `{"action":"merge"}`, 403, "forbidden", "")
		out := r.want("admin", "POST", path+"/resolve", `{"action":"merge","note":"同一家","fields":{"company":"merged"}}`, 200)
		if out["status"] != "merged" || out["resolved_by_name"] != "admin" || out["note"] != "同一家" {
			t.Fatalf("resolved: %v", out)
		}
		r.refused("admin", "POST", path+"/resolve", `{"action":"dismiss"}`, 409, "conflict", "")
		p := r.refused("admin", "GET", cust(r.cA), "", 404, "merged", "")
		if p["merged_into"] != r.c1 {
			t.Fatalf("the merged customer points at %v, want %s", p["merged_into"], r.c1)
		}
		r.refused("rep.a", "GET", cust(r.cA)+"/history", "", 404, "merged", "")
		r.refused("rep.b", "GET", cust(r.cA), "", 404, "not_found", "")
		if c := r.get("rep.a", r.c1); c["company"] != "杭州云帆网络有限公司" || c["phone"] != "13812348000" {
			t.Fatalf("survivor: %v", c)
		}
		if h := r.items("rep.a", cust(r.c1)+"/merged-history"); len(h) != 2 || h[1].(map[string]any)["kind"] != "merged" {
			t.Fatalf("merged history: %v", h)
		}

		// By hand: admins only, into a customer that exists.
		other, err := r.db.CreateCustomer(context.Background(), r.admin, gonghai.NewCustomer{PoolID: r.pool.ID,
			CustomerFields: gonghai.CustomerFields{Company: "宁波海曙贸易有限公司"}})
		if err != nil {
			t.Fatal(err)
		}
		merge := cust(other.ID) + "/merge"
		r.refused("mgr.east", "POST", merge, `{"into":"`+r.c1+`"}`, 403, "forbidden", "")
		r.refused("admin", "POST", merge, `{"into":"nope"}`, 404, "not_found", "")
		r.refused("admin", "POST", merge, `{"into":"`+other.ID+`"}`, 422, "invalid", "into")
		r.refused("admin", "POST", merge, `{"into":"`+r.c1+`","into_seq":1}`, 409, "conflict", "")
		if c := r.want("admin", "POST", merge, `{"into":"`+r.c1+`","into_seq":2}`, 200); c["id"] != r.c1 || c["owner_id"] != r.a.ID {
			t.Fatalf("merged by hand: %v", c)
		}
		r.refused("admin", "POST", merge, `{"into":"`+r.c1+`"}`, 404, "merged", "")

		month := r.clock.Now().In(shanghai).Format("2006-01")
		rates := r.items("mgr.east", "/api/v1/conflicts/rates?from="+month+"&to="+month)
		if len(rates) != 1 || rates[0].(map[string]any)["conflicts"] != 1.0 {
			t.Fatalf("rates: %v", rates)
		}
		r.refused("rep.a", "GET", "/api/v1/conflicts/rates?from="+month+"&to="+month, "", 403, "forbidden", "")
	})
}
