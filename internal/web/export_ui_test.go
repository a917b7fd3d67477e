package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
)

// exportLink is the href of the export menu's link data-test of a page.
func exportLink(t *testing.T, body, test string) string {
	t.Helper()
	m := regexp.MustCompile(`href="([^"]+)" data-test="` + test + `"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s link on the page:\n%.3000s", test, body)
	}
	return html.UnescapeString(m[1])
}

// TestExportPages: the pool, private pool and team pages offer the export
// menu with their filters; each link exports what the page lists, masked
// alike, and a refusal is a page, not a file.
func TestExportPages(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		rep := o.as("rep.a")
		r := rep.get("/pool?pool=" + o.pool.ID + "&q=" + url.QueryEscape("恒信") + "&category=")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="export-menu"`) || strings.Contains(r.Body, `data-test="export-unmasked"`) {
			t.Fatalf("the pool page's export menu: %d\n%.2000s", r.Status, r.Body)
		}
		link := exportLink(t, r.Body, "export-csv")
		if !strings.HasPrefix(link, "/pool/export?") || !strings.Contains(link, "pool="+o.pool.ID) || !strings.Contains(link, "q=") {
			t.Errorf("the pool's CSV link %q lacks the page's pool or search", link)
		}
		f := rep.get(link)
		if f.Status != http.StatusOK || !strings.HasPrefix(f.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET %s: %d %s\n%.500s", link, f.Status, f.Header.Get("Content-Type"), f.Body)
		}
		_, head, rows := exportRows(t, []byte(f.Body), "csv", "")
		if ids := column(head, rows, "客户ID"); !slices.Equal(ids, []string{o.inPool}) || rows[0][slices.Index(head, "手机")] != "138****8000" {
			t.Errorf("the pool page's export: %q", rows)
		}
		if f := rep.get(exportLink(t, r.Body, "export-gb18030")); f.Header.Get("Content-Type") != "text/csv; charset=gb18030" {
			t.Errorf("the GB18030 link answers %q", f.Header.Get("Content-Type"))
		}
		// The private pool, in full for its owner.
		r = rep.get("/mine?sort=created")
		link = exportLink(t, r.Body, "export-xlsx")
		if !strings.HasPrefix(link, "/mine/export?") || !strings.Contains(link, "sort=created") {
			t.Errorf("the private pool's link %q", link)
		}
		f = rep.get(link)
		_, head, rows = exportRows(t, []byte(f.Body), "xlsx", "")
		if f.Status != http.StatusOK || len(rows) != 1 || rows[0][slices.Index(head, "客户ID")] != o.ownedByA || strings.Contains(rows[0][slices.Index(head, "手机")], "*") {
			t.Errorf("the private pool's export: %d %q", f.Status, rows)
		}
		// Refused as the pages refuse: a rep has no team page, and a pool
		// they are not a member of does not exist for them.
		if f := rep.get("/team/export?format=csv"); f.Status != http.StatusForbidden || !strings.HasPrefix(f.Header.Get("Content-Type"), "text/html") {
			t.Errorf("a rep's team export: %d %s", f.Status, f.Header.Get("Content-Type"))
		}
		if f := o.as("rep.north").get("/pool/export?format=csv&pool=" + o.pool.ID); f.Status != http.StatusNotFound {
			t.Errorf("another department's pool: %d", f.Status)
		}
		// The manager's team, masked, never another subtree's.
		mgr := o.as("mgr.east")
		r = mgr.get("/team?rep=" + o.a.ID)
		f = mgr.get(exportLink(t, r.Body, "export-csv"))
		_, head, rows = exportRows(t, []byte(f.Body), "csv", "")
		if ids := column(head, rows, "客户ID"); f.Status != http.StatusOK || !slices.Equal(ids, []string{o.ownedByA}) || rows[0][slices.Index(head, "手机")] != "138****8000" {
			t.Errorf("the manager's team export: %d %q", f.Status, rows)
		}
		if f := mgr.get("/team/export?format=csv&rep=" + o.north.ID); f.Status == http.StatusOK && strings.Contains(f.Body, o.northC) {
			t.Errorf("the manager exported another subtree's customer")
		}
		// Over the quota: the error page says why; nothing is counted.
		zero := 0
		if _, err := o.db.UpdateSettings(context.Background(), o.admin, gonghai.SettingsPatch{ExportDailyQuota: &zero}); err != nil {
			t.Fatal(err)
		}
		if f := rep.get("/mine/export"); f.Status != http.StatusTooManyRequests || !strings.Contains(f.Body, "导出的行数超过") {
			t.Errorf("an export over the quota: %d\n%.1500s", f.Status, f.Body)
		}
	})
}

// TestExportAdminPages: an admin grants the unmasked export on the user
// page (to admins only, where the box shows), which adds the unmasked
// link to the menus; the quota is on the settings page.
func TestExportAdminPages(t *testing.T) {
	eachTeamOrg(t, func(t *testing.T, o *teamOrg) {
		admin := o.as("admin")
		if r := admin.get("/admin/users/" + o.a.ID); strings.Contains(r.Body, `name="export_unmasked"`) {
			t.Error("a rep's page offers the unmasked export")
		}
		r := admin.get("/admin/users/" + o.admin.ID)
		if !strings.Contains(r.Body, `name="export_unmasked"`) {
			t.Fatalf("an admin's page offers no unmasked export:\n%.3000s", r.Body)
		}
		if r := admin.post("/admin/users/"+o.admin.ID, url.Values{"export_unmasked": {"on"}, "export_unmasked_shown": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("granting it: %d\n%.1500s", r.Status, r.Body)
		}
		if u, err := o.db.User(context.Background(), o.admin, o.admin.ID); err != nil || !u.ExportUnmasked {
			t.Fatalf("the admin after the grant: %+v %v", u, err)
		}
		r = admin.get("/team?holder=pool&pool=" + o.pool.ID)
		f := admin.get(exportLink(t, r.Body, "export-unmasked"))
		_, head, rows := exportRows(t, []byte(f.Body), "xlsx", "")
		if f.Status != http.StatusOK || len(rows) != 1 || strings.Contains(rows[0][slices.Index(head, "手机")], "*") {
			t.Errorf("the unmasked export: %d %q", f.Status, rows)
		}
		// Unticked on the form, it is taken back; a form without the box
		// (as before this permission) leaves it as it is.
		if r := admin.post("/admin/users/"+o.admin.ID, url.Values{"export_unmasked_shown": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("taking it back: %d", r.Status)
		}
		if u, _ := o.db.User(context.Background(), o.admin, o.admin.ID); u.ExportUnmasked {
			t.Error("the unticked box left the permission")
		}
		if r := admin.get("/team"); strings.Contains(r.Body, `data-test="export-unmasked"`) {
			t.Error("the menu offers the unmasked export without the permission")
		}
		if r := admin.get("/admin/settings"); !strings.Contains(r.Body, `name="export_daily_quota" value="2000"`) {
			t.Errorf("the settings page has no export quota of 2000")
		}
		if r := admin.get("/admin/audit?action=list_export"); !strings.Contains(r.Body, "导出列表") {
			t.Errorf("the audit page does not list the export")
		}
	})
}
