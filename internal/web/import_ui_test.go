package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/web"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// upload sends the import form as a browser does: multipart, the file
// under "file", from our own site.
func (p *page) upload(path string, fields map[string]string, name string, data []byte) pageResult {
	p.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			p.t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		p.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		p.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, p.base+path, &body)
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if p.lang != "" {
		req.Header.Set("Accept-Language", p.lang)
	}
	res, err := p.client.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return pageResult{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// importRows are the rows of the test files: three new customers, one
// whose phone an existing customer has, one repeating the first row's
// company, and one with an email that is not one.
var importRows = [][]string{
	{"公司名称", "联系人", "手机", "邮箱", "行业"},
	{"杭州云帆科技有限公司", "陈静", "13911110001", "chen@yunfan.cn", "软件"},
	{"苏州明德机械有限公司", "刘洋", "13911110002", "", "制造"},
	{"宁波海曙贸易有限公司", "赵敏", "13911110003", "zhao@haishu.cn", "贸易"},
	{"南京旧识科技有限公司", "孙磊", "13812348000", "", "软件"},
	{"杭州云帆科技有限公司", "陈静", "13911110001", "", "软件"},
	{"合肥星火电子有限公司", "周强", "13911110006", "不是邮箱", "电子"},
}

// xlsxOf writes rows as an XLSX file.
func xlsxOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gb18030Of writes rows as a CSV file in GB18030, as Chinese Excel saves it.
func gb18030Of(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var lines []string
	for _, row := range rows {
		lines = append(lines, strings.Join(row, ","))
	}
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(strings.Join(lines, "\r\n") + "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	jobPath   = regexp.MustCompile(`^/imports/([0-9A-Za-z_-]+)`)
	statValue = func(name string) *regexp.Regexp {
		return regexp.MustCompile(`data-test="count-` + name + `">([^<]*)<`)
	}
)

// count reads one of a page's counters.
func count(t *testing.T, body, name string) string {
	t.Helper()
	m := statValue(name).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page has no %s count:\n%.2000s", name, body)
	}
	return m[1]
}

// jobOf is the import id a redirect leads to.
func jobOf(t *testing.T, r pageResult) string {
	t.Helper()
	m := jobPath.FindStringSubmatch(r.Location())
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a 303 to an import, got %d to %q\n%.1500s", r.Status, r.Location(), r.Body)
	}
	return m[1]
}

// mappedTo tells whether the mapping page's select for column col has
// field chosen.
func mappedTo(body string, col int, field string) bool {
	re := regexp.MustCompile(`(?s)name="col\.` + string(rune('0'+col)) + `".*?</select>`)
	sel := re.FindString(body)
	return strings.Contains(sel, `value="`+field+`" selected`)
}

