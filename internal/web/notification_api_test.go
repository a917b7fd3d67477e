package web_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai/internal/recycle"
)

// TestNotifications: the sweep reminds owners before the deadline and
// tells them when a customer went back; owners list and mark them read.
func TestNotifications(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		ctx := context.Background()
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1) // due day 8, reminded day 5 and day 7
		sweep := func(want recycle.Report) {
			t.Helper()
			got, err := r.sweeper.Once(ctx)
			if err != nil || got != want {
				t.Fatalf("sweep at %v: %+v %v, want %+v", r.clock.Now(), got, err, want)
			}
		}
		sweep(recycle.Report{})
		if n := r.items("rep.a", "/api/v1/me/notifications"); len(n) != 0 {
			t.Fatalf("notifications before any reminder: %s", jsonOf(n))
		}

		r.clock.Set(day(5).Add(time.Hour))
		sweep(recycle.Report{Reminded: 1})
		sweep(recycle.Report{})
		items := r.items("rep.a", "/api/v1/me/notifications")
		if len(items) != 1 {
			t.Fatalf("after the first reminder: %s", jsonOf(items))
		}
		first := items[0].(map[string]any)
		if first["kind"] != "recycle_warning" || first["customer_id"] != r.c1 || first["rule"] != "no_follow_up" ||
			first["days_left"] != 3.0 || first["read_at"] != nil || first["customer_name"] != "上海恒信科技有限公司" ||
			!strings.Contains(first["text"].(string), "【回收提醒】") || !strings.Contains(first["text"].(string), "还剩 3 天") {
			t.Fatalf("first reminder: %v", first)
		}
		wantAt(t, "reminder deadline", first["deadline"], day(8))
		wantDeadline(t, r.get("rep.a", r.c1), day(8), 3, day(7))

		r.clock.Set(day(7).Add(time.Hour))
		sweep(recycle.Report{Reminded: 1})
		r.clock.Set(day(8).Add(time.Hour))
		sweep(recycle.Report{Recycled: 1})
		sweep(recycle.Report{})
		if c := r.get("admin", r.c1); c["owner_id"] != nil || c["recycle"] != nil {
			t.Fatalf("after the deadline: owner %v, recycle %v", c["owner_id"], c["recycle"])
		}

		items = r.items("rep.a", "/api/v1/me/notifications")
		if len(items) != 3 {
			t.Fatalf("notifications: %s", jsonOf(items))
		}
		var kinds []string
		for _, it := range items {
			n := it.(map[string]any)
			kinds = append(kinds, fmt.Sprintf("%v/%v", n["kind"], n["days_left"]))
			if n["customer_id"] != r.c1 || n["read_at"] != nil {
				t.Fatalf("notification %v", n)
			}
			if j := jsonOf(n); strings.Contains(j, "13812348000") || strings.Contains(j, "zhang.wei@") {
				t.Fatalf("a notification carries contacts: %s", j)
			}
		}
		if want := []string{"recycled/0", "recycle_warning/1", "recycle_warning/3"}; !reflect.DeepEqual(kinds, want) {
			t.Fatalf("notifications newest first: %v, want %v", kinds, want)
		}
		if text := items[0].(map[string]any)["text"].(string); !strings.Contains(text, "【公海回收】") || !strings.Contains(text, "超期未跟进") {
			t.Fatalf("recycle notice text %q", text)
		}
		for _, as := range []string{"rep.b", "mgr.east", "admin"} {
			if n := r.items(as, "/api/v1/me/notifications"); len(n) != 0 {
				t.Fatalf("%s sees rep.a's notifications: %s", as, jsonOf(n))
			}
		}
		page := r.want("rep.a", "GET", "/api/v1/me/notifications?limit=2", "", 200)
		if got, _ := page["items"].([]any); len(got) != 2 || page["next_cursor"] == "" {
			t.Fatalf("first page of two: %v", page)
		}

		// Read up to the middle one: it and the older one.
		middle := items[1].(map[string]any)["id"].(string)
		if out := r.want("rep.b", "POST", "/api/v1/me/notifications/read", `{}`, 200); out["count"] != 0.0 {
			t.Fatalf("rep.b marked %v of rep.a's notifications read", out["count"])
		}
		if out := r.want("rep.a", "POST", "/api/v1/me/notifications/read", `{"up_to":"`+middle+`"}`, 200); out["count"] != 2.0 {
			t.Fatalf("read up to the middle one: %v, want count 2", out)
		}
		items = r.items("rep.a", "/api/v1/me/notifications")
		if items[0].(map[string]any)["read_at"] != nil || items[1].(map[string]any)["read_at"] == nil || items[2].(map[string]any)["read_at"] == nil {
			t.Fatalf("after reading up to the middle one: %s", jsonOf(items))
		}
		if out := r.want("rep.a", "POST", "/api/v1/me/notifications/read", `{}`, 200); out["count"] != 1.0 {
			t.Fatalf("read all: %v, want count 1", out)
		}
		for _, it := range r.items("rep.a", "/api/v1/me/notifications") {
			wantAt(t, "read_at", it.(map[string]any)["read_at"], r.clock.Now())
		}
		if out := r.want("rep.a", "POST", "/api/v1/me/notifications/read", `{}`, 200); out["count"] != 0.0 {
			t.Fatalf("read all again: %v, want count 0", out)
		}
		r.refused("", "GET", "/api/v1/me/notifications", "", 401, "unauthenticated", "")
	})
}
