package web_test

import (
	"strings"
	"testing"
)

// TestContactAPI: the owner adds, lists, edits and deletes contacts; the
// primary contact (the customer's own fields) comes first with the
// customer's id; others see them masked, and a reveal shows them all;
// every refusal answers with its code, and none echoes what was sent.
func TestContactAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		base := "/api/v1/customers/" + o.ownedByA + "/contacts"
		status, got, _ := o.call("rep.a", "POST", base, `{"name":"王强","title":"采购经理","phone":"13912345678","email":"wang@example.com"}`)
		id, _ := got["id"].(string)
		if status != 201 || id == "" || got["primary"] != false || got["phone"] != "13912345678" {
			t.Fatalf("POST contact: %d %v", status, got)
		}
		status, got, _ = o.call("rep.a", "GET", base, "")
		items, _ := got["items"].([]any)
		if status != 200 || len(items) != 2 {
			t.Fatalf("GET contacts: %d %v", status, got)
		}
		first, second := items[0].(map[string]any), items[1].(map[string]any)
		if first["id"] != o.ownedByA || first["primary"] != true || first["name"] != "张伟" || second["id"] != id {
			t.Fatalf("contacts in order: %v", items)
		}
		// The manager sees them masked, and a reveal shows them all.
		_, got, _ = o.call("mgr.east", "GET", base, "")
		if k := got["items"].([]any)[1].(map[string]any); k["phone"] != "139****5678" || strings.Contains(k["email"].(string), "wang@") {
			t.Fatalf("the manager sees %v", k)
		}
		status, got, _ = o.call("mgr.east", "POST", "/api/v1/customers/"+o.ownedByA+"/reveal", "")
		if ks, _ := got["contacts"].([]any); status != 200 || len(ks) != 1 || ks[0].(map[string]any)["phone"] != "13912345678" {
			t.Fatalf("reveal: %d %v", status, got)
		}
		status, got, _ = o.call("rep.a", "PATCH", base+"/"+id, `{"title":"采购总监"}`)
		if status != 200 || got["title"] != "采购总监" || got["name"] != "王强" {
			t.Fatalf("PATCH contact: %d %v", status, got)
		}
		for _, sc := range []struct {
			as, method, path, body string
			status                 int
			code                   string
		}{
			{"rep.a", "POST", base, `{}`, 422, "invalid"},
			{"rep.a", "POST", base, `{"name":"李四","phone":"12"}`, 422, "invalid"},
			{"rep.a", "POST", base, `{"name":"李四","owner_id":"x"}`, 422, "invalid"},
			// The customer in the pool has phone 138123 4 8000: it is another's.
			{"rep.a", "POST", base, `{"name":"李四","phone":"13812348000"}`, 409, "duplicate"},
			{"rep.b", "POST", base, `{"name":"李四"}`, 404, "not_found"},
			{"rep.a", "POST", "/api/v1/customers/nope/contacts", `{"name":"李四"}`, 404, "not_found"},
			{"rep.a", "PATCH", base + "/nope", `{"title":"x"}`, 404, "not_found"},
			{"rep.a", "PATCH", base + "/" + id, `{"email":"zhang.wei.1@hengxin.cn"}`, 409, "duplicate"},
			// The admin sees it masked and has not revealed it.
			{"admin", "PATCH", base + "/" + id, `{"phone":"13700000000"}`, 403, "forbidden"},
			{"admin", "DELETE", base + "/" + id, ``, 403, "forbidden"},
			{"admin", "POST", "/api/v1/customers/" + o.inPool + "/contacts", `{"name":"李四","wechat":"zhangwei_2"}`, 409, "duplicate"},
		} {
			status, got, _ := o.call(sc.as, sc.method, sc.path, sc.body)
			if status != sc.status || got["code"] != sc.code {
				t.Errorf("%s %s %s as %s: %d %v, want %d %s", sc.method, sc.path, sc.body, sc.as, status, got, sc.status, sc.code)
			}
			if detail, _ := got["detail"].(string); strings.Contains(detail, "1381234") || strings.Contains(detail, "hengxin") {
				t.Errorf("%s %s: the refusal echoes a contact: %q", sc.method, sc.path, detail)
			}
		}
		if status, _, _ := o.call("rep.a", "DELETE", base+"/"+id, ""); status != 204 {
			t.Fatalf("DELETE contact: %d", status)
		}
		if _, got, _ := o.call("rep.a", "GET", base, ""); len(got["items"].([]any)) != 1 {
			t.Fatalf("after DELETE: %v", got)
		}
	})
}
