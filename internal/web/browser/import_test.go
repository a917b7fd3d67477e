package browser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
	"github.com/gonghai/gonghai/internal/demo"
	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/sheet"
	"github.com/xuri/excelize/v2"
)

// TestAdminImports: the admin opens the imports, starts a new one, picks
// an XLSX file of five rows (one repeating a customer of the pool, one
// with a bad email) and uploads it; checks the columns mapped by their
// headers beside a preview of the rows; runs the dry run and reads what
// each row would do; starts the import and watches it end with the
// counts and the error file to download. At both widths, in Chinese and
// in English.
func TestAdminImports(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		file := s.importFile(t)
		before := s.poolCount(t)
		signIn(t, tab, s.URL, "admin")
		if tab.View.Phone {
			open(t, tab, s.URL, "/imports")
		} else {
			nav(t, tab, "/imports")
		}
		tab.WaitText("h1", l.pick("导入客户", "Imports"))
		there(t, tab, "/imports/new", tab.ClickNavigate("#new-import"))
		tab.Run(chromedp.SetUploadFiles(chromedp.CSS("#im-file"), []string{file}))
		tab.Select("#im-pool", s.pool.ID)
		tab.Click("#im-policy-skip")
		tab.Axe()
		tab.Screenshot("import-upload-" + l.name)

		there(t, tab, "/imports/{id}/mapping", tab.ClickNavigate("#upload"))
		tab.WaitText("h1", l.pick("对应表格列与客户字段", "Map the file's columns"))
		if got := browsertest.Eval[string](tab, `document.querySelector("#map-0").value`); got != "company" {
			t.Errorf("the first column maps to %q, want company", got)
		}
		tab.WaitText(".import-preview", "杭州云帆科技有限公司")
		tab.Axe()
		tab.Screenshot("import-mapping-" + l.name)

		there(t, tab, "/imports/{id}", tab.ClickNavigate("#run-dry"))
		tab.WaitText(`[data-test="count-create"]`, "3")
		tab.WaitText(`[data-test="count-skip"]`, "1")
		tab.WaitText(`[data-test="count-error"]`, "1")
		tab.WaitText("#import-problems", l.pick("邮箱", "Email"))
		tab.Axe()
		tab.Screenshot("import-dryrun-" + l.name)

		there(t, tab, "/imports/{id}", tab.ClickNavigate("#start-import"))
		tab.WaitText(`[data-test="import-done"]`, l.pick("导入完成", "Import finished"))
		tab.WaitText("#im-bar-label", l.pick("已处理 5 / 5 行（100%）", "5 of 5 rows done (100%)"))
		if got := browsertest.Eval[float64](tab, `document.querySelector("#import-bar").position`); got != 1 {
			t.Errorf("the progress bar is at %v when done, want 1", got)
		}
		tab.WaitFor("#error-file")
		tab.Axe()
		tab.Screenshot("import-done-" + l.name)
		if after := s.poolCount(t); after != before+3 {
			t.Errorf("%d customers in the pool after the import, want the %d before and 3 new", after, before)
		}
	})
}

// importFile writes the flow's XLSX file: three new companies, one with
// the phone of a customer free in the pool, one with an email that is not
// one.
func (s *site) importFile(t *testing.T) string {
	t.Helper()
	rows := [][]any{
		{"公司名称", "联系人", "手机", "邮箱", "行业"},
		{"杭州云帆科技有限公司", "陈静", "13911110001", "chen@yunfan.cn", "软件"},
		{"苏州明德机械有限公司", "刘洋", "13911110002", "", "制造"},
		{"宁波海曙贸易有限公司", "赵敏", "13911110003", "zhao@haishu.cn", "贸易"},
		{"南京旧识科技有限公司", "孙磊", demo.Generate(1, 16).Customers[0].Phone, "", "软件"},
		{"合肥星火电子有限公司", "周强", "13911110006", "不是邮箱", "电子"},
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "客户名单.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// poolCount is how many customers wait in the pool.
func (s *site) poolCount(t *testing.T) int {
	t.Helper()
	n, _, err := s.db.CountPoolCustomers(context.Background(), s.user["admin"], s.pool.ID, gonghai.CustomerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestImportProgress: while a runner works through a job, its page shows
// a bar that htmx moves forward every two seconds with no reload, and a
// cancel button that stops the job, after which the page stops asking.
func TestImportProgress(t *testing.T) {
	eachFlow(t, func(t *testing.T, s *site, tab *browsertest.Tab, l lang) {
		ctx := context.Background()
		admin := s.user["admin"]
		var csv strings.Builder
		csv.WriteString("公司名称,联系人\n")
		for i := range 40 {
			fmt.Fprintf(&csv, "进度测试%02d科技有限公司,联系人%02d\n", i, i)
		}
		j, err := s.db.CreateImport(ctx, admin, gonghai.NewImport{FileName: "大名单.csv", Data: []byte(csv.String()), Format: "csv",
			Encoding: "utf-8", Header: []string{"公司名称", "联系人"}, Total: 40,
			Options: gonghai.ImportOptions{PoolID: s.pool.ID, Policy: gonghai.ImportSkip, Mapping: map[string]int{"company": 0, "name": 1}}})
		if err != nil {
			t.Fatal(err)
		}
		// A runner of the test's own takes the job and writes it a batch
		// at a time, as serve's would.
		const node = "test-runner"
		if j, err = s.db.LeaseImport(ctx, node, j.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		m := sheet.Mapping{sheet.FieldCompany: 0, sheet.FieldName: 1}
		batch := func(from, to int) {
			t.Helper()
			var lines []gonghai.ImportLine
			for i := from; i < to; i++ {
				lines = append(lines, importer.Line(m, []string{fmt.Sprintf("进度测试%02d科技有限公司", i), fmt.Sprintf("联系人%02d", i)}, i+2))
			}
			n, err := s.db.ImportBatch(ctx, node, j, lines, gonghai.ImportSeen{}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			j.Done += len(lines)
			j.Counts.Created += n.Created
		}
		batch(0, 10)

		signIn(t, tab, s.URL, "admin")
		open(t, tab, s.URL, "/imports/"+j.ID)
		tab.WaitText("#im-bar-label", l.pick("已处理 10 / 40 行（25%）", "10 of 40 rows done (25%)"))
		tab.WaitFor("#cancel-import")
		tab.Axe()
		tab.Screenshot("import-progress-" + l.name)

		batch(10, 30)
		tab.WaitText("#im-bar-label", l.pick("已处理 30 / 40 行（75%）", "30 of 40 rows done (75%)"))
		if got := browsertest.Eval[float64](tab, `document.querySelector("#import-bar").value`); got != 30 {
			t.Errorf("the bar's value is %v, want 30", got)
		}

		there(t, tab, "/imports/{id}", tab.ClickNavigate("#cancel-import"))
		tab.WaitText(`[data-test="import-done"]`, l.pick("导入已取消", "Import cancelled"))
		if n := tab.Count("[hx-trigger]"); n != 0 {
			t.Errorf("the cancelled job's page still polls (%d triggers)", n)
		}
		if got, err := s.db.Import(ctx, admin, j.ID); err != nil || got.Status != gonghai.ImportCancelled || got.Done != 30 {
			t.Errorf("after cancel the job is %s at %d (%v), want cancelled at 30", got.Status, got.Done, err)
		}
	})
}
