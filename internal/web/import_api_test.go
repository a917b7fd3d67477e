package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/gonghai/gonghai/internal/webtest"
)

// upload sends a spreadsheet and the form fields to POST /api/v1/imports.
func (o *org) upload(login, name string, data []byte, fields map[string]string) (int, map[string]any) {
	o.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		o.t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	status, v, _ := o.raw(login, "POST", "/api/v1/imports", b.Bytes(), map[string]string{"Content-Type": w.FormDataContentType()})
	return status, v
}

// importCSV is a file of three rows: a new customer, one whose phone is
// the org's pool customer's (138123 4 8000), and one without name or company.
var importCSV = []byte("公司名称,联系人,手机\r\n北方新材料,李雷,13900001111\r\n南方贸易,韩梅梅,13812348000\r\n,,13900002222\r\n")

// The import routes: a dry run answers every row's verdict; the job is
// started, run, read and listed; a finished job cannot be cancelled; reps
// may not import; the template downloads; a file over the limit is 413.
func TestImportAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		status, v := o.upload("admin", "客户.csv", importCSV, map[string]string{"pool_id": o.pool.ID, "dry_run": "true"})
		if status != http.StatusCreated || v["status"] != "dry_run_done" || v["total"] != 3.0 {
			t.Fatalf("dry run: %d %v", status, v)
		}
		id := v["id"].(string)
		rows, _ := v["rows"].([]any)
		if len(rows) != 3 {
			t.Fatalf("dry run rows %v, want 3", v["rows"])
		}
		var verdicts []string
		for _, r := range rows {
			verdicts = append(verdicts, r.(map[string]any)["verdict"].(string))
		}
		if got := strings.Join(verdicts, ","); got != "create,skip,error" {
			t.Errorf("verdicts %s, want create,skip,error", got)
		}
		if status, v, _ := o.call("admin", "GET", "/api/v1/imports/"+id+"/rows?verdict=error", ""); status != 200 || len(v["items"].([]any)) != 1 {
			t.Errorf("error rows: %d %v", status, v)
		}
		if status, v, _ := o.call("admin", "POST", "/api/v1/imports/"+id+"/start", ""); status != 200 || v["status"] != "queued" {
			t.Fatalf("start: %d %v", status, v)
		}
		eng := &importer.Engine{Store: o.db}
		if _, err := eng.Run(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		status, v, _ = o.call("admin", "GET", "/api/v1/imports/"+id, "")
		counts, _ := v["counts"].(map[string]any)
		if status != 200 || v["status"] != "done" || v["done"] != 3.0 || counts["created"] != 1.0 || counts["skipped"] != 1.0 || counts["errors"] != 1.0 {
			t.Errorf("after the run: %d %v", status, v)
		}
		if status, v, _ := o.call("admin", "GET", "/api/v1/imports", ""); status != 200 || len(v["items"].([]any)) != 1 {
			t.Errorf("my imports: %d %v", status, v)
		}
		if status, v, _ := o.call("admin", "POST", "/api/v1/imports/"+id+"/cancel", ""); status != 409 || v["code"] != "conflict" {
			t.Errorf("cancel a finished import: %d %v", status, v)
		}
		if status, v, _ := o.call("rep.a", "GET", "/api/v1/imports/"+id, ""); status != 404 {
			t.Errorf("another user's import: %d %v", status, v)
		}
		if status, v := o.upload("rep.a", "a.csv", importCSV, map[string]string{"pool_id": o.pool.ID}); status != 403 || v["code"] != "forbidden" {
			t.Errorf("a rep imports: %d %v", status, v)
		}
		if status, v := o.upload("admin", "a.csv", importCSV, map[string]string{"pool_id": o.pool.ID, "on_duplicate": "merge"}); status != 422 {
			t.Errorf("unknown policy: %d %v", status, v)
		}
		if status, v := o.upload("admin", "a.csv", []byte("\x00\x01\x02"), map[string]string{"pool_id": o.pool.ID}); status != 422 {
			t.Errorf("not a spreadsheet: %d %v", status, v)
		}
		req, _ := http.NewRequest("GET", o.srv.URL+"/api/v1/imports/"+id+"/errors", nil)
		req.Header.Set("Authorization", "Bearer "+o.tokens["admin"])
		res, err := o.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if want := "\uFEFF公司名称,联系人,手机,错误 / Error\n,,13900002222,name: a customer needs a name or a company\n"; res.StatusCode != 200 || string(body) != want {
			t.Errorf("error file: %d %q, want %q", res.StatusCode, body, want)
		}
		for _, format := range []string{"xlsx", "csv"} {
			req, _ := http.NewRequest("GET", o.srv.URL+"/api/v1/imports/template?format="+format, nil)
			req.Header.Set("Authorization", "Bearer "+o.tokens["admin"])
			res, err := o.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || len(body) < 10 || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("template %s: %d, %d bytes, %q", format, res.StatusCode, len(body), res.Header.Get("Content-Disposition"))
			}
		}
	})
}

// A file over the configured limits is refused, 413, before any row is
// written.
func TestImportTooLarge(t *testing.T) {
	forEachDB(t, func(t *testing.T, o *org) {
		o.srv = webtest.Serve(t, web.NewServer(o.db, slog.New(slog.NewTextHandler(io.Discard, nil)),
			web.WithImportLimits(gonghai.ImportLimits{MaxRows: 2, MaxBytes: 1 << 10})))
		if status, v := o.upload("admin", "a.csv", importCSV, map[string]string{"pool_id": o.pool.ID}); status != 413 || v["code"] != "too_large" {
			t.Errorf("3 rows of at most 2: %d %v", status, v)
		}
		big := []byte("公司名称\r\n" + strings.Repeat("某某公司\r\n", 200))
		if status, v := o.upload("admin", "a.csv", big, map[string]string{"pool_id": o.pool.ID}); status != 413 || v["code"] != "too_large" {
			t.Errorf("over 1 KB: %d %v", status, v)
		}
		huge := bytes.Repeat([]byte("x"), 3<<20)
		if status, v := o.upload("admin", "a.csv", huge, map[string]string{"pool_id": o.pool.ID}); status != 413 || v["code"] != "too_large" {
			t.Errorf("over the body limit: %d %v", status, v)
		}
		jobs, _, err := o.db.Imports(context.Background(), o.admin, gonghai.Page{})
		if err != nil || len(jobs) != 0 {
			t.Errorf("refused uploads left %d jobs (%v)", len(jobs), err)
		}
	})
}
