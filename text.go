package gonghai

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TextProblem reports what is wrong with text a user typed into a field,
// or "" when nothing is. Every free-text input passes through it: customer
// fields, names of users, departments and pools, stages, follow-ups,
// reasons and titles. It refuses text that is not UTF-8 (PostgreSQL would
// refuse it with an internal error), control characters (NUL among them:
// PostgreSQL cannot store it), and the bidirectional controls that make a
// name display as something else (U+202A–U+202E, U+2066–U+2069). Text of
// one line (lines false) may hold no tab or line break, nor the
// left-to-right and right-to-left marks; notes and reasons (lines true)
// may. The answer never quotes the text.
func TextProblem(s string, lines bool) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8 text"
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if !lines {
				return "one line: no tabs or line breaks"
			}
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return "holds a control character"
		case (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069'):
			return "holds a character that reorders text (a bidirectional control)"
		case r == '\u200e' || r == '\u200f' || r == '\u061c':
			if !lines {
				return "holds a character that reorders text (a direction mark)"
			}
		}
	}
	return ""
}

// invisible reports whether r is a format character (Unicode Cf): the
// zero-width space and joiners, the byte order mark, the soft hyphen, the
// direction controls. They show nothing, so in a contact they only hide
// one value from the duplicate check and the masking.
func invisible(r rune) bool { return unicode.Is(unicode.Cf, r) }

// StripInvisible returns s without its format characters (Unicode Cf:
// zero-width spaces and joiners, the byte order mark, the soft hyphen,
// direction controls): contacts are stored and compared so.
func StripInvisible(s string) string {
	return strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
}

// CleanPhone returns a phone number as it is stored: without invisible
// characters or surrounding spaces.
func CleanPhone(p string) string { return strings.TrimSpace(StripInvisible(p)) }

// CleanEmail returns an email address as it is stored, the form its owner
// can write to: width-folded (NFKC: ＠ is @), without invisible characters,
// surrounding spaces, a mailto: prefix (and its ?subject=…) or trailing
// dots. Case stays as typed; the duplicate check ignores it.
func CleanEmail(e string) string {
	e = strings.TrimSpace(StripInvisible(norm.NFKC.String(e)))
	if len(e) >= 7 && strings.EqualFold(e[:7], "mailto:") {
		e, _, _ = strings.Cut(e[7:], "?")
		e = strings.TrimSpace(e)
	}
	return trimEnd(e)
}

// trimEnd drops the dots and spaces ending s: "a. ." ends as "a", as its
// own cleaning would leave it (a clean value cleans to itself).
func trimEnd(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
}

// CleanWeChat returns a WeChat id as it is stored: width-folded, without
// invisible characters, surrounding spaces or trailing dots (a WeChat id
// has no dots; a sentence's full stop is not part of it).
func CleanWeChat(w string) string {
	return trimEnd(strings.TrimSpace(StripInvisible(norm.NFKC.String(w))))
}

// lookAlike reports whether s mixes scripts the way a look-alike does: a
// Cyrillic а or Greek ο among Latin letters. The scripts that are written
// together pass (Latin with Han and kana, with Han and Bopomofo, or with
// Han and Hangul: Unicode's "highly restrictive" level, UTS #39), and so
// does anything written wholly in one script, a Chinese domain or a
// Cyrillic address among them. Digits and punctuation belong to no script.
func lookAlike(s string) bool {
	seen := map[*unicode.RangeTable]bool{}
	for _, r := range s {
		if t := scriptOf(r); t != nil {
			seen[t] = true
		}
	}
	if len(seen) <= 1 {
		return false
	}
	for _, allowed := range [][]*unicode.RangeTable{
		{unicode.Latin, unicode.Han, unicode.Hiragana, unicode.Katakana},
		{unicode.Latin, unicode.Han, unicode.Bopomofo},
		{unicode.Latin, unicode.Han, unicode.Hangul},
	} {
		n := 0
		for _, t := range allowed {
			if seen[t] {
				n++
			}
		}
		if n == len(seen) {
			return false
		}
	}
	return true
}

// scriptOf returns the script of a letter or mark, nil for the characters
// every script shares (digits, punctuation, combining marks).
func scriptOf(r rune) *unicode.RangeTable {
	if r < utf8.RuneSelf {
		if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return unicode.Latin
		}
		return nil
	}
	if unicode.In(r, unicode.Common, unicode.Inherited) {
		return nil
	}
	for _, t := range unicode.Scripts {
		if unicode.Is(t, r) {
			return t
		}
	}
	return nil
}
