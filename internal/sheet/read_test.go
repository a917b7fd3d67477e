package sheet

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// row is a data row as Next returns it.
type row struct {
	Line  int
	Cells []string
}

// readAll opens b and reads every row.
func readAll(t testing.TB, b []byte, opt Options) (*Reader, []row, error) {
	t.Helper()
	r, err := Open(bytes.NewReader(b), int64(len(b)), opt)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows []row
	for {
		cells, line, err := r.Next()
		if err == io.EOF {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, row{line, cells})
	}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The CSV fixtures hold the same rows, written by Python's codecs.
var csvHeader = []string{"公司名称", "联系人", "手机号码", "电子邮箱", "备注"}
var wantCSV = []row{
	{2, []string{"北京星辰科技有限公司", "张三", "13800138000", "zhang@example.com", `老客户，"重点"跟进`}},
	{3, []string{"上海云帆贸易有限公司", "李四", "13912345678", "", "第一行\n第二行"}},
	{4, []string{"𠀾字号（GB18030 四字节）", "王五", "020-88886666", "", ""}},
}

// The XLSX fixtures are SpreadsheetML written by hand (gen_fixtures.py).
var xlsxHeader = []string{"公司名称", "联系人", "手机", "邮箱", "微信", "分类", "地区", "备注"}
var wantXLSX = []row{
	// A phone stored as a number reads as its digits; a built-in date as
	// a Chinese Excel shows it; spaces trimmed.
	{2, []string{"北京星辰科技有限公司", "张三", "13800138000", "zhang@example.com", "", "A", "北京市/朝阳区", "2024/1/15"}},
	// Rich text joined; a phone stored in scientific notation; a custom date format.
	{3, []string{"上海云帆 贸易", "李四", "13912345678", "", "12345", "", "", "2024-01-15"}},
	// Row 4 missing, row 5's cells without references: a formula's cached value, a boolean.
	{5, []string{"广州南方实业", "王五", "020-88886666", "TRUE", "", "", "", ""}},
	// Row 6 is spaces only; row 7's cell beyond the header is dropped.
	{7, []string{"深圳前海科技", "", "", "", "", "", "", ""}},
	// Row 9 is an empty row element; the row after it has no number.
	{10, []string{"杭州西湖电子", "", "13600136000", "", "", "", "", ""}},
}

func TestReadFixtures(t *testing.T) {
	for _, tc := range []struct {
		file     string
		opt      Options
		format   Format
		encoding string
		header   []string
		rows     []row
	}{
		{"gb18030.csv", Options{}, FormatCSV, EncodingGB18030, csvHeader, wantCSV},
		{"gb18030.csv", Options{Encoding: "GBK"}, FormatCSV, EncodingGB18030, csvHeader, wantCSV},
		{"utf16le.txt", Options{}, FormatCSV, EncodingUTF16LE, csvHeader, wantCSV},
		{"utf16be.csv", Options{}, FormatCSV, EncodingUTF16BE, csvHeader, wantCSV},
		{"utf16le.txt", Options{Encoding: "utf-16le"}, FormatCSV, EncodingUTF16LE, csvHeader, wantCSV},
		{"utf8bom.csv", Options{}, FormatCSV, EncodingUTF8, csvHeader, wantCSV},
		{"utf8bom.csv", Options{Encoding: "UTF-8"}, FormatCSV, EncodingUTF8, csvHeader, wantCSV},
		{"ragged.csv", Options{}, FormatCSV, EncodingUTF8, []string{"Company", "Mobile", "Email"}, []row{
			{2, []string{"Acme Ltd", "13800138000", ""}},
			{4, []string{"Beta Co", "13900139000", "b@example.com"}},
			{6, []string{"Gamma", "13700137000", ""}},
		}},
		{"customers.xlsx", Options{}, FormatXLSX, "", xlsxHeader, wantXLSX},
		// The namespace prefix the OpenXML SDK writes.
		{"customers_prefixed.xlsx", Options{}, FormatXLSX, "", xlsxHeader, wantXLSX},
		{"customers.xlsx", Options{Sheet: "notes"}, FormatXLSX, "", []string{"Company", "Phone"}, []row{
			{2, []string{"Second Sheet Ltd", "13700137000"}},
		}},
	} {
		t.Run(tc.file+"/"+tc.opt.Encoding+tc.opt.Sheet, func(t *testing.T) {
			b := fixture(t, tc.file)
			r, rows, err := readAll(t, b, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != tc.format || r.Encoding() != tc.encoding {
				t.Errorf("format %s encoding %q, want %s %q", r.Format(), r.Encoding(), tc.format, tc.encoding)
			}
			if diff := cmp.Diff(tc.header, r.Header()); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.rows, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if r.Rows() != len(tc.rows) {
				t.Errorf("Rows() = %d, want %d", r.Rows(), len(tc.rows))
			}
			n, err := Count(bytes.NewReader(b), int64(len(b)), tc.opt)
			if err != nil || n != len(tc.rows) {
				t.Errorf("Count = %d, %v; want %d", n, err, len(tc.rows))
			}
		})
	}
}

// A GB18030 file read as UTF-8 on request reads as replacement characters:
// valid text, never raw bytes.
func TestWrongEncodingGivesValidText(t *testing.T) {
	_, rows, err := readAll(t, fixture(t, "gb18030.csv"), Options{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rows[0].Cells[0], "\uFFFD") {
		t.Errorf("cell %q: want replacement characters", rows[0].Cells[0])
	}
}

func TestCSVShapes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		header   []string
		rows     []row
	}{
		{"crlf and quotes", "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n", []string{"a", "b"}, []row{{2, []string{"x,1", `say "hi"`}}}},
		{"lone CR", "a,b\rx,y\r", []string{"a", "b"}, []row{{2, []string{"x", "y"}}}},
		{"no final newline", "a\nx", []string{"a"}, []row{{2, []string{"x"}}}},
		{"quoted newline keeps row numbers", "a,b\n\"1\n2\",3\n\n4,5\n", []string{"a", "b"},
			[]row{{2, []string{"1\n2", "3"}}, {4, []string{"4", "5"}}}},
		{"tab separated", "公司\t手机\n甲,乙\t1\n", []string{"公司", "手机"}, []row{{2, []string{"甲,乙", "1"}}}},
		{"semicolon", "a;b\n1;2\n", []string{"a", "b"}, []row{{2, []string{"1", "2"}}}},
		{"header after blank lines and trailing empty cells", "\n,,\na,b,,\n1,2,3,4\n", []string{"a", "b"},
			[]row{{4, []string{"1", "2"}}}},
		{"quote inside a field is a character", "a\nab\"c\n", []string{"a"}, []row{{2, []string{`ab"c`}}}},
		{"text after a closing quote", "a\n\"ab\"c\n", []string{"a"}, []row{{2, []string{"abc"}}}},
		{"unterminated quote ends at EOF", "a\n\"abc", []string{"a"}, []row{{2, []string{"abc"}}}},
		{"full-width spaces trimmed", "a\n\u3000甲\u3000\n", []string{"a"}, []row{{2, []string{"甲"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, rows, err := readAll(t, []byte(tc.in), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.header, r.Header()); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.rows, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	many := "a\n" + strings.Repeat("x\n", 11)
	for _, tc := range []struct {
		name string
		in   []byte
		opt  Options
		code string
	}{
		{"empty", nil, Options{}, gonghai.EInvalid},
		{"blank lines only", []byte("\n\n,,\n"), Options{}, gonghai.EInvalid},
		{"old xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, Options{}, gonghai.EInvalid},
		{"broken zip", []byte("PK\x03\x04garbage"), Options{}, gonghai.EInvalid},
		{"binary", []byte("\x00\x01\x02,\x00\n"), Options{}, gonghai.EInvalid},
		{"unknown encoding", []byte("a\n"), Options{Encoding: "latin-1"}, gonghai.EInvalid},
		{"no such sheet", fixture(t, "customers.xlsx"), Options{Sheet: "nope"}, gonghai.EInvalid},
		{"too many rows", []byte(many), Options{Limits: Limits{MaxRows: 10}}, gonghai.ETooLarge},
		{"too many bytes", []byte(many), Options{Limits: Limits{MaxBytes: 10}}, gonghai.ETooLarge},
		{"xlsx too many rows", fixture(t, "customers.xlsx"), Options{Limits: Limits{MaxRows: 4}}, gonghai.ETooLarge},
		{"xlsx too many bytes", fixture(t, "customers.xlsx"), Options{Limits: Limits{MaxBytes: 1000}}, gonghai.ETooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Refused at Open: no row is ever handed out.
			r, err := Open(bytes.NewReader(tc.in), int64(len(tc.in)), tc.opt)
			if got := gonghai.ErrorCode(err); got != tc.code {
				t.Fatalf("Open: code %q (%v), want %q", got, err, tc.code)
			}
			if r != nil {
				t.Error("Open returned a reader with its error")
			}
			if _, err := Count(bytes.NewReader(tc.in), int64(len(tc.in)), tc.opt); gonghai.ErrorCode(err) != tc.code {
				t.Errorf("Count: %v, want code %q", err, tc.code)
			}
		})
	}
}

// Exactly MaxRows rows is within the limit; blank rows do not count.
func TestRowLimitIsInclusive(t *testing.T) {
	in := "a\n" + strings.Repeat("x\n\n", 10)
	_, rows, err := readAll(t, []byte(in), Options{Limits: Limits{MaxRows: 10}})
	if err != nil || len(rows) != 10 {
		t.Fatalf("%d rows, %v; want 10", len(rows), err)
	}
}

// A file whose first 64 KB are ASCII and whose last row is GB18030 is
// GB18030: detection reads the whole file.
func TestDetectionReadsTheWholeFile(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("company\n")
	for b.Len() < 200<<10 {
		b.WriteString("Acme Ltd\n")
	}
	b.Write([]byte{0xB1, 0xB1, 0xBE, 0xA9, '\n'}) // 北京 in GB18030
	r, rows, err := readAll(t, b.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != EncodingGB18030 || rows[len(rows)-1].Cells[0] != "北京" {
		t.Errorf("encoding %s, last cell %q", r.Encoding(), rows[len(rows)-1].Cells[0])
	}
}

// validUTF8 must not call a rune cut by its chunk boundary invalid.
func TestValidUTF8AcrossChunks(t *testing.T) {
	for pad := range 4 {
		s := strings.Repeat("a", 64<<10-pad) + strings.Repeat("北", 10)
		ok, err := validUTF8(strings.NewReader(s))
		if !ok || err != nil {
			t.Errorf("pad %d: %v %v", pad, ok, err)
		}
	}
	if ok, _ := validUTF8(strings.NewReader(strings.Repeat("a", 64<<10-1) + "\xB1\xB1")); ok {
		t.Error("GB18030 bytes at a chunk boundary read as UTF-8")
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{50 << 20: "50 MB", 1536 << 10: "1.5 MB", 10 << 10: "10 KB", 10: "10 bytes"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
