package sheet

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

func TestTemplateXLSX(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			opt := TemplateOptions{Pools: []string{"华东公海", "华南公海"}, Owners: []string{"zhangsan", "lisi", "wangwu"}, Lang: lang}
			if err := Template(&b, FormatXLSX, opt); err != nil {
				t.Fatal(err)
			}
			// Our reader maps every column of its own template and skips
			// the notes row: a blank template has no rows.
			r, rows, err := readAll(t, b.Bytes(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 0 {
				t.Errorf("blank template read as %v", rows)
			}
			m := AutoMap(r.Header())
			for i, f := range Fields() {
				if m[f] != i {
					t.Errorf("%s maps to column %d, want %d (header %q)", f, m[f], i, r.Header()[i])
				}
			}
			x, err := excelize.OpenReader(&b)
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			sheet := x.GetSheetList()[0]
			notes, _ := x.GetRows(sheet)
			if len(notes) < 2 || !strings.Contains(notes[1][0], map[string]string{"zh-CN": "至少", "en": "at least"}[lang]) {
				t.Errorf("notes row %q", notes)
			}
			dvs, err := x.GetDataValidations(sheet)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, dv := range dvs {
				got[dv.Sqref] = dv.Formula1
			}
			lists := x.GetSheetList()[1]
			want := map[string]string{
				"F3:F100002": "'" + lists + "'!$A$1:$A$3", // category A, B, C
				"L3:L100002": "'" + lists + "'!$B$1:$B$2", // pools
				"M3:M100002": "'" + lists + "'!$C$1:$C$3", // owners
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("drop-downs (-want +got):\n%s", diff)
			}
			if v, _ := x.GetSheetVisible(lists); v {
				t.Error("the lists sheet is visible")
			}
			owners, _ := x.GetCols(lists)
			if !slices.Equal(owners[2], opt.Owners) {
				t.Errorf("owners list %q", owners[2])
			}
		})
	}
}

// A filled-in template reads back: the notes row skipped, row numbers as
// Excel shows them.
func TestTemplateFilledIn(t *testing.T) {
	var b bytes.Buffer
	if err := Template(&b, FormatXLSX, TemplateOptions{}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	sheet := x.GetSheetList()[0]
	x.SetSheetRow(sheet, "A3", &[]any{"北京星辰科技有限公司", "张三", "13800138000"})
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	x.Close()
	_, rows, err := readAll(t, out.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Line != 3 || rows[0].Cells[2] != "13800138000" {
		t.Errorf("rows %v", rows)
	}
}

func TestTemplateCSV(t *testing.T) {
	for lang, first := range map[string]string{"zh-CN": "公司名称", "en": "Company", "": "公司名称"} {
		var b bytes.Buffer
		if err := Template(&b, FormatCSV, TemplateOptions{Lang: lang}); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b.Bytes(), []byte("\xEF\xBB\xBF"+first+",")) {
			t.Errorf("%s: %q", lang, b.String())
		}
		r, rows, err := readAll(t, b.Bytes(), Options{})
		if err != nil || len(rows) != 0 || len(AutoMap(r.Header())) != len(Fields()) {
			t.Errorf("%s: %v rows %v, mapping %v", lang, err, rows, AutoMap(r.Header()))
		}
	}
}
