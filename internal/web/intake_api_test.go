package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// channel creates a channel into o.pool through the API, with extra JSON
// fields, and returns it.
func (o *org) channel(name, extra string) map[string]any {
	o.t.Helper()
	status, body, _ := o.call("admin", "POST", "/api/v1/channels", `{"name":"`+name+`","pool_id":"`+o.pool.ID+`"`+extra+`}`)
	if status != 201 {
		o.t.Fatalf("create channel: %d %v", status, body)
	}
	return body
}

// post sends a submission with no session, as a website's form would,
// from another site; it does not follow a redirect.
func (o *org) post(path, contentType, body string) (*http.Response, string) {
	o.t.Helper()
	req, err := http.NewRequest("POST", o.srv.URL+path, strings.NewReader(body))
	if err != nil {
		o.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", "https://www.example.com")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	client := *o.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}

// TestChannelsAPI: admins create, list, change and re-key channels; others
// may not; a channel answers its key and where to post.
func TestChannelsAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		ch := o.channel("官网表单", `,"assignment":{"strategy":"round_robin"},"daily_cap":50`)
		id, key := ch["id"].(string), ch["key"].(string)
		if ch["intake_path"] != "/api/v1/intake/"+key || ch["per_minute"] != float64(gonghai.DefaultChannelPerMinute) ||
			ch["assignment"].(map[string]any)["strategy"] != "round_robin" || ch["daily_cap"] != float64(50) {
			t.Fatalf("channel: %v", ch)
		}
		for _, sc := range []struct {
			as, method, path, body string
			status                 int
			code                   string
		}{
			{"rep.a", "GET", "/api/v1/channels", "", 403, "forbidden"},
			{"rep.a", "POST", "/api/v1/channels", `{"name":"x","pool_id":"` + o.pool.ID + `"}`, 403, "forbidden"},
			{"mgr.east", "PATCH", "/api/v1/channels/" + id, `{"daily_cap":1}`, 403, "forbidden"},
			{"admin", "POST", "/api/v1/channels", `{"name":"官网表单","pool_id":"` + o.pool.ID + `"}`, 422, "invalid"},
			{"admin", "POST", "/api/v1/channels", `{"name":"x"}`, 422, "invalid"},
			{"admin", "POST", "/api/v1/channels", `{"name":"y","pool_id":"` + o.pool.ID + `","redirect_url":"ftp://x"}`, 422, "invalid"},
			{"admin", "GET", "/api/v1/channels/nope", "", 404, "not_found"},
			{"admin", "PATCH", "/api/v1/channels/" + id, `{"follows_pool":true,"per_minute":0,"redirect_url":"https://www.example.com/thanks"}`, 200, ""},
		} {
			status, body, _ := o.call(sc.as, sc.method, sc.path, sc.body)
			if status != sc.status || (sc.code != "" && body["code"] != sc.code) {
				t.Errorf("%s %s %s: %d %v", sc.as, sc.method, sc.path, status, body)
			}
		}
		status, body, _ := o.call("admin", "GET", "/api/v1/channels/"+id, "")
		if status != 200 || body["assignment"] != nil || body["per_minute"] != float64(0) || body["redirect_url"] != "https://www.example.com/thanks" {
			t.Fatalf("changed: %d %v", status, body)
		}
		status, body, _ = o.call("admin", "POST", "/api/v1/channels/"+id+"/rotate-key", "")
		if status != 200 || body["key"] == key {
			t.Fatalf("rotate: %d %v", status, body)
		}
		if res, _ := o.post("/api/v1/intake/"+key, "application/json", `{"name":"甲","phone":"13900000001"}`); res.StatusCode != 404 {
			t.Errorf("the old key: %d", res.StatusCode)
		}
		status, body, _ = o.call("admin", "GET", "/api/v1/channels", "")
		if status != 200 || len(body["items"].([]any)) != 1 {
			t.Fatalf("list: %d %v", status, body)
		}
	})
}

