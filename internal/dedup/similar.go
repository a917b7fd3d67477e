package dedup

import (
	"strings"
	"unicode"
)

// SimilarThreshold is the Similarity from which two companies are
// "similar": shown to the person creating one, not refused. At 0.6 a
// four-character name with one character changed (星辰科技, 星晨科技: 0.75)
// or two inserted (星辰信息科技: 0.67) is similar; two that share only an
// industry word (星辰科技, 北斗科技: 0.5) or a group's prefix (中国移动, 中国
// 联通: 0.5) are not.
const SimilarThreshold = 0.6

// maxCompare bounds the characters compared: a name longer than any
// company's is compared on its start, which keeps the cost bounded.
const maxCompare = 128

// Similarity returns how alike two company names are, from 0 to 1, on
// their normal forms (Company; passing normal forms is fine, Company is
// stable): one minus the edit distance (Levenshtein, in characters) over
// the longer form's length. Equal forms give 1; an empty form gives 0,
// and so do forms whose digits differ: 星辰1号店 and 星辰2号店 are two
// shops, however alike their names.
func Similarity(a, b string) float64 {
	a, b = Company(a), Company(b)
	if a != b && digits(a) != digits(b) {
		return 0
	}
	ra, rb := []rune(a), []rune(b)
	ra, rb = ra[:min(len(ra), maxCompare)], rb[:min(len(rb), maxCompare)]
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	return 1 - float64(levenshtein(ra, rb))/float64(max(len(ra), len(rb)))
}

// Similar reports whether a and b are similar but not one company.
func Similar(a, b string) bool {
	s := Similarity(a, b)
	return s >= SimilarThreshold && s < 1
}

// levenshtein is the edit distance between a and b, in one row.
func levenshtein(a, b []rune) int {
	row := make([]int, len(b)+1)
	for j := range row {
		row[j] = j
	}
	for i := 1; i <= len(a); i++ {
		prev := row[0]
		row[0] = i
		for j := 1; j <= len(b); j++ {
			cur := row[j]
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			row[j] = min(row[j]+1, row[j-1]+1, prev+cost)
			prev = cur
		}
	}
	return row[len(b)]
}

// digits returns the digits of s, in order.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
