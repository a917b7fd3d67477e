package sheet

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
	"github.com/google/go-cmp/cmp"
)

// fuzzLimits keep a fuzzed file small enough to read whole each time.
var fuzzLimits = Limits{MaxRows: 200, MaxBytes: 1 << 20}

// checkRead opens b and checks what every file must give, whatever it
// holds: an error with a code a user can act on (never internal), or a
// header without empty cells at its end and rows of exactly its width,
// each cell trimmed valid UTF-8 within Excel's cell length, some cell
// not empty, row numbers
// rising from 2, as many rows as Rows counted, none over the limit.
func checkRead(t *testing.T, b []byte, opt Options) {
	r, err := Open(bytes.NewReader(b), int64(len(b)), opt)
	if err != nil {
		if code := gonghai.ErrorCode(err); code != gonghai.EInvalid && code != gonghai.ETooLarge {
			t.Fatalf("Open: %v (code %q)", err, code)
		}
		return
	}
	defer r.Close()
	h := r.Header()
	if len(h) == 0 || h[len(h)-1] == "" || len(h) > maxColumns {
		t.Fatalf("header %q", h)
	}
	last, n := 1, 0
	for {
		cells, line, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next after Open took the file: %v", err)
		}
		n++
		if len(cells) != len(h) {
			t.Fatalf("row %d has %d cells, header %d", line, len(cells), len(h))
		}
		if line <= last {
			t.Fatalf("row %d after row %d", line, last)
		}
		last = line
		nonEmpty := false
		for _, c := range cells {
			if !utf8.ValidString(c) || strings.TrimSpace(c) != c || utf8.RuneCountInString(c) > maxCellRunes {
				t.Fatalf("row %d: cell %q", line, c)
			}
			nonEmpty = nonEmpty || c != ""
		}
		if !nonEmpty {
			t.Fatalf("row %d is empty", line)
		}
	}
	if n != r.Rows() || n > opt.Limits.MaxRows {
		t.Fatalf("%d rows read, %d counted, limit %d", n, r.Rows(), opt.Limits.MaxRows)
	}
}

var fuzzEncodings = []string{"", EncodingUTF8, EncodingUTF16LE, EncodingUTF16BE, EncodingGB18030}

func FuzzCSV(f *testing.F) {
	for _, name := range []string{"gb18030.csv", "utf16le.txt", "utf16be.csv", "utf8bom.csv", "ragged.csv"} {
		f.Add(fixture(f, name), byte(0))
	}
	f.Add([]byte("a,b\n\"x\"\"y\",\"1\n2\"\r\n,,\n"), byte(1))
	f.Fuzz(func(t *testing.T, b []byte, enc byte) {
		checkRead(t, b, Options{Encoding: fuzzEncodings[int(enc)%len(fuzzEncodings)], Limits: fuzzLimits})
	})
}

// FuzzXLSX fuzzes the worksheet and shared strings of a workbook whose
// other parts are sound: random bytes would rarely be a zip at all.
func FuzzXLSX(f *testing.F) {
	f.Add([]byte(sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>手机</t></is></c></row>`+
		`<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3"><v>13800138000</v></c><c r="D3" s="1"><v>45306</v></c></row>`)),
		[]byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>公司</t></si><si><r><t>甲</t></r><r><t>乙</t></r></si></sst>`))
	f.Add([]byte(`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row><x:c t="s"><x:v>9</x:v></x:c></x:row></x:sheetData></x:worksheet>`),
		[]byte(`<sst><si><t>a</t></si></sst>`))
	f.Add([]byte(sheetXML(`<row r="1048577"><c r="XFE1"><v>1</v></c></row>`)), []byte{})
	f.Fuzz(func(t *testing.T, sheet, shared []byte) {
		b := workbook(t, part{name: "xl/worksheets/sheet1.xml", data: sheet}, part{name: "xl/sharedStrings.xml", data: shared})
		checkRead(t, b, Options{Limits: fuzzLimits})
	})
}

// FuzzAutoMap: each column maps to at most one field, within the header;
// the normal form of a header is stable (normalising twice changes
// nothing), and a header in normal form maps as the header does.
func FuzzAutoMap(f *testing.F) {
	f.Add("公司名称*", "手机（必填）", "Ｅｍａｉｌ")
	f.Add("Company Name", "联系人手机", "电话2")
	f.Add("", "【微信】", "İstanbul ǅ ﬁ")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		header := []string{a, b, c}
		m := AutoMap(header)
		cols := map[int]Field{}
		for fl, i := range m {
			if i < 0 || i >= len(header) {
				t.Fatalf("%s maps to column %d of %d", fl, i, len(header))
			}
			if other, ok := cols[i]; ok {
				t.Fatalf("column %d maps to %s and %s", i, other, fl)
			}
			cols[i] = fl
		}
		normal := make([]string, len(header))
		for i, h := range header {
			normal[i] = normHeader(h)
			if again := normHeader(normal[i]); again != normal[i] {
				t.Fatalf("normHeader(%q) = %q, again %q", h, normal[i], again)
			}
		}
		if diff := cmp.Diff(m, AutoMap(normal)); diff != "" {
			t.Fatalf("header %q and its normal form %q map apart:\n%s", header, normal, diff)
		}
	})
}
