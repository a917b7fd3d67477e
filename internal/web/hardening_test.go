package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestTokensOverHTTP: a signed-in person makes a token for themselves (a
// token cannot make tokens), lists their tokens without secrets, and
// revokes one, which then signs nobody in; a new password ends the rest.
func TestTokensOverHTTP(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("wang.fang", "pw-wang", gonghai.RoleRep)
		c := o.session("wang.fang", "pw-wang")
		mine, err := o.db.CreateToken(o.ctx, "wang.fang")
		if err != nil {
			t.Fatal(err)
		}
		bearer := map[string]string{"Authorization": "Bearer " + mine}
		wantProblem(t, o.do(req{method: "POST", path: "/api/v1/tokens", body: `{"name":"脚本"}`, header: bearer}), 403, "forbidden")

		made := o.do(req{method: "POST", path: "/api/v1/tokens", body: `{"name":"报表脚本","expires_in_days":30}`, cookie: c})
		secret, _ := made.body["token"].(string)
		if made.status != 201 || !strings.HasPrefix(secret, "ghk_") || made.body["expires_at"] == nil || made.body["name"] != "报表脚本" {
			t.Fatalf("make a token: %d %v", made.status, made.body)
		}
		fresh := map[string]string{"Authorization": "Bearer " + secret}
		if a := o.do(req{method: "GET", path: "/api/v1/me", header: fresh}); a.status != 200 {
			t.Fatalf("the new token: %d %v", a.status, a.body)
		}
		wantProblem(t, o.do(req{method: "POST", path: "/api/v1/tokens", body: `{"expires_in_days":-1}`, cookie: c}), 422, "invalid")

		list := o.do(req{method: "GET", path: "/api/v1/tokens", header: fresh})
		items, _ := list.body["items"].([]any)
		raw, _ := json.Marshal(list.body)
		if list.status != 200 || len(items) != 2 || strings.Contains(string(raw), secret) || strings.Contains(string(raw), mine) {
			t.Fatalf("token list: %d %s", list.status, raw)
		}
		id := made.body["id"].(string)
		// Someone else's token does not exist to them.
		o.person("li.lei", "pw-li", gonghai.RoleRep)
		wantProblem(t, o.do(req{method: "DELETE", path: "/api/v1/tokens/" + id, cookie: o.session("li.lei", "pw-li")}), 404, "not_found")
		wantProblem(t, o.do(req{method: "GET", path: "/api/v1/tokens?user_id=" + o.admin.ID, header: fresh}), 404, "not_found")
		if a := o.do(req{method: "DELETE", path: "/api/v1/tokens/" + id, cookie: c}); a.status != 204 {
			t.Fatalf("revoke my token: %d %v", a.status, a.body)
		}
		wantProblem(t, o.do(req{method: "GET", path: "/api/v1/me", header: fresh}), 401, "unauthenticated")
		wantProblem(t, o.do(req{method: "DELETE", path: "/api/v1/tokens/" + id, cookie: c}), 404, "not_found")
		// A new password ends the tokens left.
		if a := o.do(req{method: "GET", path: "/api/v1/me", header: bearer}); a.status != 200 {
			t.Fatalf("the other token before the new password: %d", a.status)
		}
		if err := o.db.SetPassword(o.ctx, nil, "wang.fang", cheapHash("new-pw")); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, o.do(req{method: "GET", path: "/api/v1/me", header: bearer}), 401, "unauthenticated")
	})
}

// TestUserHoldingLimitNull: null returns a user to their level's limit; a
// left-out field changes nothing.
func TestUserHoldingLimitNull(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		path := "/api/v1/users/" + o.b.ID
		if status, body, _ := o.call("admin", "PATCH", path, `{"holding_limit":7}`); status != 200 || body["holding_limit"] != 7.0 {
			t.Fatalf("set a personal limit: %d %v", status, body)
		}
		if status, body, _ := o.call("admin", "PATCH", path, `{"level":"senior"}`); status != 200 || body["holding_limit"] != 7.0 {
			t.Fatalf("a patch without holding_limit: %d %v", status, body)
		}
		status, body, _ := o.call("admin", "PATCH", path, `{"holding_limit":null}`)
		if status != 200 || body["holding_limit"] != nil {
			t.Fatalf("holding_limit null: %d %v", status, body)
		}
		u, err := o.db.User(o.t.Context(), o.admin, o.b.ID)
		if err != nil || u.HoldingLimit != nil {
			t.Fatalf("stored limit after null: %v %v", u.HoldingLimit, err)
		}
		if status, body, _ := o.call("admin", "PATCH", path, `{"holding_limit":-1}`); status != 422 || body["code"] != "invalid" {
			t.Fatalf("a negative limit: %d %v", status, body)
		}
	})
}

