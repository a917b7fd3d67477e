package sheet

import (
	"errors"
	"io"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/xuri/excelize/v2"
)

// xlsxFile is an opened workbook and the sheet to read.
type xlsxFile struct {
	f     *excelize.File
	sheet string
}

// openXLSX checks the archive (guardZip), then opens it with excelize.
// excelize reads the whole file into memory first: at most
// Limits.MaxBytes, checked by Open.
func openXLSX(r io.ReaderAt, size int64, sheet string) (x *xlsxFile, err error) {
	defer unpanic(&err)
	if err := guardZip(r, size); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit:    unzipLimit,
		UnzipXMLSizeLimit: xmlInMemory,
		// Dates in the built-in short date format as a Chinese Excel shows
		// them (2024/1/15), not as excelize's default (01-15-24).
		CultureInfo:      excelize.CultureNameZhCN,
		ShortDatePattern: "yyyy/m/d",
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, xlsxError(err)
	}
	x = &xlsxFile{f: f}
	if x.sheet, err = pickSheet(f.GetSheetList(), sheet); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

// pickSheet returns the first sheet, or the one named (ignoring case, as
// Excel does).
func pickSheet(list []string, want string) (string, error) {
	if len(list) == 0 {
		return "", gonghai.Errorf(gonghai.EInvalid, "the workbook has no sheet")
	}
	if want == "" {
		return list[0], nil
	}
	for _, s := range list {
		if strings.EqualFold(s, strings.TrimSpace(want)) {
			return s, nil
		}
	}
	return "", gonghai.Invalid("sheet", "the workbook has no sheet of that name")
}

// xlsxError says what a user can do about excelize's errors, without
// echoing the file's content.
func xlsxError(err error) error {
	var ge *gonghai.Error
	switch {
	case errors.As(err, &ge):
		return err
	case strings.Contains(err.Error(), "unzip size"), errors.Is(err, excelize.ErrMaxRows):
		return errTooLarge
	}
	return gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
}

func (x *xlsxFile) rows() (_ source, err error) {
	defer unpanic(&err)
	rows, err := x.f.Rows(x.sheet)
	if err != nil {
		return nil, xlsxError(err)
	}
	return &xlsxRows{rows: rows}, nil
}

// Close removes the workbook's temporary files.
func (x *xlsxFile) Close() error { return x.f.Close() }

// xlsxRows streams one sheet's rows. excelize's Rows.Next steps one row
// at a time, gaps included, so the count of calls is the row number.
type xlsxRows struct {
	rows *excelize.Rows
	line int
}

func (s *xlsxRows) next() (cells []string, line int, err error) {
	defer unpanic(&err)
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, xlsxError(err)
		}
		return nil, 0, io.EOF
	}
	s.line++
	if cells, err = s.rows.Columns(); err != nil {
		return nil, 0, xlsxError(err)
	}
	return cells, s.line, nil
}

func (s *xlsxRows) close() error { return s.rows.Close() }

// unpanic turns a panic in excelize, which parses files from strangers,
// into the answer to a broken file: one upload must not stop the server.
func unpanic(err *error) {
	if p := recover(); p != nil {
		*err = gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
	}
}
