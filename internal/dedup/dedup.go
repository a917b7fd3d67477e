// Package dedup normalises contact values so that the forms people type of
// one phone number, email address, WeChat id or name compare equal: the
// duplicate check and the blind indexes work on these forms. It is pure.
package dedup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// DefaultRegion is the country of numbers written without one.
const DefaultRegion = "CN"

// Phone returns p in E.164 (+8613812348000), reading numbers without a
// country code as Chinese. Full-width digits, spaces, dashes, brackets and
// a 0086 or 86 prefix all give the same form, and so do invisible
// characters between the digits. A value that is no phone number comes
// back as its digits, so that it still matches itself.
func Phone(p string) string {
	// The library's E.164 of an odd number can read back as another
	// (+86010… loses its 0 the second time): read it until it stays, so
	// that the form of the form is the form. Each reading that changes
	// the number shortens it, so a number's length bounds the readings.
	for range len(p) + 1 {
		next := phoneOnce(p)
		if next == p {
			break
		}
		p = next
	}
	return p
}

// phoneOnce reads p once.
func phoneOnce(p string) string {
	p = gonghai.CleanPhone(norm.NFKC.String(p))
	if p == "" {
		return ""
	}
	e164 := p
	if strings.HasPrefix(e164, "00") {
		e164 = "+" + strings.TrimPrefix(e164, "00")
	}
	n, err := phonenumbers.Parse(e164, DefaultRegion)
	if err == nil && phonenumbers.IsPossibleNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	// No number: its digits as typed, 00 and all (Phone reads them once
	// more: a stray character may be what kept them from parsing).
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Email returns e as gonghai.CleanEmail stores it (width-folded, without
// invisible characters, mailto: or trailing dots), lower-cased, and with
// the accents on Latin letters dropped: "li@hengxin.cn.",
// "mailto:LI@hengxin.cn", "li\u200b@hengxin.cn" and "lí@hengxin.cn" are one
// address. Folding accents makes jürgen@müller.de one with
// jurgen@muller.de: as a duplicate check that is far likelier the same
// person retyped than two people. Letters of other scripts keep their
// marks, so a Chinese or Thai domain keeps its form. Look-alike letters of
// another script (a Cyrillic а) are not folded: gonghai refuses an address
// that mixes them with Latin ones.
func Email(e string) string {
	return bareLatin(strings.ToLower(gonghai.CleanEmail(e)))
}

// WeChat returns a WeChat id as gonghai.CleanWeChat stores it,
// lower-cased and with the accents on Latin letters dropped: WeChat ids
// do not distinguish case, and are plain ASCII.
func WeChat(w string) string {
	return bareLatin(strings.ToLower(gonghai.CleanWeChat(w)))
}

// bareLatin drops the combining marks that sit on ASCII letters (é is e
// and an acute accent), in NFKC.
func bareLatin(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	onLatin := false
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			if onLatin {
				continue
			}
		} else {
			onLatin = r < utf8.RuneSelf && unicode.IsLetter(r)
		}
		b.WriteRune(r)
	}
	return norm.NFKC.String(b.String())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Name returns a person's name width-folded and lower-cased, without
// zero-width and other invisible characters, with runs of spaces made one
// and the spaces between Chinese characters dropped ("张 伟", "张\u200b伟"
// and "张伟" are one name).
func Name(n string) string {
	fields := strings.Fields(strings.ToLower(gonghai.StripInvisible(norm.NFKC.String(n))))
	var b strings.Builder
	for i, f := range fields {
		if i > 0 && !(han(fields[i-1], true) && han(f, false)) {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// han reports whether s ends (last) or starts with a Han character.
func han(s string, last bool) bool {
	r := []rune(s)
	if last {
		return unicode.Is(unicode.Han, r[len(r)-1])
	}
	return unicode.Is(unicode.Han, r[0])
}

// Normalise returns value in the normal form of column: "phone", "email",
// "wechat", "name" or "company".
func Normalise(column, value string) string {
	switch column {
	case "phone":
		return Phone(value)
	case "email":
		return Email(value)
	case "wechat":
		return WeChat(value)
	case "name":
		return Name(value)
	case "company":
		return Company(value)
	}
	return strings.TrimSpace(value)
}
