package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

func TestAdminSettings(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")
		if r := admin.get("/admin/settings"); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="time_zone" value="Asia/Shanghai"`) {
			t.Fatalf("settings page: %d\n%.1200s", r.Status, r.Body)
		}
		form := url.Values{"time_zone": {"Asia/Shanghai"}, "level": {"junior", "senior", ""}, "level_limit": {"100", "200", ""},
			"stages": {"初步接触\n需求确认\n赢单"}, "webhook_url": {"https://oapi.dingtalk.com/robot/send?access_token=t"},
			"webhook_format": {"robot_text"}, "reveal_daily_quota": {"10"}, "exclude_won_from_holding": {"on"}}
		if r := admin.post("/admin/settings", form); r.Status != http.StatusSeeOther {
			t.Fatalf("save settings: %d\n%.800s", r.Status, r.Body)
		}
		s, _ := o.db.Settings(o.ctx)
		if s.LevelHoldingLimits["senior"] != 200 || len(s.LevelHoldingLimits) != 2 || !slices.Equal(s.Stages, []string{"初步接触", "需求确认", "赢单"}) ||
			s.WebhookFormat != gonghai.WebhookRobotText || s.RevealDailyQuota != 10 || !s.ExcludeWonFromHolding {
			t.Fatalf("saved settings: %+v", s)
		}
		form.Set("time_zone", "Mars/Olympus")
		form.Set("webhook_url", "ftp://x")
		r := admin.post("/admin/settings", form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "请填写 IANA 时区") || !strings.Contains(r.Body, "请填写 http 或 https 地址") {
			t.Fatalf("invalid settings: %d\n%.1500s", r.Status, r.Body)
		}
		if after, _ := o.db.Settings(o.ctx); after.TimeZone != "Asia/Shanghai" || after.WebhookURL != s.WebhookURL {
			t.Fatalf("refused settings were saved: %+v", after)
		}
	})
}

func TestAdminAudit(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")
		r := admin.get("/admin/audit?action=pool_change")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `data-action="pool_change"`) || strings.Contains(r.Body, `data-action="login"`) {
			t.Fatalf("audit by action: %d\n%.1500s", r.Status, r.Body)
		}
		if r := admin.get("/admin/audit?actor=" + o.admin.ID); !strings.Contains(r.Body, `data-action="login"`) ||
			!strings.Contains(r.Body, "boss") {
			t.Fatalf("audit by actor:\n%.1500s", r.Body)
		}
		// The test clock stands on 2 March 2026: a range that ends the day
		// before lists nothing; one that holds it lists the day's entries.
		if r := admin.get("/admin/audit?to=2026-03-01"); strings.Contains(r.Body, `data-test="audit-row"`) {
			t.Fatalf("entries before 2 March:\n%.1500s", r.Body)
		}
		if r := admin.get("/admin/audit?from=2026-03-02&to=2026-03-02"); !strings.Contains(r.Body, `data-test="audit-row"`) {
			t.Fatalf("no entries on 2 March:\n%.1500s", r.Body)
		}
		if r := admin.get("/admin/audit?from=yesterday"); r.Status != http.StatusOK || !strings.Contains(r.Body, "日期格式应为") {
			t.Fatalf("a bad date: %d\n%.800s", r.Status, r.Body)
		}
		// Pages of 50: more entries than that have a next page.
		for i := range 30 {
			o.person("filler"+strconv.Itoa(i), "filler-pw", gonghai.RoleRep)
		}
		r = admin.get("/admin/audit")
		if n := strings.Count(r.Body, `data-test="audit-row"`); n != 50 || !strings.Contains(r.Body, `data-test="audit-next"`) {
			t.Fatalf("first page: %d rows, next link %v", n, strings.Contains(r.Body, `data-test="audit-next"`))
		}
	})
}

// TestAdminRefused: a rep, and a manager, get the refusal page for every
// admin page and form, and nothing changes.
func TestAdminRefused(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		o.person("mgr.zhao", "mgr-pw-123", gonghai.RoleManager)
		for _, who := range []struct{ login, pw string }{{"rep.li", "rep-pw-123"}, {"mgr.zhao", "mgr-pw-123"}} {
			p := a.signedIn(t, who.login, who.pw)
			for _, path := range []string{"/admin/pools", "/admin/pools/new", "/admin/pools/" + a.pool.ID, "/admin/users",
				"/admin/users/" + a.rep.ID, "/admin/departments", "/admin/settings", "/admin/audit"} {
				r := p.get(path)
				if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 403 or 404", who.login, path, r.Status)
				}
				if !strings.Contains(r.Body, "<html") || strings.Contains(r.Body, "admin-tabs") {
					t.Errorf("%s GET %s: not the error page\n%.400s", who.login, path, r.Body)
				}
			}
			for path, form := range map[string]url.Values{
				"/admin/pools/new":                       poolForm(a.pool, "5"),
				"/admin/pools/" + a.pool.ID:              poolForm(a.pool, "5"),
				"/admin/pools/" + a.pool.ID + "/preview": poolForm(a.pool, "5"),
				"/admin/users":                           {"login": {"x.y"}, "name": {"x"}, "role": {"admin"}, "password": {"long-enough"}},
				"/admin/users/" + a.rep.ID:               {"role": {"admin"}},
				"/admin/users/" + a.rep.ID + "/active":   {"active": {"false"}},
				"/admin/users/" + a.rep.ID + "/password": {"password": {"taken-over"}},
				"/admin/departments":                     {"name": {"x"}},
				"/admin/settings":                        {"time_zone": {"UTC"}, "webhook_format": {"json"}},
			} {
				if r := p.post(path, form); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
					t.Errorf("%s POST %s: %d, want 403 or 404", who.login, path, r.Status)
				}
			}
		}
		if p, _ := o.db.Pool(o.ctx, o.admin, a.pool.ID); p.Recycle.Rules[0].Days != 30 {
			t.Error("a refused form changed the pool")
		}
		if u, _ := o.db.User(o.ctx, o.admin, a.rep.ID); u.Role != gonghai.RoleRep || !u.Active {
			t.Error("a refused form changed the rep")
		}
		newPage(t, o.srv.URL).signIn("rep.li", "rep-pw-123") // the password stands
		if s, _ := o.db.Settings(o.ctx); s.TimeZone != "Asia/Shanghai" {
			t.Error("a refused form changed the settings")
		}
	})
}
