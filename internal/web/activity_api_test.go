package web_test

import (
	"net/url"
	"testing"
	"time"
)

// TestFollowUps: a counting follow-up moves the deadline later, a note does
// not, one in the future is refused whole; the list is latest first.
func TestFollowUps(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		path := cust(r.c1) + "/followups"
		r.clock.Advance(48 * time.Hour) // Wednesday 09:00
		now := r.clock.Now()

		note := r.want("rep.a", "POST", path, `{"kind":"note","content":"客户说下周再联系"}`, 201)
		if note["kind"] != "note" || note["customer_id"] != r.c1 || note["user_id"] != r.a.ID || note["content"] != "客户说下周再联系" {
			t.Fatalf("logged note: %v", note)
		}
		wantAt(t, "an omitted at", note["at"], now)
		c := r.get("rep.a", r.c1)
		wantDeadline(t, c, day(8), 6, day(5))
		if c["last_follow_up_at"] != nil {
			t.Fatalf("a note counted as a follow-up: last_follow_up_at %v", c["last_follow_up_at"])
		}

		call := r.want("rep.a", "POST", path, `{"kind":"call","content":"电话沟通，客户下月有采购计划"}`, 201)
		c = r.get("rep.a", r.c1)
		wantDeadline(t, c, day(10), 8, day(7))
		wantAt(t, "last_follow_up_at", c["last_follow_up_at"], now)

		before := jsonOf(r.want("admin", "GET", path, "", 200))
		future := now.Add(time.Hour).Format(time.RFC3339)
		r.refused("rep.a", "POST", path, `{"kind":"call","content":"明天的电话","at":"`+future+`"}`, 422, "invalid", "at")
		r.refused("rep.a", "POST", path, `{"kind":"fax","content":"传真"}`, 422, "invalid", "kind")
		r.refused("rep.a", "POST", path, `{"kind":"call","content":""}`, 422, "invalid", "content")
		if after := jsonOf(r.want("admin", "GET", path, "", 200)); after != before {
			t.Fatalf("a refused follow-up was written:\nbefore %s\nafter  %s", before, after)
		}
		wantDeadline(t, r.get("rep.a", r.c1), day(10), 8, day(7))

		items := r.items("rep.a", path)
		if len(items) != 2 || items[0].(map[string]any)["id"] != call["id"] || items[1].(map[string]any)["id"] != note["id"] {
			t.Fatalf("follow-ups, want the call then the note: %s", jsonOf(items))
		}
		page := r.want("rep.a", "GET", path+"?limit=1", "", 200)
		first, _ := page["items"].([]any)
		if len(first) != 1 || first[0].(map[string]any)["id"] != call["id"] || page["next_cursor"] == "" {
			t.Fatalf("first page of one: %v", page)
		}
		page = r.want("rep.a", "GET", path+"?limit=1&cursor="+url.QueryEscape(page["next_cursor"].(string)), "", 200)
		second, _ := page["items"].([]any)
		if len(second) != 1 || second[0].(map[string]any)["id"] != note["id"] || page["next_cursor"] != "" {
			t.Fatalf("second and last page of one: %v", page)
		}

		// A counting follow-up logged late, for Monday, does not pull the
		// deadline back before the call's.
		r.want("rep.a", "POST", path, `{"kind":"visit","content":"上门拜访","at":"`+monday.Add(time.Hour).Format(time.RFC3339)+`"}`, 201)
		c = r.get("rep.a", r.c1)
		wantDeadline(t, c, day(10), 8, day(7))
		wantAt(t, "last_follow_up_at after a late entry", c["last_follow_up_at"], now)

		// Only those who may work on the customer log follow-ups.
		r.refused("rep.b", "POST", path, `{"kind":"call","content":"抢着打电话"}`, 404, "not_found", "")
		r.refused("rep.b", "GET", path, "", 404, "not_found", "")
		r.refused("rep.a", "POST", cust(r.cA)+"/followups", `{"kind":"call","content":"还没领取"}`, 403, "forbidden", "")
		if n := len(r.items("admin", path)); n != 3 {
			t.Fatalf("%d follow-ups, want 3", n)
		}
	})
}

