package web_test

import (
	"strings"
	"testing"
	"time"
)

// TestSettingsStagesAndWebhook: the admin sets the stages and the webhook;
// others read the stages but never the webhook's URL; a customer's stage
// must be one of the list.
func TestSettingsStagesAndWebhook(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		const secret = "robot-access-token-8d2f"
		hook := "https://oapi.dingtalk.com/robot/send?access_token=" + secret
		stages := `["初步接触","需求确认","方案报价","赢单"]`
		put := `{"time_zone":"Asia/Shanghai","level_holding_limits":{},"exclude_won_from_holding":false,"stages":` + stages +
			`,"webhook_url":"` + hook + `","webhook_format":"robot_text"}`
		for _, got := range []map[string]any{r.want("admin", "PATCH", "/api/v1/settings", put, 200), r.want("admin", "GET", "/api/v1/settings", "", 200)} {
			if jsonOf(got["stages"]) != stages || got["webhook_url"] != hook || got["webhook_format"] != "robot_text" || got["time_zone"] != "Asia/Shanghai" {
				t.Fatalf("settings as the admin reads them: %v", got)
			}
		}
		for _, as := range []string{"rep.a", "mgr.east"} {
			got := r.want(as, "GET", "/api/v1/settings", "", 200)
			if j := jsonOf(got); strings.Contains(j, secret) || strings.Contains(j, "dingtalk") || (got["webhook_url"] != nil && got["webhook_url"] != "") {
				t.Fatalf("%s reads the webhook's URL: %s", as, j)
			}
			if jsonOf(got["stages"]) != stages {
				t.Fatalf("%s reads stages %v", as, got["stages"])
			}
		}

		// Omitted stages and webhook stay as they are.
		r.want("admin", "PATCH", "/api/v1/settings", `{"time_zone":"Asia/Shanghai","level_holding_limits":{"junior":30},"exclude_won_from_holding":true}`, 200)
		got := r.want("admin", "GET", "/api/v1/settings", "", 200)
		if jsonOf(got["stages"]) != stages || got["webhook_url"] != hook || got["webhook_format"] != "robot_text" ||
			got["exclude_won_from_holding"] != true || jsonOf(got["level_holding_limits"]) != `{"junior":30}` {
			t.Fatalf("settings after a PATCH without stages or webhook: %v", got)
		}
		before := jsonOf(got)
		base := `{"time_zone":"Asia/Shanghai","level_holding_limits":{},"exclude_won_from_holding":false,`
		for _, sc := range []struct{ body, field string }{
			{base + `"webhook_url":"ftp://example.com/hook"}`, "webhook_url"},
			{base + `"webhook_url":"not a url"}`, "webhook_url"},
			{base + `"webhook_format":"xml"}`, "webhook_format"},
			{base + `"stages":["初步接触","初步接触"]}`, "stages"},
			{base + `"stages":[""]}`, "stages"},
		} {
			r.refused("admin", "PATCH", "/api/v1/settings", sc.body, 422, "invalid", sc.field)
			if after := jsonOf(r.want("admin", "GET", "/api/v1/settings", "", 200)); after != before {
				t.Fatalf("refused settings %s were written:\nbefore %s\nafter  %s", sc.body, before, after)
			}
		}
		r.refused("rep.a", "PATCH", "/api/v1/settings", put, 403, "forbidden", "")

		r.claim("rep.a", r.c1)
		r.refused("rep.a", "PATCH", cust(r.c1), `{"stage":"谈判"}`, 422, "invalid", "stage")
		if c := r.get("rep.a", r.c1); c["stage"] != "" || c["last_stage_change_at"] != nil {
			t.Fatalf("a refused stage was written: %v %v", c["stage"], c["last_stage_change_at"])
		}
		r.clock.Advance(time.Hour)
		c := r.want("rep.a", "PATCH", cust(r.c1), `{"stage":"需求确认"}`, 200)
		if c["stage"] != "需求确认" {
			t.Fatalf("stage after PATCH: %v", c["stage"])
		}
		wantAt(t, "last_stage_change_at", c["last_stage_change_at"], r.clock.Now())

		// An empty URL turns the webhook off.
		r.want("admin", "PATCH", "/api/v1/settings", base+`"webhook_url":"","webhook_format":"json"}`, 200)
		if got := r.want("admin", "GET", "/api/v1/settings", "", 200); got["webhook_url"] != "" || got["webhook_format"] != "json" {
			t.Fatalf("settings after clearing the webhook: %v", got)
		}
	})
}
