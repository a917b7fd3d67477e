package web_test

import (
	"testing"
)

// TestPoolListingSaysMore: the pool listing and the private pool say how
// many rows they hold in all, and each pool row says how it came back and
// whether the caller may claim it, with the figures of a refusal.
func TestPoolListingSaysMore(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		path := "/api/v1/pools/" + o.pool.ID + "/customers"
		status, body, _ := o.call("rep.a", "GET", path, "")
		if status != 200 || body["total"] != float64(1) || body["total_more"] != false {
			t.Fatalf("pool: %d %v", status, body)
		}
		row := body["items"].([]any)[0].(map[string]any)
		if row["claimable"] != true || row["claim_refusal"] != nil || row["returned"] != nil {
			t.Errorf("a fresh row: %v", row)
		}
		// rep.a releases their customer with a reason: rep.b sees it came
		// back released by rep.a, the reason's number masked.
		if status, body, _ := o.call("rep.a", "POST", "/api/v1/customers/"+o.ownedByA+"/release", `{"reason":"打 13912345678 没人接"}`); status != 200 {
			t.Fatalf("release: %d %v", status, body)
		}
		status, body, _ = o.call("rep.b", "GET", path, "")
		if status != 200 || body["total"] != float64(2) {
			t.Fatalf("pool after the release: %d %v", status, body)
		}
		var released map[string]any
		for _, it := range body["items"].([]any) {
			if it.(map[string]any)["id"] == o.ownedByA {
				released = it.(map[string]any)
			}
		}
		ret, _ := released["returned"].(map[string]any)
		if ret["kind"] != "released" || ret["by_user_id"] != o.a.ID || ret["by_name"] != "rep.a" || ret["reason"] != "打 139****5678 没人接" {
			t.Errorf("returned: %v", ret)
		}
		// The release wait is 0 here, so rep.b may claim it; rep.a may too.
		if released["claimable"] != true {
			t.Errorf("released row: %v", released)
		}
		// rep.b claims three (the daily limit): the fourth row says so, with its figures.
		for _, id := range []string{o.ownedByA, o.inPool} {
			if status, body, _ := o.call("rep.b", "POST", "/api/v1/customers/"+id+"/claim", `{}`); status != 200 {
				t.Fatalf("claim: %d %v", status, body)
			}
		}
		status, body, _ = o.call("admin", "POST", "/api/v1/customers", `{"pool_id":"`+o.pool.ID+`","company":"深圳一号"}`)
		if status != 201 {
			t.Fatalf("create: %d %v", status, body)
		}
		if status, body, _ := o.call("rep.b", "POST", "/api/v1/customers/"+body["id"].(string)+"/claim", `{}`); status != 200 {
			t.Fatalf("claim: %d %v", status, body)
		}
		if status, body, _ := o.call("admin", "POST", "/api/v1/customers", `{"pool_id":"`+o.pool.ID+`","company":"深圳二号","allow_similar":true}`); status != 201 {
			t.Fatalf("create: %d %v", status, body)
		}
		status, body, _ = o.call("rep.b", "GET", path, "")
		row = body["items"].([]any)[0].(map[string]any)
		refusal, _ := row["claim_refusal"].(map[string]any)
		if status != 200 || body["total"] != float64(1) || row["claimable"] != false || refusal["code"] != "daily_claim_limit_reached" ||
			refusal["count"] != float64(3) || refusal["limit"] != float64(3) || refusal["message"] == "" {
			t.Errorf("at the daily limit: %d %v", status, body)
		}
		status, body, _ = o.call("rep.b", "GET", "/api/v1/me/customers?q=深圳", "")
		if status != 200 || body["total"] != float64(1) || body["total_more"] != false {
			t.Errorf("my customers: %d %v", status, body)
		}
	})
}