// TestOpportunitiesAndOrders: opportunities open and close once; the first
// order marks the customer won; bad amounts and future days are refused.
func TestOpportunitiesAndOrders(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.setRules(sevenDays)
		r.claim("rep.a", r.c1)
		opps, orders := cust(r.c1)+"/opportunities", cust(r.c1)+"/orders"

		opp := r.want("rep.a", "POST", opps, `{"title":"年度软件采购","amount":"12800"}`, 201)
		if opp["status"] != "open" || opp["amount"] != "12800.00" || opp["customer_id"] != r.c1 || opp["created_by"] != r.a.ID ||
			opp["closed_at"] != nil || opp["title"] != "年度软件采购" {
			t.Fatalf("opened opportunity: %v", opp)
		}
		c := r.get("rep.a", r.c1)
		if c["open_opportunities"] != 1.0 {
			t.Fatalf("open_opportunities = %v, want 1", c["open_opportunities"])
		}
		wantAt(t, "last_opportunity_at", c["last_opportunity_at"], monday)

		oppPath := "/api/v1/opportunities/" + opp["id"].(string)
		r.refused("rep.b", "PATCH", oppPath, `{"status":"won"}`, 404, "not_found", "")
		r.refused("rep.a", "PATCH", oppPath, `{"status":"open"}`, 422, "invalid", "status")
		won := r.want("rep.a", "PATCH", oppPath, `{"status":"won"}`, 200)
		if won["status"] != "won" || won["closed_at"] == nil {
			t.Fatalf("won opportunity: %v", won)
		}
		r.refused("rep.a", "PATCH", oppPath, `{"status":"won"}`, 409, "conflict", "")
		r.refused("rep.a", "PATCH", oppPath, `{"status":"lost"}`, 409, "conflict", "")
		if c := r.get("rep.a", r.c1); c["open_opportunities"] != 0.0 {
			t.Fatalf("open_opportunities after closing = %v, want 0", c["open_opportunities"])
		}
		r.refused("rep.a", "POST", opps, `{"title":"二期","amount":"abc"}`, 422, "invalid", "amount")
		if items := r.items("rep.a", opps); len(items) != 1 || items[0].(map[string]any)["status"] != "won" {
			t.Fatalf("opportunities: %s", jsonOf(items))
		}

		if c := r.get("rep.a", r.c1); c["won"] != false || c["won_at"] != nil {
			t.Fatalf("won before any order: %v %v", c["won"], c["won_at"])
		}
		today := r.clock.Now().In(shanghai).Format(time.DateOnly)
		order := r.want("rep.a", "POST", orders, `{"amount":"12800.50","ordered_on":"`+today+`"}`, 201)
		if order["amount"] != "12800.50" || order["ordered_on"] != today || order["customer_id"] != r.c1 || order["created_by"] != r.a.ID {
			t.Fatalf("recorded order: %v", order)
		}
		c = r.get("rep.a", r.c1)
		if c["won"] != true {
			t.Fatalf("won after the first order = %v", c["won"])
		}
		wantAt(t, "won_at", c["won_at"], day(0))
		wantAt(t, "last_order_at", c["last_order_at"], day(0))

		tomorrow := r.clock.Now().In(shanghai).AddDate(0, 0, 1).Format(time.DateOnly)
		r.refused("rep.a", "POST", orders, `{"amount":"abc","ordered_on":"`+today+`"}`, 422, "invalid", "amount")
		r.refused("rep.a", "POST", orders, `{"amount":"1.234","ordered_on":"`+today+`"}`, 422, "invalid", "amount")
		r.refused("rep.a", "POST", orders, `{"amount":"100","ordered_on":"`+tomorrow+`"}`, 422, "invalid", "ordered_on")
		r.refused("rep.a", "POST", orders, `{"amount":"100","ordered_on":"2026-02-30"}`, 422, "invalid", "ordered_on")
		if items := r.items("rep.a", orders); len(items) != 1 || items[0].(map[string]any)["id"] != order["id"] {
			t.Fatalf("a refused order was written: %s", jsonOf(items))
		}

		// An order for an earlier day moves won_at back, not last_order_at.
		r.want("rep.a", "POST", orders, `{"amount":"500","ordered_on":"`+date(-1)+`"}`, 201)
		c = r.get("rep.a", r.c1)
		wantAt(t, "won_at after an earlier order", c["won_at"], day(-1))
		wantAt(t, "last_order_at after an earlier order", c["last_order_at"], day(0))
		if items := r.items("rep.a", orders); len(items) != 2 || items[0].(map[string]any)["id"] != order["id"] {
			t.Fatalf("orders, latest first: %s", jsonOf(items))
		}
		// no_follow_up does not exempt won customers: the clock still runs.
		wantDeadline(t, c, day(8), 8, day(5))
	})
}
