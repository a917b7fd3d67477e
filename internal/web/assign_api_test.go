package web_test

import "testing"

// TestAssignmentAPI: a pool's assignment is set through the pool's PATCH
// and validated; the preview names who gets the next customers; reps set
// their own away time and pause but not their cap; distribute shares
// customers out with a result per row; the unassigned queue answers by
// role.
func TestAssignmentAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		pool := "/api/v1/pools/" + o.pool.ID
		// Weights only for members: rep.north is not one.
		status, body, _ := o.call("admin", "PATCH", pool, `{"assignment":{"strategy":"weighted","weights":{"`+o.north.ID+`":2}}}`)
		if fields, _ := body["fields"].(map[string]any); status != 422 || fields["assignment.weights"] == nil {
			t.Fatalf("weights of a non-member: %d %v", status, body)
		}
		// A bad assignment with a good name changes neither.
		status, _, _ = o.call("admin", "PATCH", pool, `{"name":"改名","assignment":{"strategy":"rules","rules":[{"name":"x"}]}}`)
		if status != 422 {
			t.Fatalf("a rule without a target: %d", status)
		}
		if _, body, _ := o.call("admin", "GET", pool, ""); body["name"] != "华东公海" {
			t.Fatalf("a refused patch renamed the pool: %v", body["name"])
		}
		status, body, _ = o.call("admin", "PATCH", pool, `{"assignment":{"strategy":"weighted","weights":{"`+o.a.ID+`":3}}}`)
		a, _ := body["assignment"].(map[string]any)
		if status != 200 || a["strategy"] != "weighted" {
			t.Fatalf("set weighted: %d %v", status, body)
		}
		// rep.a weighs 3, rep.b 1: of the next four, three go to rep.a.
		// mgr.east, a member by department, is no candidate: automatic
		// hand-out is for reps unless the assignment names a manager.
		status, body, _ = o.call("admin", "GET", pool+"/assignment-preview?n=4", "")
		if status != 200 {
			t.Fatalf("preview: %d %v", status, body)
		}
		count := map[any]int{}
		for _, d := range body["items"].([]any) {
			count[d.(map[string]any)["user_id"]]++
		}
		if count[o.a.ID] != 3 || count[o.b.ID] != 1 || count[o.east.ID] != 0 {
			t.Fatalf("preview counts %v", count)
		}
		if status, _, _ := o.call("rep.a", "GET", pool+"/assignment-preview", ""); status != 403 {
			t.Fatalf("a rep previewed: %d", status)
		}

		me := "/api/v1/users/" + o.a.ID
		status, body, _ = o.call("rep.a", "PATCH", me, `{"away_until":"2030-01-02T03:04:05Z","assign_paused":true}`)
		if status != 200 || body["away_until"] != "2030-01-02T03:04:05Z" || body["assign_paused"] != true {
			t.Fatalf("away: %d %v", status, body)
		}
		if status, _, _ := o.call("rep.a", "PATCH", me, `{"daily_assign_cap":5}`); status != 403 {
			t.Fatalf("a rep set their cap: %d", status)
		}
		if status, _, _ := o.call("rep.a", "PATCH", "/api/v1/users/"+o.b.ID, `{"assign_paused":true}`); status != 404 {
			t.Fatalf("a rep paused another: %d", status)
		}
		status, body, _ = o.call("mgr.east", "PATCH", me, `{"away_until":null,"daily_assign_cap":5}`)
		if status != 200 || body["away_until"] != nil || body["daily_assign_cap"] != float64(5) {
			t.Fatalf("manager: %d %v", status, body)
		}

		status, body, _ = o.call("admin", "POST", pool+"/distribute", `{"customer_ids":["`+o.inPool+`","`+o.ownedByA+`"],"user_ids":["`+o.b.ID+`"]}`)
		if status != 200 || body["assigned"] != float64(1) {
			t.Fatalf("distribute: %d %v", status, body)
		}
		rows := body["results"].([]any)
		if r := rows[0].(map[string]any); r["ok"] != true || r["user_id"] != o.b.ID {
			t.Fatalf("row 0: %v", r)
		}
		if r := rows[1].(map[string]any); r["ok"] != false || r["code"] == "" {
			t.Fatalf("row 1 (owned already): %v", r)
		}

		if status, body, _ := o.call("admin", "GET", "/api/v1/unassigned", ""); status != 200 || len(body["items"].([]any)) != 0 {
			t.Fatalf("queue: %d %v", status, body)
		}
		if status, _, _ := o.call("rep.a", "GET", "/api/v1/unassigned", ""); status != 403 {
			t.Fatalf("a rep saw the queue: %d", status)
		}
		if status, body, _ := o.call("mgr.east", "POST", "/api/v1/unassigned/retry", ""); status != 200 || body["assigned"] != float64(0) {
			t.Fatalf("retry: %d %v", status, body)
		}
	})
}