// TestSettingsPatch: a patch changes what it names and nothing else, and
// is validated whole; the documented defaults hold until changed.
func TestSettingsPatch(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		_, got, _ := o.call("rep.a", "GET", "/api/v1/settings", "")
		stages, _ := json.Marshal(gonghai.DefaultStages)
		if j, _ := json.Marshal(got["stages"]); string(j) != string(stages) || got["reveal_daily_quota"] != float64(gonghai.DefaultRevealDailyQuota) {
			t.Fatalf("a new organisation's settings: %v", got)
		}
		status, got, _ := o.call("admin", "PATCH", "/api/v1/settings", `{"reveal_daily_quota":5}`)
		if j, _ := json.Marshal(got["stages"]); status != 200 || got["reveal_daily_quota"] != 5.0 || string(j) != string(stages) ||
			got["time_zone"] != "Asia/Shanghai" {
			t.Fatalf("patch the reveal quota: %d %v", status, got)
		}
		_, before, _ := o.call("admin", "GET", "/api/v1/settings", "")
		for _, body := range []string{`{"reveal_daily_quota":5,"time_zone":"Mars/Olympus"}`, `{"stages":["a","a"]}`} {
			if status, got, _ := o.call("admin", "PATCH", "/api/v1/settings", body); status != 422 || got["code"] != "invalid" {
				t.Fatalf("patch %s: %d %v", body, status, got)
			}
		}
		if _, after, _ := o.call("admin", "GET", "/api/v1/settings", ""); !jsonEqual(before, after) {
			t.Fatalf("a refused patch changed the settings: %v -> %v", before, after)
		}
		if status, got, _ := o.call("rep.a", "PATCH", "/api/v1/settings", `{"reveal_daily_quota":9}`); status != 403 || got["code"] != "forbidden" {
			t.Fatalf("a rep patches settings: %d %v", status, got)
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestMyCustomersQuery: /me/customers takes the pool listing's filters and
// sort=recycle_at over HTTP; an unknown sort is refused.
func TestMyCustomersQuery(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		for _, q := range []string{"?q=" + url.QueryEscape("恒信"), "?q=" + url.QueryEscape("+86 138-1235-8000"), "?sort=recycle_at"} {
			status, body, _ := o.call("rep.a", "GET", "/api/v1/me/customers"+q, "")
			items, _ := body["items"].([]any)
			if status != 200 || len(items) != 1 || items[0].(map[string]any)["id"] != o.ownedByA {
				t.Fatalf("GET /me/customers%s: %d %v", q, status, body)
			}
		}
		if status, body, _ := o.call("rep.a", "GET", "/api/v1/me/customers?q="+url.QueryEscape("无此公司"), ""); status != 200 || len(body["items"].([]any)) != 0 {
			t.Fatalf("a search that matches nothing: %d %v", status, body)
		}
		if status, body, _ := o.call("rep.a", "GET", "/api/v1/me/customers?sort=name", ""); status != 422 || body["code"] != "invalid" {
			t.Fatalf("an unknown sort: %d %v", status, body)
		}
	})
}

// TestErrorsEchoNothing: no error answer repeats what the client sent: not
// an id, not a login, not a value.
func TestErrorsEchoNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		const probe = "probe7q3x9z"
		for _, r := range []struct{ as, method, path, body string }{
			{"rep.a", "GET", "/api/v1/customers/" + probe, ""},
			{"rep.a", "POST", "/api/v1/customers/" + probe + "/claim", ""},
			{"rep.a", "POST", "/api/v1/customers/" + probe + "/release", `{"reason":"暂无需求"}`},
			{"admin", "POST", "/api/v1/customers/" + o.inPool + "/assign", `{"user_id":"` + probe + `"}`},
			{"admin", "POST", "/api/v1/customers/" + o.ownedByA + "/transfer", `{"user_id":"` + probe + `"}`},
			{"admin", "PATCH", "/api/v1/users/" + probe, `{"name":"x"}`},
			{"admin", "POST", "/api/v1/users/" + o.a.ID + "/handover", `{"to_user_id":"` + probe + `","reason":"离职"}`},
			{"rep.a", "GET", "/api/v1/pools/" + probe + "/customers", ""},
			{"rep.a", "POST", "/api/v1/pools/" + o.pool.ID + "/claim", `{"customer_ids":["` + probe + `","` + probe + `"]}`},
			{"rep.a", "POST", "/api/v1/customers", `{"pool_id":"` + probe + `","company":"x"}`},
			{"admin", "POST", "/api/v1/users", `{"login":"rep.a","name":"` + probe + `","role":"rep"}`},
			{"admin", "POST", "/api/v1/customers", `{"pool_id":"` + o.pool.ID + `","company":"x","category":"` + probe + `"}`},
			{"rep.a", "DELETE", "/api/v1/tokens/" + probe, ""},
			{"rep.a", "GET", "/api/v1/me/customers?cursor=" + probe, ""},
		} {
			status, body, _ := o.call(r.as, r.method, r.path, r.body)
			raw, _ := json.Marshal(body)
			if status < 400 || strings.Contains(string(raw), probe) {
				t.Errorf("%s %s: %d %s", r.method, r.path, status, raw)
			}
		}
	})
}
