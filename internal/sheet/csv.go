package sheet

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings a CSV is read in.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
	EncodingGB18030 = "gb18030"
)

// Excel's own bounds: no sheet is wider, no cell longer. A CSV row or cell
// beyond them is cut there, so one line of a million commas cannot make a
// million strings.
const (
	maxColumns   = 16_384
	maxCellRunes = 32_767
)

// encodingNames maps the names users and clients send to ours. GBK and
// GB2312 are subsets of GB18030: reading them as GB18030 is exact.
var encodingNames = map[string]string{
	"utf8": EncodingUTF8, "utf16le": EncodingUTF16LE, "utf16be": EncodingUTF16BE,
	"gb18030": EncodingGB18030, "gbk": EncodingGB18030, "gb2312": EncodingGB18030, "cp936": EncodingGB18030,
}

// detectEncoding returns the encoding given, or the one a BOM announces,
// else UTF-8 when every byte of the file is valid UTF-8, else GB18030
// (what Excel and WPS save a "CSV" in on a Chinese Windows).
func detectEncoding(r io.ReaderAt, size int64, given string) (string, error) {
	if given != "" {
		name := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(given))
		if enc, ok := encodingNames[name]; ok {
			return enc, nil
		}
		return "", gonghai.Invalid("encoding", "must be utf-8, utf-16le, utf-16be or gb18030")
	}
	bom := make([]byte, min(size, 3))
	if _, err := r.ReadAt(bom, 0); err != nil && err != io.EOF {
		return "", err
	}
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		return EncodingUTF8, nil
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}):
		return EncodingUTF16LE, nil
	case bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		return EncodingUTF16BE, nil
	}
	ok, err := validUTF8(io.NewSectionReader(r, 0, size))
	if err != nil {
		return "", err
	}
	if ok {
		return EncodingUTF8, nil
	}
	return EncodingGB18030, nil
}

// validUTF8 reports whether all of r is valid UTF-8, reading it in chunks:
// a file whose first thousand rows are ASCII may hold GB18030 names below.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := r.Read(buf[carry:])
		n += carry
		// Hold back the bytes of a rune cut by the chunk's end.
		cut := n
		for i := n - 1; i >= 0 && i >= n-utf8.UTFMax+1; i-- {
			if utf8.RuneStart(buf[i]) {
				if !utf8.FullRune(buf[i:n]) {
					cut = i
				}
				break
			}
		}
		if err == io.EOF {
			return utf8.Valid(buf[:n]), nil
		}
		if err != nil {
			return false, err
		}
		if !utf8.Valid(buf[:cut]) {
			return false, nil
		}
		carry = copy(buf, buf[cut:n])
	}
}

// decoded returns the file's text as UTF-8 (a UTF-8 BOM stays: the header
// drops it).
func decoded(r io.ReaderAt, size int64, enc string) io.Reader {
	in := io.NewSectionReader(r, 0, size)
	switch enc {
	case EncodingUTF16LE:
		return transform.NewReader(in, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder())
	case EncodingUTF16BE:
		return transform.NewReader(in, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case EncodingGB18030:
		return transform.NewReader(in, simplifiedchinese.GB18030.NewDecoder())
	}
	return in
}

// csvSource parses RFC 4180 CSV the way Excel reads it: a field that starts
// with a quote may hold delimiters, quotes doubled and line breaks; a
// quote anywhere else is a character; records end at CRLF, LF or a lone CR
// (old Mac Excel). Row numbers count records, blank lines included: the
// rows Excel shows.
type csvSource struct {
	in    *bufio.Reader
	delim rune
	line  int
	eof   bool
}

func newCSV(r io.ReaderAt, size int64, enc string) (source, error) {
	in := bufio.NewReaderSize(decoded(r, size, enc), 64<<10)
	head, err := in.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	return &csvSource{in: in, delim: delimiter(head)}, nil
}

// delimiter picks the delimiter of the header line: a tab for Excel's
// "Unicode text" (UTF-16 tab-separated), a semicolon for CSV saved under a
// European locale, else a comma.
func delimiter(head []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, b := range head {
		if b == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if b == '\n' || b == '\r' {
			break
		}
		counts[b]++
	}
	switch {
	case counts['\t'] > counts[','] && counts['\t'] >= counts[';']:
		return '\t'
	case counts[';'] > counts[',']:
		return ';'
	}
	return ','
}

func (s *csvSource) next() ([]string, int, error) {
	if s.eof {
		return nil, 0, io.EOF
	}
	var (
		rec     []string
		cell    strings.Builder
		runes   int
		started bool // a rune of this record was read
		fresh   = true
		quoted  bool
	)
	add := func(c rune) {
		if runes < maxCellRunes {
			cell.WriteRune(c)
			runes++
		}
		fresh = false
	}
	push := func() {
		if len(rec) < maxColumns {
			rec = append(rec, cell.String())
		}
		cell.Reset()
		runes, fresh = 0, true
	}
	for {
		c, _, err := s.in.ReadRune()
		if err == io.EOF {
			s.eof = true
			if !started {
				return nil, 0, io.EOF
			}
			push()
			s.line++
			return rec, s.line, nil
		}
		if err != nil {
			return nil, 0, gonghai.Errorf(gonghai.EInvalid, "the file cannot be read in this encoding")
		}
		started = true
		switch {
		case quoted && c == '"':
			if n, _, err := s.in.ReadRune(); err == nil && n == '"' {
				add('"')
			} else {
				if err == nil {
					_ = s.in.UnreadRune()
				}
				quoted = false
			}
		case quoted && c == '\r':
			s.skipLF()
			add('\n')
		case quoted:
			add(c)
		case c == '"' && fresh:
			quoted, fresh = true, false
		case c == s.delim:
			push()
		case c == '\n' || c == '\r':
			if c == '\r' {
				s.skipLF()
			}
			push()
			s.line++
			return rec, s.line, nil
		default:
			add(c)
		}
	}
}

// skipLF consumes the LF of a CRLF.
func (s *csvSource) skipLF() {
	if n, _, err := s.in.ReadRune(); err == nil && n != '\n' {
		_ = s.in.UnreadRune()
	}
}

func (s *csvSource) close() error { return nil }
