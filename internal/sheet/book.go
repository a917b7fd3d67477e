package sheet

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Book writes an XLSX file of several named sheets, each streamed like
// NewWriter's one sheet: a report's tables, one sheet each. A number is
// written as a number cell, a string as an inline string (never a
// formula).
type Book struct {
	w     io.Writer
	file  *excelize.File
	sw    *excelize.StreamWriter
	row   int
	count int
	vals  []any
}

// NewBook starts a workbook to be written to w on Close.
func NewBook(w io.Writer) *Book { return &Book{w: w, file: excelize.NewFile()} }

// Sheet starts the next sheet, named name (cut to the 31 characters a
// sheet's name may have, with _ for the characters it may not); the rows written after it go there.
func (b *Book) Sheet(name string) error {
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	b.count++
	var err error
	if b.count == 1 {
		err = b.file.SetSheetName(xlsxSheet, name)
	} else {
		_, err = b.file.NewSheet(name)
	}
	if err == nil {
		b.sw, err = b.file.NewStreamWriter(name)
	}
	if err == nil {
		err = b.sw.SetColWidth(1, 12, 14)
	}
	if err != nil {
		return fmt.Errorf("xlsx sheet: %w", err)
	}
	b.row = 0
	return nil
}

// Write writes one row to the current sheet: strings and float64s.
func (b *Book) Write(cells []any) error {
	if b.sw == nil {
		return fmt.Errorf("write xlsx: no sheet started")
	}
	b.row++
	b.vals = b.vals[:0]
	for _, c := range cells {
		if s, ok := c.(string); ok {
			c = xmlText(s)
		}
		b.vals = append(b.vals, c)
	}
	cell, err := excelize.CoordinatesToCellName(1, b.row)
	if err != nil {
		return err
	}
	return b.sw.SetRow(cell, b.vals)
}

// Close writes the file to w.
func (b *Book) Close() error {
	defer b.file.Close()
	if b.sw != nil {
		if err := b.sw.Flush(); err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
	}
	if err := b.file.Write(b.w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
