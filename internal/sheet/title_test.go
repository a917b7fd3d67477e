package sheet

import (
	"bytes"
	"slices"
	"testing"
)

// An exported file names its exporter on a line above the header: it
// imports as it is, in both formats, while a file of one column keeps its
// header.
func TestTitleAboveHeader(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatXLSX} {
		var b bytes.Buffer
		w, err := NewWriter(&b, f, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, cells := range [][]string{{"导出：rep.a 2026-11-30 10:42"}, {"公司名称", "手机"}, {"星辰科技", "13800138000"}} {
			if err := w.Write(cells); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, rows, err := readAll(t, b.Bytes(), Options{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !slices.Equal(r.Header(), []string{"公司名称", "手机"}) || len(rows) != 1 || rows[0].Line != 3 ||
			!slices.Equal(rows[0].Cells, []string{"星辰科技", "13800138000"}) {
			t.Errorf("%s: header %q rows %+v, want the title skipped and one row on line 3", f, r.Header(), rows)
		}
		if r.Rows() != 1 {
			t.Errorf("%s: Rows() = %d, want 1", f, r.Rows())
		}
	}
	r, rows, err := readAll(t, []byte("公司名称\n星辰科技\n北辰物流\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Header(), []string{"公司名称"}) || len(rows) != 2 || rows[0].Line != 2 {
		t.Errorf("one column: header %q rows %+v, want the header kept and two rows", r.Header(), rows)
	}
}