// waitJob reloads the job's page until its status is one of want, and
// returns the page.
func waitJob(t *testing.T, p *page, id string, want ...string) pageResult {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := p.get("/imports/" + id)
		if r.Status != http.StatusOK {
			t.Fatalf("the import's page: %d\n%.1500s", r.Status, r.Body)
		}
		for _, w := range want {
			if strings.Contains(r.Body, `data-status="`+w+`"`) || strings.Contains(r.Body, `data-job-status="`+w+`"`) {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import is not %v after 30s:\n%.3000s", want, r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestImportWizard: an admin uploads an XLSX file into a pool; the mapping
// step has its columns mapped by their headers, with a preview; the dry
// run counts what each row would do and lists the rows at fault; started,
// the import runs to its end behind a progress bar and its counts say
// what it did. A GB18030 CSV with the same header is mapped as the admin
// mapped the first file. A rep may not import, nor see the admin's.
func TestImportWizard(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")

		r := admin.get("/imports")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `href="/imports/new"`) || !strings.Contains(r.Body, "你还没有导入过客户") {
			t.Fatalf("the imports page: %d\n%.1500s", r.Status, r.Body)
		}
		if r := admin.get("/"); !strings.Contains(r.Body, `href="/imports"`) {
			t.Error("an admin's navigation has no link to the imports")
		}
		r = admin.get("/imports/new")
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `enctype="multipart/form-data"`) ||
			!strings.Contains(r.Body, `<option value="`+a.pool.ID+`"`) || !strings.Contains(r.Body, "新建并记录撞单") {
			t.Fatalf("the upload form: %d\n%.1500s", r.Status, r.Body)
		}
		for _, f := range []string{"xlsx", "csv"} {
			if r := admin.get("/imports/template." + f); r.Status != http.StatusOK || len(r.Body) < 20 ||
				!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
				t.Errorf("the %s template: %d %q", f, r.Status, r.Header.Get("Content-Disposition"))
			}
		}

		// Upload: the columns are mapped by their headers.
		form := map[string]string{"pool": a.pool.ID, "policy": "skip", "encoding": ""}
		r = admin.upload("/imports/new", form, "客户名单.xlsx", xlsxOf(t, importRows))
		id := jobOf(t, r)
		if !strings.HasSuffix(strings.Split(r.Location(), "?")[0], "/mapping") {
			t.Fatalf("the upload leads to %q, want the mapping", r.Location())
		}
		r = admin.get(r.Location())
		if r.Status != http.StatusOK {
			t.Fatalf("the mapping: %d\n%.1500s", r.Status, r.Body)
		}
		for col, field := range []string{"company", "name", "phone", "email", "industry"} {
			if !mappedTo(r.Body, col, field) {
				t.Errorf("column %d is not mapped to %s:\n%.3000s", col, field, r.Body)
			}
		}
		if !strings.Contains(r.Body, "苏州明德机械有限公司") || !strings.Contains(r.Body, "客户名单.xlsx") {
			t.Errorf("the mapping shows no preview of the rows")
		}

		// The dry run: 3 created, 1 skipped as a duplicate of the
		// pool's customer, 1 repeating a row of the file, 1 error.
		r = admin.post("/imports/"+id+"/mapping", mappingForm(r.Body))
		if r.Status != http.StatusSeeOther || r.Location() != "/imports/"+id {
			t.Fatalf("the same mapping: %d to %q\n%.1500s", r.Status, r.Location(), r.Body)
		}
		r = waitJob(t, admin, id, "dry_run_done")
		for name, want := range map[string]string{"create": "3", "skip": "2", "error": "1", "infile": "1"} {
			if got := count(t, r.Body, name); got != want {
				t.Errorf("the dry run counts %s %s, want %s", got, name, want)
			}
		}
		if !strings.Contains(r.Body, `data-test="problem-row"`) || !strings.Contains(r.Body, "与文件第 2 行重复") ||
			!strings.Contains(r.Body, "邮箱") || strings.Contains(r.Body, "不是邮箱") {
			t.Errorf("the dry run's problems:\n%.4000s", r.Body)
		}
		if n, _, _ := o.db.CountPoolCustomers(o.ctx, o.admin, a.pool.ID, gonghai.CustomerFilter{}); n != 0 {
			t.Errorf("the dry run wrote customers: %d in the pool", n)
		}

		// Start: the progress page polls until the run ends.
		r = admin.post("/imports/"+id+"/start", url.Values{})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), "/imports/"+id) {
			t.Fatalf("start: %d to %q\n%.1500s", r.Status, r.Location(), r.Body)
		}
		r = waitJob(t, admin, id, "done")
		if !strings.Contains(r.Body, `<progress id="import-bar"`) || !strings.Contains(r.Body, `value="6"`) ||
			!strings.Contains(r.Body, "已处理 6 / 6 行（100%）") || strings.Contains(r.Body, "hx-trigger") {
			t.Errorf("the ended import's progress:\n%.4000s", r.Body)
		}
		for name, want := range map[string]string{"create": "3", "skip": "2", "error": "1"} {
			if got := count(t, r.Body, name); got != want {
				t.Errorf("the import counts %s %s, want %s", got, name, want)
			}
		}
		if !strings.Contains(r.Body, `href="/imports/`+id+`/errors"`) {
			t.Error("the ended import offers no error file")
		}
		wantErrorFile(t, admin.get("/imports/"+id+"/errors"), "xlsx")
		hx := map[string]string{"HX-Request": "true"}
		if f := admin.do(http.MethodGet, "/imports/"+id+"/progress", nil, hx); f.Status != http.StatusOK ||
			strings.Contains(f.Body, "<html") || !strings.Contains(f.Body, `id="import-progress"`) || strings.Contains(f.Body, "hx-trigger") {
			t.Errorf("the progress fragment of an ended import: %d\n%.1500s", f.Status, f.Body)
		}
		if n, _, _ := o.db.CountPoolCustomers(o.ctx, o.admin, a.pool.ID, gonghai.CustomerFilter{}); n != 3 {
			t.Errorf("%d customers in the pool after the import, want 3", n)
		}
		if r := admin.get("/imports"); !strings.Contains(r.Body, "客户名单.xlsx") || !strings.Contains(r.Body, "已完成") {
			t.Errorf("the list of imports:\n%.2000s", r.Body)
		}

		// A GB18030 CSV: its columns are mapped as the admin mapped
		// this header last time, here without the industry.
		r = admin.upload("/imports/new", form, "名单.csv", gb18030Of(t, importRows))
		csvID := jobOf(t, r)
		m := admin.get("/imports/" + csvID + "/mapping")
		if !mappedTo(m.Body, 0, "company") || !strings.Contains(m.Body, "宁波海曙贸易有限公司") {
			t.Fatalf("the CSV's mapping:\n%.3000s", m.Body)
		}
		remap := mappingForm(m.Body)
		remap.Del("col.4")
		r = admin.post("/imports/"+csvID+"/mapping", remap)
		againID := jobOf(t, r)
		if againID == csvID {
			t.Fatal("another mapping did not run the dry run again")
		}
		r = waitJob(t, admin, againID, "dry_run_done")
		if got := count(t, r.Body, "skip"); got != "5" {
			t.Errorf("the CSV's dry run skips %s rows, want 5 (all but the error: imported already)", got)
		}
		wantErrorFile(t, admin.get("/imports/"+againID+"/errors"), "csv")
		r = admin.upload("/imports/new", form, "名单2.csv", gb18030Of(t, importRows))
		if !strings.Contains(r.Location(), "from=last") {
			t.Errorf("the same header again leads to %q, want the remembered mapping", r.Location())
		}
		m = admin.get(r.Location())
		if mappedTo(m.Body, 4, "industry") || !mappedTo(m.Body, 2, "phone") || !strings.Contains(m.Body, "上次的对应方式") {
			t.Errorf("the remembered mapping is not pre-filled:\n%.3000s", m.Body)
		}

		// A rep may not import, nor see another's import.
		rep := a.signedIn(t, "rep.li", "rep-pw-123")
		for _, path := range []string{"/imports", "/imports/new", "/imports/template.xlsx"} {
			if r := rep.get(path); r.Status != http.StatusForbidden {
				t.Errorf("a rep's %s: %d, want 403", path, r.Status)
			}
		}
		for _, path := range []string{"/imports/" + id, "/imports/" + id + "/errors", "/imports/" + id + "/mapping"} {
			if r := rep.get(path); r.Status != http.StatusNotFound {
				t.Errorf("a rep opens the admin's %s: %d, want 404", path, r.Status)
			}
		}
		if r := rep.upload("/imports/new", form, "x.xlsx", xlsxOf(t, importRows)); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("a rep uploads: %d, want 403 or 404", r.Status)
		}
		if r := rep.post("/imports/"+id+"/cancel", url.Values{}); r.Status != http.StatusNotFound {
			t.Errorf("a rep cancels the admin's import: %d, want 404", r.Status)
		}
		if strings.Contains(rep.get("/").Body, `href="/imports"`) {
			t.Error("a rep's navigation links to the imports")
		}
	})
}

