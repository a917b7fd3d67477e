package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gonghai/gonghai"
)

// peakLimit is the bound on reading a zip bomb: 256 MB of peak
// memory, measured as the maximum resident set of a child process that
// does nothing but open the file and read its rows (the test binary and
// Go runtime included).
const peakLimit = 256 << 20

// part is one file of a generated archive: data, or a raw deflate stream
// with the sizes to declare.
type part struct {
	name     string
	data     []byte
	raw      []byte
	declared uint64
}

// repeatDeflate returns a raw deflate stream of head, then chunk n times
// (n >= 2), then tail, in about the space of one chunk compressed: the
// compressed chunk between two flushes decodes the same wherever its
// history is the end of a chunk, so it is repeated as bytes. That is how
// a bomb is made without compressing gigabytes.
func repeatDeflate(t testing.TB, head, chunk []byte, n int, tail []byte) ([]byte, uint64) {
	t.Helper()
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(head)
	w.Write(chunk)
	w.Flush()
	a := b.Len()
	w.Write(chunk)
	w.Flush()
	c := b.Len()
	w.Write(tail)
	w.Close()
	all := b.Bytes()
	out := append([]byte{}, all[:c]...)
	for range n - 2 {
		out = append(out, all[a:c]...)
	}
	out = append(out, all[c:]...)
	return out, uint64(len(head) + n*len(chunk) + len(tail))
}

// workbook writes an XLSX of the parts given over a minimal workbook with
// one sheet. A raw part declares its size (CRC 0: archive/zip checks no
// checksum then).
func workbook(t testing.TB, parts ...part) []byte {
	t.Helper()
	base := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml":   sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>company</t></is></c></row>`),
	}
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	given := map[string]bool{}
	for _, p := range parts {
		given[p.name] = true
		if p.raw == nil {
			w, _ := z.Create(p.name)
			w.Write(p.data)
			continue
		}
		w, err := z.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate,
			CompressedSize64: uint64(len(p.raw)), UncompressedSize64: p.declared})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.raw)
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"} {
		if !given[name] {
			w, _ := z.Create(name)
			io.WriteString(w, base[name])
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sheetXML(rows string) string {
	return `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
}

// rawPart is a part of head + chunk×n + tail, declared at its true size
// or, when lie is set, at lie bytes.
func rawPart(t testing.TB, name, head, chunk string, n int, tail string, lie uint64) part {
	raw, size := repeatDeflate(t, []byte(head), []byte(chunk), n, []byte(tail))
	if lie > 0 {
		size = lie
	}
	return part{name: name, raw: raw, declared: size}
}

const mib = 1 << 20

func TestRepeatDeflate(t *testing.T) {
	raw, size := repeatDeflate(t, []byte("<a>"), bytes.Repeat([]byte("<b/>"), mib/4), 5, []byte("</a>"))
	got, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil || uint64(len(got)) != size || size != 3+5*mib+4 || !bytes.HasSuffix(got, []byte("<b/></a>")) {
		t.Fatalf("%d bytes, %v; declared %d", len(got), err, size)
	}
}

// Each bomb is refused, and each file at the limits read, in a child
// process whose peak memory stays under peakLimit.
func TestZipBombs(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads hundreds of MB")
	}
	zeros := strings.Repeat("\x00", mib)
	row := `<row><c t="inlineStr"><is><t>北京星辰科技有限公司</t></is></c><c><v>13800138000</v></c></row>`
	rows := strings.Repeat(row, mib/len(row))
	for _, tc := range []struct {
		name string
		file func() []byte
		code string // "" reads to the end
		rows int
	}{
		{"a sheet of 4 GiB of zeros", func() []byte {
			return workbook(t, rawPart(t, "xl/worksheets/sheet1.xml", "", zeros, 4096, "", 0))
		}, gonghai.ETooLarge, 0},
		{"a sheet that declares 1 MiB and holds 1 GiB", func() []byte {
			return workbook(t, rawPart(t, "xl/worksheets/sheet1.xml", "", zeros, 1024, "", mib))
		}, gonghai.ETooLarge, 0},
		{"300 MiB of rows", func() []byte {
			return workbook(t, rawPart(t, "xl/worksheets/sheet1.xml", sheetXML("")[:len(sheetXML(""))-len("</sheetData></worksheet>")],
				rows, 300, "</sheetData></worksheet>", 0))
		}, gonghai.ETooLarge, 0},
		{"a row of 10 million cells", func() []byte {
			return workbook(t, rawPart(t, "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1">`,
				strings.Repeat("<c/>", mib/4), 40, `<c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`, 0))
		}, gonghai.ETooLarge, 0},
		{"a cell of 200 MiB", func() []byte {
			return workbook(t, rawPart(t, "xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>`,
				strings.Repeat("a", mib), 200, `</t></is></c></row></sheetData></worksheet>`, 0))
		}, gonghai.ETooLarge, 0},
		{"styles of 3 million elements", func() []byte {
			return workbook(t, rawPart(t, "xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`,
				strings.Repeat("<xf/>", mib/5), 15, `</cellXfs></styleSheet>`, 0))
		}, gonghai.ETooLarge, 0},
		{"1.3 million shared strings", func() []byte {
			return workbook(t, rawPart(t, "xl/sharedStrings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`,
				strings.Repeat("<si><t>x</t></si>", 1<<16), 20, `</sst>`, 0))
		}, gonghai.ETooLarge, 0},
		{"five images of 16 MiB", func() []byte {
			var ps []part
			for i := range 5 {
				ps = append(ps, rawPart(t, fmt.Sprintf("xl/media/image%d.png", i), "", zeros, 16, "", 0))
			}
			return workbook(t, ps...)
		}, gonghai.ETooLarge, 0},
		{"a directory of 4.6 MB", func() []byte {
			// archive/zip reads the whole directory: 80 names of 60,000
			// bytes stand for a million entries of short names.
			var ps []part
			for i := range 80 {
				ps = append(ps, part{name: fmt.Sprintf("xl/%d/%s", i, strings.Repeat("x", 60_000)), data: []byte{}})
			}
			return workbook(t, ps...)
		}, gonghai.ETooLarge, 0},
		// At the limits: read to the end, in bounded memory.
		{"1.18 million shared strings and 100,000 rows", func() []byte {
			si := strings.Repeat("<si><t>x</t></si>", 1<<16)
			r := `<row><c t="s"><v>1179000</v></c><c t="s"><v>7</v></c></row>`
			return workbook(t,
				rawPart(t, "xl/sharedStrings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, si, 18, `</sst>`, 0),
				rawPart(t, "xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="s"><v>0</v></c></row>`,
					strings.Repeat(r, 10_000), 10, `</sheetData></worksheet>`, 0))
		}, "", 100_000},
		{"styles of 240,000 elements", func() []byte {
			return workbook(t, rawPart(t, "xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`,
				strings.Repeat(`<xf numFmtId="0"/>`, 40_000), 6, `</cellXfs></styleSheet>`, 0))
		}, "", 0},
		{"rows as wide as Excel allows", func() []byte {
			return workbook(t, rawPart(t, "xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>a</t></is></c></row>`,
				"<row>"+strings.Repeat("<c><v>1</v></c>", maxColumns)+"</row>", 50, `</sheetData></worksheet>`, 0))
		}, "", 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.file()
			path := filepath.Join(t.TempDir(), "bomb.xlsx")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			code, rows, peak := readInChild(t, path)
			t.Logf("file %d KB: code %q, %d rows, peak RSS %d MB", len(b)>>10, code, rows, peak>>20)
			if code != tc.code || (tc.code == "" && rows != tc.rows) {
				t.Errorf("code %q after %d rows, want %q after %d", code, rows, tc.code, tc.rows)
			}
			if peak >= peakLimit {
				t.Errorf("peak RSS %d MB, over %d MB", peak>>20, peakLimit>>20)
			}
		})
	}
}

