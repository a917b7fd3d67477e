package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// TestChannelPages: an admin adds a channel from the list (a bad cap said
// on the form), finds its snippet posting to the channel's key with the
// honeypot, changes it, re-keys it; a form post from the snippet makes a
// lead counted on the list; a robot's post waits on the quarantine page,
// where the admin releases it into a lead. Reps see none of it.
func TestChannelPages(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("rep.a", "rep-pw-1234", gonghai.RoleRep)
		name := "线索池"
		p, err := o.db.CreatePool(o.ctx, o.admin, gonghai.PoolInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		admin := newPage(t, o.srv.URL)
		admin.signIn("boss", "admin-pw")
		wantPage(t, admin.get("/admin/channels"), http.StatusOK, "还没有渠道", `id="channel-form"`, "同所在池", `href="/admin/channels" aria-current="page"`)
		wantPage(t, admin.post("/admin/channels", url.Values{"name": {"官网表单"}, "pool_id": {p.ID}, "daily_cap": {"abc"}}),
			http.StatusUnprocessableEntity, `class="field-error"`)
		r := admin.post("/admin/channels", url.Values{"name": {"官网表单"}, "pool_id": {p.ID}, "strategy": {""}, "daily_cap": {"100"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/admin/channels/") {
			t.Fatalf("create: %d %s", r.Status, r.Location())
		}
		chURL, _, _ := strings.Cut(r.Location(), "?")
		chs, err := o.db.Channels(o.ctx, o.admin)
		if err != nil || len(chs) != 1 {
			t.Fatal(err)
		}
		ch := chs[0]
		wantPage(t, admin.get(r.Location()), http.StatusOK, "渠道已创建", `data-test="snippet"`,
			"/api/v1/intake/"+ch.Key+"&#34; method=&#34;post&#34;", "name=&#34;website&#34;")
		r = admin.post(chURL, url.Values{"name": {"官网表单"}, "pool_id": {p.ID}, "strategy": {"claim"}, "daily_cap": {"50"},
			"per_minute": {"60"}, "address_per_hour": {"5"}, "redirect_url": {""}, "active": {"on"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		if got, _ := o.db.Channel(o.ctx, o.admin, ch.ID); got.DailyCap != 50 || got.AddressPerHour != 5 || got.Assignment.Strategy != gonghai.StrategyClaim || !got.Active {
			t.Fatalf("saved: %+v", got)
		}
		r = admin.post(chURL+"/rotate-key", nil)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("rotate: %d", r.Status)
		}
		ch, _ = o.db.Channel(o.ctx, o.admin, ch.ID)

		visitor := newPage(t, o.srv.URL)
		r = visitor.post("/api/v1/intake/"+ch.Key, url.Values{"name": {"王五"}, "phone": {"13912345678"}, "website": {""}})
		wantPage(t, r, http.StatusAccepted, "提交成功")
		r = visitor.post("/api/v1/intake/"+ch.Key, url.Values{"name": {"bot"}, "phone": {"13700000000"}, "website": {"spam"}})
		wantPage(t, r, http.StatusAccepted, "提交成功")
		wantPage(t, admin.get("/admin/channels"), http.StatusOK, "新线索 1 · 再次提交 0 · 拦截 1", `data-test="quarantine-link"`)
		wantPage(t, admin.get("/admin/quarantine"), http.StatusOK, `data-test="held-row"`, "隐藏字段被填写", "13700000000")
		held, _ := o.db.Quarantine(o.ctx, o.admin, gonghai.QuarantineHeld, 10)
		r = admin.post("/admin/quarantine/"+held[0].ID+"/release", nil)
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/customers/") {
			t.Fatalf("release: %d %s", r.Status, r.Location())
		}
		wantPage(t, admin.get(r.Location()), http.StatusOK, "已放行")
		wantPage(t, admin.get("/admin/quarantine"), http.StatusOK, "没有拦截的提交")

		rep := newPage(t, o.srv.URL)
		rep.signIn("rep.a", "rep-pw-1234")
		for _, path := range []string{"/admin/channels", chURL, "/admin/quarantine"} {
			wantPage(t, rep.get(path), http.StatusForbidden)
		}
		wantPage(t, rep.post("/admin/channels", url.Values{"name": {"x"}, "pool_id": {p.ID}}), http.StatusForbidden)
	})
}
