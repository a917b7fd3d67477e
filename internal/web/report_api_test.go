package web_test

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/xuri/excelize/v2"
)

// TestReportAPI: the effort report through the API (answers checked
// against the OpenAPI document by the rig's client), its drill-down,
// its CSV and XLSX exports read back, and the refusals each documented.
func TestReportAPI(t *testing.T) {
	forEachRig(t, func(t *testing.T, r *rig) {
		r.claim("rep.a", r.c1)
		r.want("rep.a", "POST", cust(r.c1)+"/followups", `{"kind":"call","content":"电话沟通"}`, 201)
		r.clock.Advance(24 * time.Hour)
		r.want("rep.a", "POST", cust(r.c1)+"/followups", `{"kind":"visit","content":"上门拜访"}`, 201)
		week := "from=2026-03-02&to=2026-03-08&grain=week"

		rep := r.want("mgr.east", "GET", "/api/v1/reports/effort?"+week, "", 200)
		if rep["name"] != "effort" || rep["scope"] != "华东组" || rep["grain"] != "week" {
			t.Fatalf("report head: %v", rep)
		}
		per := reportTable(t, rep, "per_customer")
		rows := per["rows"].([]any)
		if len(rows) != 1 {
			t.Fatalf("per_customer rows: %v", rows)
		}
		row := rows[0].([]any)
		text := func(i int) string { return row[i].(map[string]any)["text"].(string) }
		if text(0) != "rep.a" || text(1) != "2" || text(2) != "1" || text(3) != "2.00" {
			t.Fatalf("per_customer: %v", row)
		}
		drill := row[1].(map[string]any)["drill"].(string)
		cs := r.want("mgr.east", "GET", "/api/v1/reports/effort/customers?"+week+"&drill="+url.QueryEscape(drill), "", 200)
		items := cs["items"].([]any)
		if cs["total"] != 1.0 || len(items) != 1 || items[0].(map[string]any)["id"] != r.c1 {
			t.Fatalf("drill-down: %v", cs)
		}
		// Contacts as the viewer sees them: the manager's are masked.
		if phone := items[0].(map[string]any)["phone"]; phone == "13812348000" {
			t.Fatalf("drill-down shows the phone in full to the manager: %v", phone)
		}

		// CSV: one table, BOM-prefixed UTF-8.
		status, body, h := r.download("mgr.east", "/api/v1/reports/effort/export?format=csv&table=per_customer&"+week)
		if status != 200 || !bytes.HasPrefix(body, []byte("\uFEFF")) || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %q %s", status, h.Get("Content-Type"), body)
		}
		cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF"))))
		cr.FieldsPerRecord = -1 // the heading line is one cell
		lines, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 3 || lines[1][0] != "销售" || strings.Join(lines[2], ",") != "rep.a,2,1,2.00" {
			t.Fatalf("csv rows: %q", lines)
		}
		// XLSX: a sheet per table, numbers as numbers.
		status, body, _ = r.download("mgr.east", "/api/v1/reports/effort/export?format=xlsx&"+week)
		if status != 200 {
			t.Fatalf("xlsx: %d %s", status, body)
		}
		x, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) != len(rep["tables"].([]any)) {
			t.Fatalf("sheets %q for %d tables", sheets, len(rep["tables"].([]any)))
		}
		got, err := x.GetRows("每位销售的跟进与在手客户")
		if err != nil || len(got) != 3 || strings.Join(got[2], ",") != "rep.a,2,1,2" {
			t.Fatalf("xlsx per_customer: %q %v", got, err)
		}

		// A rep counts themselves; a department is not theirs to ask for.
		mine := r.want("rep.b", "GET", "/api/v1/reports/effort?"+week, "", 200)
		if n := len(reportTable(t, mine, "per_customer")["rows"].([]any)); mine["scope"] != "rep.b" || n != 0 {
			t.Fatalf("rep.b's report: %v", mine)
		}
		r.refused("rep.b", "GET", "/api/v1/reports/effort?department_id="+r.east.DepartmentID, "", 403, "forbidden", "")
		r.refused("admin", "GET", "/api/v1/reports/effort?grain=year", "", 422, "invalid", "")
		r.refused("admin", "GET", "/api/v1/reports/effort?from=2026-03-08&to=2026-03-01", "", 422, "invalid", "to")
		r.refused("admin", "GET", "/api/v1/reports/effort?user_id=nobody", "", 422, "invalid", "user_id")
		r.refused("admin", "GET", "/api/v1/reports/effort/customers?drill=nonsense", "", 422, "invalid", "drill")
		r.refused("admin", "GET", "/api/v1/reports/effort/export?table=nope", "", 422, "invalid", "table")
		r.refused("", "GET", "/api/v1/reports/effort", "", 401, "unauthenticated", "")

		// Every report of the catalogue answers, or is not found while it
		// has no implementation; each answer matches the document.
		for _, info := range gonghai.Reports {
			status, v, _ := r.call("admin", "GET", "/api/v1/reports/"+info.Name+"?"+week, "")
			if status != 200 && (status != 404 || v["code"] != "not_found") {
				t.Errorf("report %s: %d %v", info.Name, status, v)
			}
		}
	})
}

// reportTable is table name of report rep, as JSON.
func reportTable(t *testing.T, rep map[string]any, name string) map[string]any {
	t.Helper()
	for _, tb := range rep["tables"].([]any) {
		if m := tb.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("no table %s in %v", name, rep)
	return nil
}
