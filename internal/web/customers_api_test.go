package web_test

import (
	"net/url"
	"slices"
	"testing"
)

// TestListCustomers: GET /api/v1/customers lists what the caller may list
// (admins all, a manager their subtree's, a rep their own), filtered and
// paged with a total, and refuses an owner or pool outside the scope.
func TestListCustomers(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		list := func(as string, q url.Values) (int, map[string]any) {
			t.Helper()
			status, body, _ := o.call(as, "GET", "/api/v1/customers?"+q.Encode(), "")
			return status, body
		}
		ids := func(body map[string]any) []string {
			var out []string
			items, _ := body["items"].([]any)
			for _, it := range items {
				out = append(out, it.(map[string]any)["id"].(string))
			}
			slices.Sort(out)
			return out
		}
		sorted := func(v ...string) []string { return slices.Sorted(slices.Values(v)) }
		for _, sc := range []struct {
			as   string
			q    url.Values
			want []string
		}{
			{"admin", nil, sorted(o.inPool, o.ownedByA, o.hiddenC)},
			{"mgr.east", nil, []string{o.ownedByA}},
			{"mgr.east", url.Values{"sort": {"recycle_at"}}, []string{o.ownedByA}},
			{"mgr.east", url.Values{"owner_id": {o.a.ID}, "q": {"恒信"}}, []string{o.ownedByA}},
			{"mgr.east", url.Values{"owner_id": {o.b.ID}}, nil},
			{"mgr.east", url.Values{"pool_id": {o.northPool.ID}}, nil},
			{"mgr.east", url.Values{"unowned": {"true"}, "pool_id": {o.pool.ID}}, []string{o.inPool}},
			{"mgr.east", url.Values{"due_days": {"3"}}, nil},
			{"admin", url.Values{"unowned": {"true"}}, sorted(o.inPool, o.hiddenC)},
			{"rep.a", nil, []string{o.ownedByA}},
			{"rep.b", nil, nil},
			{"rep.north", nil, nil},
		} {
			status, body := list(sc.as, sc.q)
			if status != 200 || !slices.Equal(ids(body), sc.want) || body["total"] != float64(len(sc.want)) || body["total_more"] != false {
				t.Errorf("%s lists %v: %d %v, want %v", sc.as, sc.q, status, body, sc.want)
			}
		}
		// A manager sees the contacts of the team's customers masked.
		_, body := list("mgr.east", nil)
		if phone := body["items"].([]any)[0].(map[string]any)["phone"]; phone != "138****8000" {
			t.Errorf("the manager sees phone %v, want it masked", phone)
		}
		// Pages of one, each with the whole total.
		var got []string
		q := url.Values{"limit": {"1"}}
		for range 10 {
			status, body := list("admin", q)
			if status != 200 || body["total"] != float64(3) || len(body["items"].([]any)) != 1 {
				t.Fatalf("a page of one: %d %v", status, body)
			}
			got = append(got, ids(body)...)
			if body["next_cursor"] == "" {
				break
			}
			q.Set("cursor", body["next_cursor"].(string))
		}
		if slices.Sort(got); !slices.Equal(got, sorted(o.inPool, o.ownedByA, o.hiddenC)) {
			t.Errorf("pages of one hold %v", got)
		}
		for _, sc := range []struct {
			as     string
			q      url.Values
			status int
			field  string
		}{
			{"mgr.east", url.Values{"owner_id": {o.north.ID}}, 422, "owner_id"},
			{"rep.a", url.Values{"owner_id": {o.b.ID}}, 422, "owner_id"},
			{"mgr.east", url.Values{"unowned": {"true"}}, 422, "pool_id"},
			{"mgr.east", url.Values{"unowned": {"true"}, "owner_id": {o.a.ID}}, 422, "owner_id"},
			{"mgr.east", url.Values{"due_days": {"91"}}, 422, ""},
			{"mgr.east", url.Values{"sort": {"recycle_at"}, "cursor": {"bad"}}, 422, "cursor"},
			{"rep.north", url.Values{"unowned": {"true"}, "pool_id": {o.pool.ID}}, 404, ""},
			{"rep.a", url.Values{"unowned": {"true"}, "pool_id": {o.hidden.ID}}, 404, ""},
		} {
			status, body := list(sc.as, sc.q)
			fields, _ := body["fields"].(map[string]any)
			if status != sc.status || (sc.field != "" && fields[sc.field] == nil) {
				t.Errorf("%s lists %v: %d %v, want %d naming %q", sc.as, sc.q, status, body, sc.status, sc.field)
			}
		}
	})
}
