package web_test

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai/internal/score"
)

// TestClaimNextAPI: a pool set to claim in score order lists its
// customers best-scored first with their scores and factors, refuses a
// claim out of order with 409 claim_out_of_order, and hands the next one
// to claim-next.
func TestClaimNextAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		pool := "/api/v1/pools/" + o.pool.ID
		status, body, _ := o.call("admin", "PATCH", pool, `{"claim_order":"score"}`)
		if status != 200 || body["claim_order"] != "score" {
			t.Fatalf("set claim order: %d %v", status, body)
		}
		ids := map[string]string{}
		for _, c := range []struct{ company, category string }{{"宁波低分", "C"}, {"宁波高分", "A"}} {
			status, body, _ := o.call("admin", "POST", "/api/v1/customers",
				`{"pool_id":"`+o.pool.ID+`","company":"`+c.company+`","category":"`+c.category+`","allow_similar":true}`)
			if status != 201 {
				t.Fatalf("create: %d %v", status, body)
			}
			ids[c.category] = body["id"].(string)
		}
		if _, err := o.db.Rescore(context.Background(), score.Model{Kind: score.KindRules}, false); err != nil {
			t.Fatal(err)
		}
		status, body, _ = o.call("rep.b", "GET", pool+"/customers?sort=score", "")
		if status != 200 {
			t.Fatalf("list by score: %d %v", status, body)
		}
		first := body["items"].([]any)[0].(map[string]any)
		sc, _ := first["score"].(map[string]any)
		if first["id"] != ids["A"] || sc["value"] != float64(55) {
			t.Fatalf("first by score: %v", first)
		}
		if fs, _ := sc["factors"].([]any); len(fs) != 1 || fs[0].(map[string]any)["feature"] != "category" {
			t.Fatalf("factors: %v", sc)
		}
		// Each row says before the click that only the next one may be claimed.
		if first["claimable"] != true {
			t.Errorf("the next one is not claimable: %v", first)
		}
		for _, it := range body["items"].([]any) {
			row := it.(map[string]any)
			if row["id"] == ids["A"] {
				continue
			}
			if ref, _ := row["claim_refusal"].(map[string]any); row["claimable"] != false || ref["code"] != "claim_out_of_order" {
				t.Errorf("a row after the next one: %v", row)
			}
		}
		status, body, _ = o.call("rep.b", "POST", "/api/v1/customers/"+ids["C"]+"/claim", `{}`)
		if status != 409 || body["code"] != "claim_out_of_order" {
			t.Fatalf("claim out of order: %d %v", status, body)
		}
		status, body, _ = o.call("rep.b", "POST", pool+"/claim-next", "")
		if status != 200 || body["id"] != ids["A"] || body["owner_id"] != o.b.ID {
			t.Fatalf("claim next: %d %v", status, body)
		}
		status, body, _ = o.call("rep.b", "GET", pool+"/customers?sort=nonsense", "")
		if status != 422 {
			t.Fatalf("bad sort: %d %v", status, body)
		}
		status, body, _ = o.call("admin", "PATCH", "/api/v1/settings", `{"level_a_limits":{"junior":2}}`)
		if la, _ := body["level_a_limits"].(map[string]any); status != 200 || la["junior"] != float64(2) {
			t.Fatalf("settings: %d %v", status, body)
		}
	})
}
