package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
)

// Format of a file: FormatCSV or FormatXLSX (detected from the content, not the name).
type Format string

// The formats read and written.
const (
	FormatCSV  Format = "csv"
	FormatXLSX Format = "xlsx"
)

// Default limits: what the issue states and an import page tells its users.
const (
	DefaultMaxRows  = 100_000
	DefaultMaxBytes = 50 << 20 // 50 MiB
)

// Limits bound what a file may hold; zero fields take the defaults
// (DefaultMaxRows data rows, DefaultMaxBytes bytes).
type Limits struct {
	MaxRows  int
	MaxBytes int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}

// Options: Encoding "" detects (BOM: UTF-8/UTF-16LE/UTF-16BE; else valid
// UTF-8; else GB18030), or one of "utf-8", "utf-16le", "utf-16be",
// "gb18030" overrides; it is ignored for XLSX. Sheet "" reads the
// workbook's first sheet.
type Options struct {
	Encoding string
	Sheet    string
	Limits   Limits
}

// source is one pass over a file's rows: every row, empty or not, with the
// row number Excel shows for it.
type source interface {
	next() (cells []string, line int, err error)
	close() error
}

// Reader streams the data rows of a file after its header.
type Reader struct {
	format   Format
	encoding string
	header   []string
	rows     int // data rows, counted at Open
	max      int
	done     int
	begun    bool // a row below the header was read: a notes row is no longer possible
	src      source
	file     io.Closer // the opened workbook, for XLSX: its temporary files
}

// Open reads a file's header and prepares to stream its rows. Too big
// (bytes, data rows, or unzipped XLSX beyond the limits of xlsxguard.go) is
// an error with code gonghai.ETooLarge before any row is read; a file that
// is neither CSV nor XLSX, or has no header row, is gonghai.EInvalid.
//
// Open reads the file twice: once to count its rows (so an over-limit file
// is refused before an import writes anything, and Rows gives true
// progress), then again as Next streams it.
func Open(r io.ReaderAt, size int64, opt Options) (*Reader, error) {
	lim := opt.Limits.withDefaults()
	if size > lim.MaxBytes {
		return nil, gonghai.Errorf(gonghai.ETooLarge, "the file is larger than %s", sizeText(lim.MaxBytes))
	}
	format, err := sniff(r, size)
	if err != nil {
		return nil, err
	}
	rd := &Reader{format: format, max: lim.MaxRows}
	var newSource func() (source, error)
	switch format {
	case FormatXLSX:
		x, err := openXLSX(r, size, opt.Sheet)
		if err != nil {
			return nil, err
		}
		rd.file, newSource = x, x.rows
	default:
		enc, err := detectEncoding(r, size, opt.Encoding)
		if err != nil {
			return nil, err
		}
		rd.encoding = enc
		newSource = func() (source, error) { return newCSV(r, size, enc) }
	}
	if err := rd.start(newSource); err != nil {
		rd.Close()
		return nil, err
	}
	return rd, nil
}

// start counts the data rows in one pass, with the same code as Next so the
// count is exact, then opens the pass Next reads.
func (rd *Reader) start(newSource func() (source, error)) error {
	first, err := newSource()
	if err != nil {
		return err
	}
	defer first.close()
	count := &pushback{source: first}
	if _, err := rd.readHeader(count); err != nil {
		return err
	}
	for {
		_, _, err := rd.next(count)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	rd.rows, rd.done, rd.begun = rd.done, 0, false
	again, err := newSource()
	if err != nil {
		return err
	}
	pb := &pushback{source: again}
	rd.src = pb
	_, err = rd.readHeader(pb)
	return err
}

// sizeText says a size limit in the unit it was likely set in.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.4g MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.4g KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// sniff tells XLSX (a zip archive) from text by the first bytes, and
// refuses the formats users most often upload by mistake with a message
// that says what to do.
func sniff(r io.ReaderAt, size int64) (Format, error) {
	head := make([]byte, min(size, 8))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return "", err
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		// An OLE container: Excel 97-2003 .xls, or a password-protected .xlsx.
		return "", gonghai.Errorf(gonghai.EInvalid, "an old .xls file or a password-protected workbook: save it as .xlsx without a password, or as CSV")
	case bytes.HasPrefix(head, []byte("PK")):
		return "", gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
	}
	return FormatCSV, nil
}

