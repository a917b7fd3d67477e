package web_test

import (
	"testing"
	"time"
)

// TestPlanAPI: the owner sets a follow-up plan with PUT, sees it in the
// customer, clears it with DELETE; every refusal answers with its code.
func TestPlanAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		day := func(n int) string { return time.Now().In(shanghai).AddDate(0, 0, n).Format(time.DateOnly) }
		path := "/api/v1/customers/" + o.ownedByA + "/plan"
		status, got, _ := o.call("rep.a", "PUT", path, `{"date": "`+day(2)+`", "note": "带报价单"}`)
		plan, _ := got["plan"].(map[string]any)
		if status != 200 || plan == nil || plan["date"] != day(2) || plan["note"] != "带报价单" || plan["owner_id"] != o.a.ID {
			t.Fatalf("PUT plan: %d %v", status, got)
		}
		status, got, _ = o.call("mgr.east", "GET", "/api/v1/customers/"+o.ownedByA, "")
		if plan, _ := got["plan"].(map[string]any); status != 200 || plan == nil || plan["date"] != day(2) {
			t.Errorf("the manager reads plan %v (%d), want the day set", got["plan"], status)
		}
		for _, sc := range []struct {
			as, method, path, body string
			status                 int
			code                   string
		}{
			{"rep.a", "PUT", path, `{"date": "` + day(-1) + `"}`, 422, "invalid"},
			{"rep.a", "PUT", path, `{"date": "明天"}`, 422, "invalid"},
			{"rep.a", "PUT", path, `{"date": "` + day(1) + `", "owner_id": "x"}`, 422, "invalid"},
			{"rep.b", "PUT", path, `{"date": "` + day(1) + `"}`, 404, "not_found"},
			{"rep.b", "DELETE", path, ``, 404, "not_found"},
			{"admin", "PUT", "/api/v1/customers/" + o.inPool + "/plan", `{"date": "` + day(1) + `"}`, 403, "not_owner"},
			{"rep.a", "PUT", "/api/v1/customers/nope/plan", `{"date": "` + day(1) + `"}`, 404, "not_found"},
		} {
			status, got, _ := o.call(sc.as, sc.method, sc.path, sc.body)
			if status != sc.status || got["code"] != sc.code {
				t.Errorf("%s %s %s as %s: %d %v, want %d %s", sc.method, sc.path, sc.body, sc.as, status, got["code"], sc.status, sc.code)
			}
		}
		if status, _, _ := o.call("rep.a", "DELETE", path, ""); status != 204 {
			t.Errorf("DELETE plan: %d, want 204", status)
		}
		if _, got, _ := o.call("rep.a", "GET", "/api/v1/customers/"+o.ownedByA, ""); got["plan"] != nil {
			t.Errorf("after DELETE the plan is %v, want null", got["plan"])
		}
	})
}
