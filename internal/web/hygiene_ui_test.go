package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// hygieneRig is a pool whose admin is a rep (pa), a member rep and two
// customers of the pool.
type hygieneRig struct {
	*signIn
	pa, rep gonghai.User
	pool    gonghai.Pool
	c1, c2  gonghai.Customer
}

func newHygieneRig(t *testing.T, o *signIn) *hygieneRig {
	t.Helper()
	h := &hygieneRig{signIn: o, pa: o.person("pool.admin", "pa-pw-1234", gonghai.RoleRep), rep: o.person("rep.a", "rep-pw-1234", gonghai.RoleRep)}
	name, members, admins := "华东公海", []string{h.rep.ID}, []string{h.pa.ID}
	var err error
	if h.pool, err = o.db.CreatePool(o.ctx, o.admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &members, AdminUserIDs: &admins}); err != nil {
		t.Fatal(err)
	}
	for i, c := range []*gonghai.Customer{&h.c1, &h.c2} {
		*c, err = o.db.CreateCustomer(o.ctx, o.admin, gonghai.NewCustomer{PoolID: h.pool.ID, CustomerFields: gonghai.CustomerFields{
			Company: []string{"北京星辰科技有限公司", "上海恒信贸易有限公司"}[i], Phone: []string{"13812340001", "13812340002"}[i]}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func wantPage(t *testing.T, r pageResult, status int, contains ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d\n%.600s", r.Status, status, r.Body)
	}
	for _, s := range contains {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("page lacks %q\n%s", s, r.Body[strings.Index(r.Body, "<main"):])
		}
	}
}

// TestHygienePages: a rep flags a pool customer from the pool page, once;
// the pool's admin sees the flag count and who flagged, marks it invalid
// (a bad note refused with the form shown again), finds it gone from the
// pool and in the archive with its reason and days left, and restores it;
// the rules page previews and saves a pool's rules; reps see neither the
// archive nor the rules.
func TestHygienePages(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		h := newHygieneRig(t, o)
		poolURL := "/pool?pool=" + h.pool.ID
		rep := newPage(t, o.srv.URL)
		rep.signIn("rep.a", "rep-pw-1234")
		wantPage(t, rep.get(poolURL), http.StatusOK, `data-test="flag-invalid"`, "报告无效")
		if r := rep.get(poolURL); strings.Contains(r.Body, `data-test="mark-invalid"`) || strings.Contains(r.Body, `id="archive-link"`) {
			t.Errorf("a rep is offered the mark or the archive")
		}
		form := "/customers/" + h.c1.ID + "/invalid"
		wantPage(t, rep.get(form+"?back="+url.QueryEscape(poolURL)), http.StatusOK, `action="/customers/`+h.c1.ID+`/flag"`, "空号", "无需求")
		r := rep.post("/customers/"+h.c1.ID+"/flag", url.Values{"reason": {"empty_number"}, "back": {poolURL}})
		if r.Status != http.StatusSeeOther || !strings.Contains(r.Location(), "hygiene.flash.flagged") {
			t.Fatalf("flag: %d %s", r.Status, r.Location())
		}
		wantPage(t, rep.get(r.Location()), http.StatusOK, "已报告，公海管理员会看到", `data-test="flagged"`)
		r = rep.post("/customers/"+h.c1.ID+"/flag", url.Values{"reason": {"closed"}, "back": {poolURL}})
		if !strings.Contains(r.Location(), "hygiene.flash.already") {
			t.Errorf("second flag: %d %s", r.Status, r.Location())
		}
		wantPage(t, rep.post(form, url.Values{"reason": {"closed"}}), http.StatusForbidden)
		wantPage(t, rep.get("/admin/archive"), http.StatusForbidden)
		wantPage(t, rep.get("/admin/hygiene"), http.StatusForbidden)

		pa := newPage(t, o.srv.URL)
		pa.signIn("pool.admin", "pa-pw-1234")
		wantPage(t, pa.get(poolURL), http.StatusOK, `data-test="mark-invalid"`, `data-test="flag-count">1 人报告`, `id="archive-link"`)
		wantPage(t, pa.get(form), http.StatusOK, `data-test="flag"`, "王芳", "空号", `action="/customers/`+h.c1.ID+`/invalid"`)
		wantPage(t, pa.post(form, url.Values{"reason": {"other"}, "back": {poolURL}}), http.StatusUnprocessableEntity, `class="field-error"`)
		r = pa.post(form, url.Values{"reason": {"empty_number"}, "back": {poolURL}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/pool?") || !strings.Contains(r.Location(), "hygiene.flash.marked") {
			t.Fatalf("mark: %d %s", r.Status, r.Location())
		}
		if p := pa.get(poolURL); strings.Contains(p.Body, h.c1.Company) || !strings.Contains(p.Body, h.c2.Company) {
			t.Errorf("the pool still lists the marked customer, or lost the other")
		}
		wantPage(t, pa.get("/admin/archive"), http.StatusOK, h.c1.Company, "空号", "华东公海", `data-test="days-left">30 天后清除`, `data-test="restore"`)
		if p := pa.get("/admin/archive"); strings.Contains(p.Body, "13812340001") {
			t.Errorf("the archive shows a full phone number")
		}

		admin := newPage(t, o.srv.URL)
		admin.signIn("boss", "admin-pw")
		wantPage(t, admin.get("/customers/"+h.c1.ID), http.StatusOK, `id="archived"`, "已标记无效", `id="restore"`)
		wantPage(t, admin.get("/admin/archive"), http.StatusOK, `href="/admin/archive" aria-current="page"`)

		r = pa.post("/admin/archive/"+h.c1.ID+"/restore", nil)
		if r.Status != http.StatusSeeOther || r.Location() != "/admin/archive?flash=hygiene.flash.restored" {
			t.Fatalf("restore: %d %s", r.Status, r.Location())
		}
		wantPage(t, pa.get(poolURL), http.StatusOK, h.c1.Company)
		wantPage(t, rep.post("/admin/archive/"+h.c2.ID+"/restore", nil), http.StatusNotFound)

		// Rules: preview, then save; a bad number is said on the form.
		rules := "/admin/hygiene/" + h.pool.ID
		wantPage(t, pa.get("/admin/hygiene"), http.StatusOK, `data-test="pool-rules"`, "华东公海")
		wantPage(t, pa.post(rules, url.Values{"unclaimed_days": {"0"}, "flagged_by": {"abc"}, "action": {"save"}}),
			http.StatusUnprocessableEntity, `class="field-error"`)
		o.clock.Advance(31 * 24 * 3600e9)
		pa.signIn("pool.admin", "pa-pw-1234") // the session ended meanwhile
		admin.signIn("boss", "admin-pw")
		wantPage(t, pa.post(rules, url.Values{"unclaimed_days": {"30"}, "flagged_by": {"0"}, "action": {"preview"}}),
			http.StatusOK, `data-test="preview">按此规则，现在将标记：无人领取 2 个，多人报告 0 个。`)
		if r := pa.post(rules, url.Values{"unclaimed_days": {"30"}, "flagged_by": {"3"}, "action": {"save"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("save rules: %d\n%.600s", r.Status, r.Body)
		}
		if got, err := o.db.PoolHygiene(o.ctx, o.admin, h.pool.ID); err != nil || got.UnclaimedDays != 30 || got.FlaggedBy != 3 {
			t.Errorf("saved rules %+v, %v", got, err)
		}
		wantPage(t, pa.post("/admin/hygiene/days", url.Values{"archive_days": {"14"}}), http.StatusForbidden)
		wantPage(t, admin.post("/admin/hygiene/days", url.Values{"archive_days": {"0"}}), http.StatusUnprocessableEntity, "1 至 3650")
		if r := admin.post("/admin/hygiene/days", url.Values{"archive_days": {"14"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("archive days: %d", r.Status)
		}
		if n, _ := o.db.ArchiveDays(o.ctx); n != 14 {
			t.Errorf("archive days %d, want 14", n)
		}
	})
}

// TestHygieneAPI: the API's routes for flags, marks, the archive, restores
// and rules, each refusal with its documented code.
func TestHygieneAPI(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		h := newHygieneRig(t, o)
		bearer := map[string]string{"Authorization": "Bearer " + o.token}
		call := func(method, path, body string) answer {
			t.Helper()
			return o.do(req{method: method, path: path, body: body, header: bearer})
		}
		c := "/api/v1/customers/" + h.c1.ID
		if a := call("POST", c+"/flags", `{"reason":"closed"}`); a.status != http.StatusCreated || a.body["reason"] != "closed" {
			t.Fatalf("flag: %d %v", a.status, a.body)
		}
		wantProblem(t, call("POST", c+"/flags", `{"reason":"closed"}`), http.StatusConflict, gonghai.EAlreadyFlagged)
		wantProblem(t, call("POST", c+"/invalid", `{"reason":"nope"}`), http.StatusUnprocessableEntity, gonghai.EInvalid)
		if a := call("GET", c+"/flags", ""); a.status != 200 || len(a.body["items"].([]any)) != 1 {
			t.Fatalf("flags: %d %v", a.status, a.body)
		}
		a := call("POST", c+"/invalid", `{"reason":"other","note":"公司已注销"}`)
		if a.status != 200 || a.body["reason"] != "other" || a.body["from_pool_id"] != h.pool.ID || a.body["purge_at"] == nil {
			t.Fatalf("mark: %d %v", a.status, a.body)
		}
		wantProblem(t, call("POST", c+"/invalid", `{"reason":"closed"}`), http.StatusConflict, gonghai.EArchived)
		wantProblem(t, call("POST", c+"/claim", ""), http.StatusConflict, gonghai.EArchived)
		if a := call("GET", "/api/v1/archive", ""); a.status != 200 || len(a.body["items"].([]any)) != 1 {
			t.Fatalf("archive: %d %v", a.status, a.body)
		}
		if a := call("POST", c+"/restore", ""); a.status != 200 || a.body["pool_id"] != h.pool.ID {
			t.Fatalf("restore: %d %v", a.status, a.body)
		}
		wantProblem(t, call("POST", c+"/restore", ""), http.StatusNotFound, gonghai.ENotFound)

		// An owned customer is refused with its own code.
		if _, err := o.db.Claim(o.ctx, h.rep, h.c2.ID, h.pool.ID); err != nil {
			t.Fatal(err)
		}
		wantProblem(t, call("POST", "/api/v1/customers/"+h.c2.ID+"/invalid", `{"reason":"closed"}`), http.StatusConflict, gonghai.ECustomerOwned)

		p := "/api/v1/pools/" + h.pool.ID
		if a := call("PUT", p+"/hygiene", `{"unclaimed_days":30,"flagged_by":2}`); a.status != 200 || a.body["flagged_by"] != float64(2) {
			t.Fatalf("set rules: %d %v", a.status, a.body)
		}
		if a := call("GET", p+"/hygiene", ""); a.status != 200 || a.body["unclaimed_days"] != float64(30) {
			t.Fatalf("get rules: %d %v", a.status, a.body)
		}
		if a := call("POST", p+"/hygiene-preview", `{"unclaimed_days":0,"flagged_by":1}`); a.status != 200 || a.body["flagged"] != float64(0) {
			t.Fatalf("preview: %d %v", a.status, a.body)
		}
		wantProblem(t, call("PUT", "/api/v1/archive/settings", `{"archive_days":0}`), http.StatusUnprocessableEntity, gonghai.EInvalid)
		if a := call("PUT", "/api/v1/archive/settings", `{"archive_days":7}`); a.status != 200 || a.body["archive_days"] != float64(7) {
			t.Fatalf("archive settings: %d %v", a.status, a.body)
		}

		// A rep: may flag, may not mark, restore, list the archive or set rules.
		repToken, err := o.db.CreateToken(o.ctx, "rep.a")
		if err != nil {
			t.Fatal(err)
		}
		asRep := func(method, path, body string) answer {
			return o.do(req{method: method, path: path, body: body, header: map[string]string{"Authorization": "Bearer " + repToken}})
		}
		wantProblem(t, asRep("POST", c+"/invalid", `{"reason":"closed"}`), http.StatusForbidden, gonghai.EForbidden)
		wantProblem(t, asRep("GET", c+"/flags", ""), http.StatusForbidden, gonghai.EForbidden)
		wantProblem(t, asRep("GET", "/api/v1/archive", ""), http.StatusForbidden, gonghai.EForbidden)
		wantProblem(t, asRep("PUT", p+"/hygiene", `{"unclaimed_days":1,"flagged_by":0}`), http.StatusForbidden, gonghai.EForbidden)
		wantProblem(t, asRep("PUT", "/api/v1/archive/settings", `{"archive_days":9}`), http.StatusForbidden, gonghai.EForbidden)
		if a := asRep("POST", c+"/flags", `{"reason":"no_need"}`); a.status != http.StatusCreated {
			t.Fatalf("rep flag: %d %v", a.status, a.body)
		}
	})
}
