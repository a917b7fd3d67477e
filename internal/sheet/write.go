package sheet

// The writing side of package sheet: rows out as XLSX or CSV, for list
// exports and the import's error file. A spreadsheet program evaluates a
// CSV cell that starts like a formula (=HYPERLINK(...), +1, -1, @SUM), so
// CSV cells are escaped the OWASP way; XLSX cells are written as inline
// strings, which no program evaluates, and keep their text as it is.

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Writer writes rows of cells to a file; Close finishes the file and must
// be called for it to be whole (it does not close the underlying writer).
type Writer interface {
	Write(cells []string) error
	Close() error
}

// NewWriter writes rows as FormatXLSX (streamed to a temporary file, then
// to w on Close) or FormatCSV in encoding: "" or "utf-8" (with BOM), or
// "gb18030". Anything else is an EInvalid error.
func NewWriter(w io.Writer, f Format, encoding string) (Writer, error) {
	switch f {
	case FormatXLSX:
		if encoding != "" {
			return nil, gonghai.Invalid("encoding", "only CSV files have an encoding")
		}
		return newXLSXWriter(w)
	case FormatCSV:
		return newCSVWriter(w, encoding)
	}
	return nil, gonghai.Invalid("format", "xlsx or csv")
}

// EscapeFormula returns cell so that a spreadsheet shows it as text: one
// that starts with =, +, -, @, a tab or a carriage return gets a leading
// single quote (OWASP's advice for CSV injection). Escaping twice changes
// nothing more.
func EscapeFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// csvWriter writes escaped cells through an encoder.
type csvWriter struct {
	buf  *bufio.Writer
	enc  io.WriteCloser // the GB18030 encoder, or nil
	csv  *csv.Writer
	cell []string
}

func newCSVWriter(w io.Writer, encoding string) (*csvWriter, error) {
	out := &csvWriter{}
	switch strings.ToLower(encoding) {
	case "", EncodingUTF8:
		out.buf = bufio.NewWriter(w)
		if _, err := out.buf.WriteString("\uFEFF"); err != nil {
			return nil, err
		}
	case EncodingGB18030:
		out.enc = transform.NewWriter(w, simplifiedchinese.GB18030.NewEncoder())
		out.buf = bufio.NewWriter(out.enc)
	default:
		return nil, gonghai.Invalid("encoding", "utf-8 or gb18030")
	}
	// Lines end in LF, which Excel and WPS read: with CRLF, encoding/csv
	// would drop a carriage return inside a cell.
	out.csv = csv.NewWriter(out.buf)
	return out, nil
}

func (w *csvWriter) Write(cells []string) error {
	w.cell = w.cell[:0]
	for _, c := range cells {
		// GB18030 encodes every character, but not broken UTF-8.
		w.cell = append(w.cell, EscapeFormula(strings.ToValidUTF8(c, "\uFFFD")))
	}
	return w.csv.Write(w.cell)
}

func (w *csvWriter) Close() error {
	w.csv.Flush()
	err := w.csv.Error()
	if ferr := w.buf.Flush(); err == nil {
		err = ferr
	}
	if w.enc != nil {
		if cerr := w.enc.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// xlsxSheet is the name of the one sheet an XLSX export holds.
const xlsxSheet = "Sheet1"

// xlsxWriter streams rows to one sheet. excelize keeps a stream's rows in
// a temporary file past 16 MB, so memory does not grow with the rows.
type xlsxWriter struct {
	w    io.Writer
	file *excelize.File
	sw   *excelize.StreamWriter
	row  int
	vals []any
}

func newXLSXWriter(w io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter(xlsxSheet)
	if err == nil {
		// Wide enough for a company name; must precede the first row.
		err = sw.SetColWidth(1, 20, 20)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("new xlsx: %w", err)
	}
	return &xlsxWriter{w: w, file: f, sw: sw}, nil
}

func (w *xlsxWriter) Write(cells []string) error {
	w.row++
	w.vals = w.vals[:0]
	for _, c := range cells {
		// A string value is an inline string cell: never a formula.
		w.vals = append(w.vals, xmlText(c))
	}
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	return w.sw.SetRow(cell, w.vals)
}

func (w *xlsxWriter) Close() error {
	defer w.file.Close()
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := w.file.Write(w.w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// xmlText drops what XML 1.0 cannot hold (control characters but tab,
// line feed and carriage return, and broken UTF-8), which would make the
// whole file unreadable.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r < 0xE000:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}
