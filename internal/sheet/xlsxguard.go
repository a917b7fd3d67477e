package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/gonghai/gonghai"
)

// What an XLSX may unzip to. excelize checks only the sizes the archive
// declares and holds every part in memory except worksheets and the
// shared strings above UnzipXMLSizeLimit, which it unzips to temporary
// files and streams. guardZip checks the rest before excelize opens the
// file, so that whatever the archive holds, reading it stays in bounded
// memory (measured in bomb_test.go: under 256 MB peak RSS).
const (
	// unzipLimit bounds all parts unzipped (excelize's UnzipSizeLimit): the
	// temporary disk a file may take. 100,000 rows of 40 columns of inline
	// strings stay under it.
	unzipLimit = 512 << 20
	// xmlInMemory is excelize's UnzipXMLSizeLimit: a worksheet or shared
	// string table above it streams from a temporary file.
	xmlInMemory = 4 << 20
	// partLimit and inMemoryLimit bound the other parts (styles, workbook,
	// images), which excelize keeps in memory: each, and all together.
	partLimit     = 16 << 20
	inMemoryLimit = 48 << 20
	// centralDirLimit bounds the archive's directory, which archive/zip
	// reads whole: 4 MB is about 80,000 entries; a workbook has tens.
	centralDirLimit = 4 << 20
	// partTagsLimit bounds the elements of an XML part held in memory and
	// parsed into structures many times its size (a styles.xml of a
	// million empty <xf/>). Excel itself stops at 64,000 cell formats;
	// 250,000 elements of styles take about 110 MB to read.
	partTagsLimit = 250_000
	// sharedStringsLimit bounds the shared strings: excelize keeps an index
	// entry for each even when it streams the table (1.2 million take
	// about 160 MB to read; 1.9 million took 236 MB). It is 12 distinct
	// texts a row for 100,000 rows.
	sharedStringsLimit = 1_200_000
	// tokenLimit bounds the bytes between two tags (a cell's text, or one
	// tag's attributes): excelize reads each into one string. Excel's
	// longest cell is 32,767 characters.
	tokenLimit = 1 << 20
)

var errTooLarge = gonghai.Errorf(gonghai.ETooLarge, "the workbook unzips to more than this server reads: save it as CSV, or split it")

// guardZip refuses an archive that would unzip beyond the limits above.
// It reads the declared sizes, then unzips every XML part once, counting
// its elements without parsing it; archive/zip refuses a part longer than
// its declared size, so the declared sizes bound the work.
func guardZip(r io.ReaderAt, size int64) error {
	if err := centralDir(r, size); err != nil {
		return err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
	}
	var total, inMemory uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		sheet := strings.HasPrefix(name, "xl/worksheets/sheet")
		shared := name == "xl/sharedstrings.xml"
		if !sheet && !shared {
			inMemory += f.UncompressedSize64
			if f.UncompressedSize64 > partLimit {
				return errTooLarge
			}
		}
		if total > unzipLimit || inMemory > inMemoryLimit {
			return errTooLarge
		}
		switch ext := path.Ext(name); {
		case sheet:
			err = scanPart(f, sheetCounter())
		case shared:
			err = scanPart(f, countOf("si", sharedStringsLimit))
		case ext == ".xml" || ext == ".rels" || ext == ".vml":
			err = scanPart(f, countOf("", partTagsLimit))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// centralDir refuses an archive whose directory is too big to read, or
// that needs ZIP64 (over 65,535 entries or 4 GB): no workbook this server
// reads does.
func centralDir(r io.ReaderAt, size int64) error {
	const eocd = 22
	tail := make([]byte, min(size, eocd+65535))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return err
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocd {
		return gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
	}
	entries := binary.LittleEndian.Uint16(tail[i+10:])
	dirSize := binary.LittleEndian.Uint32(tail[i+12:])
	if entries == 0xFFFF || dirSize > centralDirLimit {
		return errTooLarge
	}
	return nil
}

// scanPart unzips one part through tags, which sees every start tag's
// local name.
func scanPart(f *zip.File, onTag func(local string) error) error {
	rc, err := f.Open()
	if err != nil {
		return gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
	}
	defer rc.Close()
	t := tagScanner{onTag: onTag}
	buf := make([]byte, 64<<10)
	var read uint64
	for {
		n, err := rc.Read(buf)
		read += uint64(n)
		if serr := t.scan(buf[:n]); serr != nil {
			return serr
		}
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, zip.ErrFormat) && read >= f.UncompressedSize64:
			// More data than the archive declares: a bomb that lies about its size.
			return errTooLarge
		case err != nil:
			return gonghai.Errorf(gonghai.EInvalid, "not a readable XLSX file")
		}
	}
}

// sheetCounter refuses a row of more cells than Excel's widest sheet:
// excelize builds each row as one slice, and a row of millions of empty
// <c/> compresses to nothing.
func sheetCounter() func(string) error {
	cells := 0
	return func(local string) error {
		switch local {
		case "row":
			cells = 0
		case "c":
			if cells++; cells > maxColumns {
				return errTooLarge
			}
		}
		return nil
	}
}

// countOf refuses more than limit elements named local ("" counts all).
func countOf(local string, limit int) func(string) error {
	n := 0
	return func(l string) error {
		if local == "" || l == local {
			if n++; n > limit {
				return errTooLarge
			}
		}
		return nil
	}
}

// tagScanner finds start tags in XML bytes fed in chunks, without parsing:
// a '<' followed by a name. Comments and CDATA may be miscounted as tags,
// which only errs towards refusing. It also refuses a run of more than
// tokenLimit bytes without a '<'.
type tagScanner struct {
	onTag  func(local string) error
	inName bool
	name   []byte
	since  int // bytes since the last '<'
}

func (t *tagScanner) scan(p []byte) error {
	for _, b := range p {
		if b == '<' {
			t.inName, t.name, t.since = true, t.name[:0], 0
			continue
		}
		if t.since++; t.since > tokenLimit {
			return errTooLarge
		}
		if !t.inName {
			continue
		}
		switch b {
		case ' ', '\t', '\r', '\n', '/', '>':
			t.inName = false
			if len(t.name) == 0 || t.name[0] == '?' || t.name[0] == '!' {
				continue
			}
			local := t.name
			if i := bytes.LastIndexByte(local, ':'); i >= 0 {
				local = local[i+1:]
			}
			if err := t.onTag(string(local)); err != nil {
				return err
			}
		default:
			if len(t.name) < 64 {
				t.name = append(t.name, b)
			}
		}
	}
	return nil
}
