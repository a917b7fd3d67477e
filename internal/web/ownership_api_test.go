package web_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
)

// TestHandOver: an admin hands a rep's whole private pool to another rep;
// each customer moves with a fresh deadline under the new owner.
func TestHandOver(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		r.claim("rep.a", r.cA)
		r.clock.Set(day(3).Add(9 * time.Hour)) // Thursday 09:00
		now := r.clock.Now()
		path := "/api/v1/users/" + r.a.ID + "/handover"
		body := `{"to_user_id":"` + r.b.ID + `","reason":"离职交接"}`

		r.refused("rep.a", "POST", path, body, 403, "forbidden", "")
		r.refused("admin", "POST", path, `{"to_user_id":"`+r.b.ID+`","reason":""}`, 422, "invalid", "reason")
		r.refused("admin", "POST", path, `{"to_user_id":"`+r.a.ID+`","reason":"离职交接"}`, 422, "invalid", "to_user_id")
		if n := len(r.items("rep.a", "/api/v1/me/customers")); n != 2 {
			t.Fatalf("refused hand-overs moved customers: rep.a owns %d", n)
		}

		if out := r.want("admin", "POST", path, body, 200); out["count"] != 2.0 {
			t.Fatalf("hand-over answered %v, want count 2", out)
		}
		for _, sc := range []struct {
			id   string
			days int
		}{{r.c1, 7}, {r.cA, 14}} {
			c := r.get("rep.b", sc.id)
			if c["owner_id"] != r.b.ID {
				t.Fatalf("customer %s after the hand-over: owner %v", sc.id, c["owner_id"])
			}
			wantAt(t, "owned_since", c["owned_since"], now)
			wantDeadline(t, c, gonghai.AddDays(now, sc.days+1, shanghai), sc.days+1, gonghai.AddDays(now, sc.days-2, shanghai))
			hist := r.items("admin", cust(sc.id)+"/history")
			last := hist[len(hist)-1].(map[string]any)
			if last["kind"] != "transferred" || last["from_owner_id"] != r.a.ID || last["to_owner_id"] != r.b.ID ||
				last["reason"] != "离职交接" || last["actor_id"] != r.admin.ID {
				t.Fatalf("the hand-over's event: %v", last)
			}
		}
		if n := len(r.items("rep.a", "/api/v1/me/customers")); n != 0 {
			t.Fatalf("rep.a still owns %d customers", n)
		}
		if n := len(r.items("rep.b", "/api/v1/me/customers")); n != 2 {
			t.Fatalf("rep.b owns %d customers, want 2", n)
		}
		if out := r.want("admin", "POST", path, body, 200); out["count"] != 0.0 {
			t.Fatalf("a second hand-over answered %v, want count 0", out)
		}
	})
}