// mappingForm is the mapping page's form as a browser would send it: each
// column's chosen field.
func mappingForm(body string) url.Values {
	v := url.Values{}
	re := regexp.MustCompile(`(?s)name="(col\.\d+)".*?</select>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		if sel := regexp.MustCompile(`value="([a-z_]+)" selected`).FindStringSubmatch(m[0]); sel != nil {
			v.Set(m[1], sel[1])
		}
	}
	return v
}

// wantErrorFile checks an error file: the header with a column for the
// reason, then the one refused row (with its bad email) as it was, and
// why, in the file's format (a GB18030 CSV stays GB18030).
func wantErrorFile(t *testing.T, r pageResult, format string) {
	t.Helper()
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Disposition"), "."+format) {
		t.Fatalf("the error file: %d %q\n%.500s", r.Status, r.Header.Get("Content-Disposition"), r.Body)
	}
	var rows [][]string
	if format == "xlsx" {
		f, err := excelize.OpenReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if rows, err = f.GetRows(f.GetSheetList()[0]); err != nil {
			t.Fatal(err)
		}
	} else {
		text, err := simplifiedchinese.GB18030.NewDecoder().String(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			rows = append(rows, strings.Split(strings.TrimRight(line, "\r"), ","))
		}
	}
	if len(rows) != 2 || len(rows[0]) != 6 || rows[0][0] != "公司名称" || rows[1][0] != "合肥星火电子有限公司" ||
		rows[1][3] != "不是邮箱" || !strings.Contains(rows[1][5], "email") {
		t.Errorf("the %s error file holds %q", format, rows)
	}
}

// TestImportRefusals: what the wizard refuses, each time saying why
// without repeating the file, and storing nothing: no file, a file over
// the limit, a file that is no spreadsheet, a mapping with a field twice
// or with neither company nor name. A job queued runs behind a progress
// bar that polls, and is cancelled from it.
func TestImportRefusals(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		a := newAdminOrg(t, o)
		admin := a.signedIn(t, "boss", "admin-pw")
		form := map[string]string{"pool": a.pool.ID, "policy": "skip"}
		jobs := func() int {
			t.Helper()
			js, _, err := o.db.Imports(o.ctx, o.admin, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(js)
		}

		for name, c := range map[string]struct {
			file []byte
			want string
		}{
			"empty":   {nil, "请选择一个 .xlsx 或 .csv 文件"},
			"garbage": {[]byte("PK\x03\x04<script>=cmd|' /C calc'!A0 秘密内容"), "无法读取这个文件"},
			"large":   {bytes.Repeat([]byte("公司名称\n某公司\n"), 2000), "文件超过上限"},
		} {
			r := admin.upload("/imports/new", form, name+".xlsx", c.file)
			if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, c.want) ||
				strings.Contains(r.Body, "秘密内容") || strings.Contains(r.Body, "calc") {
				t.Errorf("uploading the %s file: %d\n%.2000s", name, r.Status, r.Body)
			}
		}
		if n := jobs(); n != 0 {
			t.Fatalf("refused uploads stored %d jobs", n)
		}

		// No column maps to company or name: the mapping is asked for,
		// and refused until one does.
		r := admin.upload("/imports/new", form, "名单.xlsx", xlsxOf(t, [][]string{{"单位", "电话"}, {"某某公司", "13911110009"}}))
		id := jobOf(t, r)
		r = admin.post("/imports/"+id+"/mapping", url.Values{"col.1": {"phone"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "公司名称”或“联系人") {
			t.Errorf("a mapping without company or name: %d\n%.2000s", r.Status, r.Body)
		}
		r = admin.post("/imports/"+id+"/mapping", url.Values{"col.0": {"company"}, "col.1": {"company"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "同一个字段只能对应一列：公司名称") {
			t.Errorf("a field mapped twice: %d\n%.2000s", r.Status, r.Body)
		}
		r = admin.post("/imports/"+id+"/mapping", url.Values{"col.0": {"company"}, "col.1": {"phone"}})
		again := jobOf(t, r)
		if r := waitJob(t, admin, again, "dry_run_done"); count(t, r.Body, "create") != "1" {
			t.Errorf("the dry run once mapped:\n%.3000s", r.Body)
		}

		// A queued job: the fragment polls every 2 seconds, with a
		// cancel button; cancelled, it stops polling.
		queued, err := o.db.CreateImport(o.ctx, o.admin, gonghai.NewImport{FileName: "q.csv", Data: []byte("公司名称\n甲公司\n乙公司\n"),
			Format: "csv", Encoding: "utf-8", Header: []string{"公司名称"}, Total: 2,
			Options: gonghai.ImportOptions{PoolID: a.pool.ID, Policy: gonghai.ImportSkip, Mapping: map[string]int{"company": 0}}})
		if err != nil {
			t.Fatal(err)
		}
		hx := map[string]string{"HX-Request": "true"}
		f := admin.do(http.MethodGet, "/imports/"+queued.ID+"/progress", nil, hx)
		if f.Status != http.StatusOK || !strings.Contains(f.Body, `hx-trigger="every 2s"`) || !strings.Contains(f.Body, `id="cancel-import"`) ||
			!strings.Contains(f.Body, `max="2" value="0"`) || !strings.Contains(f.Body, `href="/imports/`+queued.ID+`"`) {
			t.Errorf("a queued job's progress: %d\n%.2000s", f.Status, f.Body)
		}
		if r := admin.get("/imports/" + queued.ID + "/progress"); r.Status != http.StatusSeeOther || r.Location() != "/imports/"+queued.ID {
			t.Errorf("the progress without htmx: %d to %q, want the page", r.Status, r.Location())
		}
		r = admin.post("/imports/"+queued.ID+"/cancel", url.Values{})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("cancel: %d\n%.1500s", r.Status, r.Body)
		}
		r = admin.get(r.Location())
		if !strings.Contains(r.Body, "导入已取消") || strings.Contains(r.Body, "hx-trigger") || strings.Contains(r.Body, `id="cancel-import"`) {
			t.Errorf("the cancelled job:\n%.3000s", r.Body)
		}
	}, web.WithImportLimits(gonghai.ImportLimits{MaxRows: 1000, MaxBytes: 16 << 10}))
}