// readHeader returns the first row that is not empty, trimmed, without
// the empty cells at its end; every data row is cut or padded to its width.
// A title above the header (one cell that names no field, above a row of
// several that name some: the line an export names its exporter on) is no
// header: an exported file imports as it is.
func (rd *Reader) readHeader(src *pushback) ([]string, error) {
	cells, _, err := nonEmptyRow(src)
	if err == io.EOF {
		return nil, gonghai.Errorf(gonghai.EInvalid, "the file is empty: it has no header row")
	}
	if err != nil {
		return nil, err
	}
	if filled(cells) == 1 && len(AutoMap(cells)) == 0 {
		below, belowLine, err := nonEmptyRow(src)
		switch {
		case err == nil && filled(below) > 1 && len(AutoMap(below)) > 0:
			cells = below
		case err == nil:
			src.push(below, belowLine)
		case err != io.EOF:
			return nil, err
		}
	}
	for _, c := range cells {
		if strings.ContainsRune(c, 0) {
			return nil, gonghai.Errorf(gonghai.EInvalid, "not a CSV or XLSX file")
		}
	}
	rd.header = cells
	return cells, nil
}

// nonEmptyRow returns the next row with a cell, trimmed, without the empty
// cells at its end.
func nonEmptyRow(src source) ([]string, int, error) {
	for {
		cells, line, err := src.next()
		if err != nil {
			return nil, 0, err
		}
		if len(cells) > 0 {
			cells[0] = strings.TrimPrefix(cells[0], "\uFEFF")
		}
		cleanCells(cells)
		for len(cells) > 0 && cells[len(cells)-1] == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) > 0 {
			return cells, line, nil
		}
	}
}

// filled counts the cells that hold something.
func filled(cells []string) int {
	n := 0
	for _, c := range cells {
		if c != "" {
			n++
		}
	}
	return n
}

// pushback is a source that can take back one row it gave.
type pushback struct {
	source
	held []string
	line int
}

func (p *pushback) push(cells []string, line int) { p.held, p.line = cells, line }

func (p *pushback) next() ([]string, int, error) {
	if p.held != nil {
		cells := p.held
		p.held = nil
		return cells, p.line, nil
	}
	return p.source.next()
}

// next returns the next row that has a cell, fitted to the header's width.
func (rd *Reader) next(src source) ([]string, int, error) {
	for {
		cells, line, err := src.next()
		if err != nil {
			return nil, 0, err
		}
		// Cells beyond the header's last column have no field to go to:
		// a row with nothing else is empty.
		cells = cells[:min(len(cells), len(rd.header))]
		cleanCells(cells)
		if empty(cells) {
			continue
		}
		// The notes row of a filled-in template says what the columns
		// take: it is no customer.
		if !rd.begun {
			rd.begun = true
			if isNotesRow(cells) {
				continue
			}
		}
		if rd.done++; rd.done > rd.max {
			return nil, 0, gonghai.Errorf(gonghai.ETooLarge, "the file has more than %d rows", rd.max)
		}
		out := make([]string, len(rd.header))
		copy(out, cells)
		return out, line, nil
	}
}

// cleanCells trims every cell and makes it valid UTF-8: a file saved in an
// encoding other than the one given reads as replacement characters, not
// as bytes that break the pages and the database.
func cleanCells(cells []string) {
	for i, c := range cells {
		if !utf8.ValidString(c) {
			c = strings.ToValidUTF8(c, "\uFFFD")
		}
		cells[i] = strings.TrimSpace(c)
	}
}

func empty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}

// Format is the file's format, detected from its content.
func (r *Reader) Format() Format { return r.format }

// Encoding is the CSV encoding detected or given ("utf-8", "utf-16le",
// "utf-16be" or "gb18030"); "" for XLSX.
func (r *Reader) Encoding() string { return r.encoding }

// Header is the header row: trimmed, without empty cells at its end.
func (r *Reader) Header() []string { return r.header }

// Rows is the number of data rows (rows below the header with at least one
// cell), counted at Open: what Count returns, without another pass.
func (r *Reader) Rows() int { return r.rows }

// Next returns the next data row's cells, exactly len(Header()) of them
// (trimmed; a cell beyond the header's last column has no field to go to
// and is dropped, and a row of nothing else skipped), and its row number in the file, 1-based, counting the
// header as row 1: the number a user sees in Excel. Empty rows are
// skipped. io.EOF at the end. More rows than Limits.MaxRows is an error
// with code gonghai.ETooLarge (Open already refuses such a file).
func (r *Reader) Next() (cells []string, line int, err error) {
	if r.src == nil {
		return nil, 0, errors.New("sheet: Next after Close")
	}
	return r.next(r.src)
}

// Close releases the reader's temporary files.
func (r *Reader) Close() error {
	var err error
	if r.src != nil {
		err = r.src.close()
		r.src = nil
	}
	if r.file != nil {
		err = errors.Join(err, r.file.Close())
		r.file = nil
	}
	return err
}

// Count streams the whole file once and returns the number of data rows
// (for true progress). Open counts them too: a caller holding a Reader
// asks Reader.Rows instead.
func Count(r io.ReaderAt, size int64, opt Options) (int, error) {
	rd, err := Open(r, size, opt)
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	return rd.rows, nil
}
