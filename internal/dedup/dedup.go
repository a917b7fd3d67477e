// Package dedup normalises contact values so that the forms people type of
// one phone number, email address, WeChat id or name compare equal: the
// duplicate check and the blind indexes work on these forms. It is pure.
package dedup

import (
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// DefaultRegion is the country of numbers written without one.
const DefaultRegion = "CN"

// Phone returns p in E.164 (+8613812348000), reading numbers without a
// country code as Chinese. Full-width digits, spaces, dashes, brackets and
// a 0086 or 86 prefix all give the same form. A value that is no phone
// number comes back as its digits, so that it still matches itself.
func Phone(p string) string {
	p = strings.TrimSpace(norm.NFKC.String(p))
	if p == "" {
		return ""
	}
	if strings.HasPrefix(p, "00") {
		p = "+" + strings.TrimPrefix(p, "00")
	}
	n, err := phonenumbers.Parse(p, DefaultRegion)
	if err == nil && phonenumbers.IsPossibleNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164)
	}
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Email returns e width-folded, trimmed and lower-cased.
func Email(e string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(e)))
}

// WeChat returns a WeChat id width-folded, trimmed and lower-cased: WeChat
// ids do not distinguish case.
func WeChat(w string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(w)))
}

// Name returns a person's name width-folded and lower-cased, with runs of
// spaces made one and the spaces between Chinese characters dropped
// ("张 伟" and "张伟" are one name).
func Name(n string) string {
	fields := strings.Fields(strings.ToLower(norm.NFKC.String(n)))
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
// "wechat" or "name".
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
	}
	return strings.TrimSpace(value)
}
