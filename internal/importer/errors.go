package importer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// ErrorStore is what the error file needs of the database.
type ErrorStore interface {
	Import(ctx context.Context, viewer gonghai.User, id string) (gonghai.Import, error)
	ImportFile(ctx context.Context, id string) ([]byte, error)
	ImportRows(ctx context.Context, viewer gonghai.User, id string, verdict gonghai.ImportVerdict, run bool, pg gonghai.Page) ([]gonghai.ImportRow, string, error)
}

// ErrorHeader is the title of the error file's added column.
const ErrorHeader = "错误 / Error"

// WriteErrors writes the error file of job id as viewer may have it: the
// refused rows of its run (of its dry run, before it was started), each
// as uploaded with the reason in an added last column, in the file's
// format (a CSV in GB18030 when the upload was, else UTF-8 with a BOM). It
// returns the file's format. The file is read again from the job, so the
// cells are the user's own; ENotFound once the job has expired.
func WriteErrors(ctx context.Context, st ErrorStore, viewer gonghai.User, id string, w io.Writer) (sheet.Format, error) {
	j, err := st.Import(ctx, viewer, id)
	if err != nil {
		return "", err
	}
	run := j.Status != gonghai.ImportDryRun && j.Status != gonghai.ImportDryRunDone
	reasons := map[int]string{}
	for pg := (gonghai.Page{Limit: gonghai.MaxPageSize}); ; {
		rows, next, err := st.ImportRows(ctx, viewer, id, gonghai.VerdictError, run, pg)
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			reasons[r.Row] = r.Field + ": " + r.Reason
		}
		if next == "" {
			break
		}
		pg.After = next
	}
	data, err := st.ImportFile(ctx, id)
	if err != nil {
		return "", err
	}
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), sheet.Options{Encoding: j.Encoding})
	if err != nil {
		return "", err
	}
	defer rd.Close()
	out, err := newRowWriter(w, rd.Format(), j.Encoding)
	if err != nil {
		return "", err
	}
	if err := out.Write(append(rd.Header(), ErrorHeader)); err != nil {
		return "", err
	}
	for len(reasons) > 0 {
		cells, line, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if reason, ok := reasons[line]; ok {
			delete(reasons, line)
			if err := out.Write(append(cells, reason)); err != nil {
				return "", err
			}
		}
	}
	return rd.Format(), out.Close()
}

// rowWriter writes rows of cells to a file.
type rowWriter interface {
	Write(cells []string) error
	Close() error
}

// newRowWriter writes the error file: XLSX cells as inline strings, which
// no program evaluates; CSV cells escaped when they start like a formula.
// It stands in for sheet.NewWriter (the export's writer) until that is on
// main: the error file should then be written with it.
func newRowWriter(w io.Writer, f sheet.Format, encoding string) (rowWriter, error) {
	if f == sheet.FormatXLSX {
		x := excelize.NewFile()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			x.Close()
			return nil, fmt.Errorf("error file: %w", err)
		}
		return &xlsxRows{w: w, x: x, sw: sw}, nil
	}
	c := &csvRows{}
	if encoding == "gb18030" {
		c.enc = transform.NewWriter(w, simplifiedchinese.GB18030.NewEncoder())
		c.buf = bufio.NewWriter(c.enc)
	} else {
		c.buf = bufio.NewWriter(w)
		c.buf.WriteString("\uFEFF")
	}
	c.csv = csv.NewWriter(c.buf)
	return c, nil
}

type csvRows struct {
	enc io.WriteCloser
	buf *bufio.Writer
	csv *csv.Writer
}

func (c *csvRows) Write(cells []string) error {
	out := make([]string, len(cells))
	for i, v := range cells {
		// OWASP's CSV injection advice: a cell a spreadsheet would
		// evaluate starts with a quote instead.
		if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
			v = "'" + v
		}
		out[i] = v
	}
	return c.csv.Write(out)
}

func (c *csvRows) Close() error {
	c.csv.Flush()
	err := c.csv.Error()
	if ferr := c.buf.Flush(); err == nil {
		err = ferr
	}
	if c.enc != nil {
		if cerr := c.enc.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

type xlsxRows struct {
	w   io.Writer
	x   *excelize.File
	sw  *excelize.StreamWriter
	row int
}

func (x *xlsxRows) Write(cells []string) error {
	x.row++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, vals)
}

func (x *xlsxRows) Close() error {
	defer x.x.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	return x.x.Write(x.w)
}