// TestIntakeAPI: JSON and plain form posts from another site with no
// session; a duplicate joins; a honeypot looks taken but is held; the
// address limit answers 429 with Retry-After.
func TestIntakeAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		ch := o.channel("官网表单", `,"address_per_hour":3`)
		path := "/api/v1/intake/" + ch["key"].(string)
		res, raw := o.post(path, "application/json", `{"name":"王五","company":"星辰科技","phone":"13912345678","utm_source":"baidu"}`)
		if res.StatusCode != 202 || !strings.Contains(raw, `"joined":false`) {
			t.Fatalf("json: %d %s", res.StatusCode, raw)
		}
		form := url.Values{"name": {"王五"}, "phone": {"139-1234-5678"}, "message": {"再问一次"}, "submit": {"提交"}}
		res, raw = o.post(path, "application/x-www-form-urlencoded", form.Encode())
		if res.StatusCode != 202 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(raw, "提交成功") {
			t.Fatalf("form: %d %s", res.StatusCode, raw)
		}
		// The honeypot: answered as taken, nothing made.
		bot := url.Values{"name": {"bot"}, "phone": {"13700000000"}, "website": {"http://spam.example"}}
		if res, _ := o.post(path, "application/x-www-form-urlencoded", bot.Encode()); res.StatusCode != 202 {
			t.Fatalf("honeypot: %d", res.StatusCode)
		}
		status, body, _ := o.call("admin", "GET", "/api/v1/quarantine", "")
		items, _ := body["items"].([]any)
		if status != 200 || len(items) != 1 || items[0].(map[string]any)["reason"] != "honeypot" {
			t.Fatalf("quarantine: %d %v", status, body)
		}
		res, raw = o.post(path, "application/json", `{"name":"丙","phone":"13600000003"}`)
		if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" || !strings.Contains(raw, "rate_limited") {
			t.Fatalf("limit: %d %v %s", res.StatusCode, res.Header, raw)
		}
		for _, sc := range []struct {
			path, ct, body string
			status         int
		}{
			{"/api/v1/intake/nope", "application/json", `{"name":"丁","phone":"13600000004"}`, 404},
			{path, "text/plain", `hello`, 415},
		} {
			if res, raw := o.post(sc.path, sc.ct, sc.body); res.StatusCode != sc.status {
				t.Errorf("%s %s: %d %s", sc.path, sc.ct, res.StatusCode, raw)
			}
		}
		// A channel with a redirect sends a form on; a program still gets JSON.
		other := o.channel("展会", `,"redirect_url":"https://www.example.com/thanks"`)
		res, _ = o.post("/api/v1/intake/"+other["key"].(string), "application/x-www-form-urlencoded", url.Values{"name": {"戊"}, "email": {"wu@example.com"}}.Encode())
		if res.StatusCode != 303 || res.Header.Get("Location") != "https://www.example.com/thanks" {
			t.Fatalf("redirect: %d %v", res.StatusCode, res.Header)
		}
		res, raw = o.post("/api/v1/intake/"+other["key"].(string), "application/json", `{"name":"己","bogus":1,"email":"ji@example.com"}`)
		if res.StatusCode != 422 {
			t.Fatalf("unknown field: %d %s", res.StatusCode, raw)
		}
	})
}

// TestIntakeStorm: 500 simultaneous intakes over HTTP, handed out by
// round robin to two reps of holding limit 200, make 500 leads, one per
// contact (a contact sent 20 times at once makes one record), each
// assigned at most once, no rep past the limit, and the rest waiting in
// the unassigned queue.
func TestIntakeStorm(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		ctx := context.Background()
		const limit = 200
		for _, u := range []gonghai.User{o.a, o.b} {
			if _, err := o.db.UpdateUser(ctx, o.admin, u.ID, gonghai.UserPatch{HoldingLimit: ptr(limit)}); err != nil {
				t.Fatal(err)
			}
		}
		ch := o.channel("官网表单", `,"per_minute":0,"address_per_hour":0,"assignment":{"strategy":"round_robin","user_ids":["`+o.a.ID+`","`+o.b.ID+`"]}`)
		path := "/api/v1/intake/" + ch["key"].(string)
		const n, same = 500, 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		ids, joined, failed := map[string]int{}, 0, 0
		sem := make(chan struct{}, 100)
		for i := range n + same {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				phone := fmt.Sprintf("1500000%04d", i)
				if i >= n {
					phone = "15899999999"
				}
				res, raw := o.post(path, "application/json", `{"name":"访客","phone":"`+phone+`"}`)
				mu.Lock()
				defer mu.Unlock()
				if res.StatusCode != 202 {
					if failed++; failed < 5 {
						t.Errorf("intake %d: %d %s", i, res.StatusCode, raw)
					}
					return
				}
				id, _, _ := strings.Cut(strings.TrimPrefix(raw, `{"id":"`), `"`)
				ids[id]++
				if strings.Contains(raw, `"joined":true`) {
					joined++
				}
			})
		}
		wg.Wait()
		if failed > 0 || len(ids) != n+1 || joined != same-1 {
			t.Fatalf("%d records, %d joined, %d failed", len(ids), joined, failed)
		}
		owners := map[string]int{}
		for id := range ids {
			c, err := o.db.Customer(ctx, o.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			h, err := o.db.History(ctx, o.admin, id)
			if err != nil {
				t.Fatal(err)
			}
			assigned := 0
			for _, e := range h {
				if e.Kind == gonghai.EventAssigned {
					assigned++
				}
			}
			if c.OwnerID != "" {
				owners[c.OwnerID]++
			}
			if (c.OwnerID == "") != (assigned == 0) || assigned > 1 {
				t.Errorf("lead %s: owner %q after %d assignments", id, c.OwnerID, assigned)
			}
		}
		// rep.a owned one customer before.
		if owners[o.a.ID] != limit-1 || owners[o.b.ID] != limit {
			t.Errorf("owners: %v", owners)
		}
		queued, _, err := o.db.Unassigned(ctx, o.admin, gonghai.Page{Limit: 500})
		if err != nil || len(queued) != n+1-(2*limit-1) {
			t.Fatalf("queued: %d %v", len(queued), err)
		}
	})
}