// readInChild reads the file at path in a fresh process of this test
// binary (built again without the race detector, whose shadow memory is
// no part of what a server uses) and returns the error code, the rows
// read and the child's peak resident memory: VmHWM, which the child reads
// from /proc/self/status as it finishes. (The rusage of a child started
// with vfork counts its parent's memory.)
func readInChild(t *testing.T, path string) (code string, rows int, peak int64) {
	t.Helper()
	cmd := exec.Command(childBinary(t), "-test.run=^TestReadChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SHEET_CHILD_FILE="+path, "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	found := false
	for _, l := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(l, "child: "); ok {
			_, err := fmt.Sscanf(rest, "code=%s rows=%d peak=%d", &code, &rows, &peak)
			found = err == nil
		}
	}
	if !found {
		t.Fatalf("child said:\n%s", out)
	}
	if code == "-" {
		code = ""
	}
	return code, rows, peak
}

var child struct {
	once sync.Once
	path string
	err  error
}

// childBinary is this test binary, or under the race detector the same
// tests built without it, once.
func childBinary(t *testing.T) string {
	if !raceEnabled {
		return os.Args[0]
	}
	child.once.Do(func() {
		child.path = filepath.Join(os.TempDir(), fmt.Sprintf("sheet-child-%d.test", os.Getpid()))
		out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "test", "-c", "-o", child.path, ".").CombinedOutput()
		if err != nil {
			child.err = fmt.Errorf("%v: %s", err, out)
		}
	})
	if child.err != nil {
		t.Fatal(child.err)
	}
	return child.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if child.path != "" {
		os.Remove(child.path)
	}
	os.Exit(code)
}

// TestReadChild is readInChild's child: it reads one file and prints what
// came of it.
func TestReadChild(t *testing.T) {
	path := os.Getenv("SHEET_CHILD_FILE")
	if path == "" {
		t.Skip("run by readInChild")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	rows := 0
	r, err := Open(f, st.Size(), Options{})
	if err == nil {
		defer r.Close()
		for {
			if _, _, err = r.Next(); err != nil {
				break
			}
			rows++
		}
	}
	if err == io.EOF {
		err = nil
	}
	code := gonghai.ErrorCode(err)
	if code == "" {
		code = "-"
	}
	fmt.Printf("child: code=%s rows=%d peak=%d\n", code, rows, vmHWM(t))
}

// vmHWM is this process's peak resident memory, in bytes.
func vmHWM(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// An archive that needs ZIP64 (over 65,535 entries) is refused from its
// end record alone.
func TestCentralDirZIP64(t *testing.T) {
	eocd := []byte("PK\x05\x06\x00\x00\x00\x00\xFF\xFF\xFF\xFF\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	if err := centralDir(bytes.NewReader(eocd), int64(len(eocd))); gonghai.ErrorCode(err) != gonghai.ETooLarge {
		t.Errorf("ZIP64 end record: %v", err)
	}
	eocd[8], eocd[9], eocd[10], eocd[11] = 1, 0, 1, 0
	if err := centralDir(bytes.NewReader(eocd), int64(len(eocd))); err != nil {
		t.Errorf("one entry: %v", err)
	}
}
