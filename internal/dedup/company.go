package dedup

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gonghai/gonghai"
	"golang.org/x/text/unicode/norm"
)

//go:generate go test -run TestRegionList -update

// regionsText holds China's administrative areas and their short forms,
// one a line, derived from internal/demo/areas-cn.csv by TestRegionList:
// dedup stays pure (no file read at run time), and the test keeps the
// list true to the data.
//
//go:embed regions.txt
var regionsText string

// regions is regionsText as a set; maxRegion is its longest name in bytes.
var regions, maxRegion = func() (map[string]bool, int) {
	set, longest := map[string]bool{}, 0
	for _, r := range strings.Fields(regionsText) {
		set[r] = true
		longest = max(longest, len(r))
	}
	return set, longest
}()

// chineseLegal are the legal forms at the end of a Chinese company's
// name, longest first so that 股份有限公司 goes whole. 集团 goes too: 星辰
// 科技集团 and 星辰科技 are one company to a rep.
var chineseLegal = []string{
	"股份有限公司", "有限责任公司", "集团有限公司", "集团公司", "有限公司", "股份公司", "责任公司",
	"特殊普通合伙", "普通合伙", "有限合伙", "公司", "集团",
}

// englishLegal are legal-form words ending a name written in Latin
// letters. They go as whole words only: Costco keeps its "co".
var englishLegal = map[string]bool{
	"co": true, "company": true, "corp": true, "corporation": true, "inc": true, "incorporated": true,
	"llc": true, "ltd": true, "limited": true, "gmbh": true, "plc": true, "pte": true, "pty": true,
	"ag": true, "sa": true, "bv": true, "nv": true, "lp": true, "llp": true, "group": true,
}

// branch marks a branch office. It stays in the normal form: 中国移动北京
// 分公司 is not 中国移动, and its location stays with it.
const branch = "分公司"

// minRest is the fewest characters a name keeps after a leading region
// goes: 上海银行, 北京汽车 and 北京同仁堂 keep their region (银行 or 同仁
// 堂 alone would make every city's bank or shop one company), while 北京
// 星辰科技 loses it.
const minRest = 4

// Company returns a company name's normal form, the key two spellings of
// one company share: width-folded (NFKC), lower case, without spaces and
// punctuation, without a legal-form suffix (有限公司, 股份有限公司, 集团,
// Co., Ltd., Inc., GmbH …) and without a leading or bracketed region
// (北京, 北京市, （上海）, 广东省 …); 分公司 stays with its location as a
// branch marker. So 北京星辰科技有限公司, 星辰科技（北京）有限公司 and 星辰
// 科技 are one company, and 中国移动北京分公司 is not 中国移动. A name is
// never stripped to nothing (北京有限公司 keeps 北京), and the form is
// stable: Company(Company(x)) == Company(x). A name without a letter or
// digit gives "".
func Company(name string) string {
	s := name
	// Each pass only removes, so the passes end; the last one changes
	// nothing, which is what makes the form stable.
	for range 8 {
		next := companyPass(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// companyPass is one pass of the normalisation.
func companyPass(name string) string {
	s := strings.ToLower(gonghai.StripInvisible(norm.NFKC.String(name)))
	s = dropBracketed(unifyBrackets(s))
	s = joinWords(s)
	if s == "" {
		return ""
	}
	if body, ok := strings.CutSuffix(s, branch); ok && body != "" {
		head, place := splitBranch(body)
		return core(head) + place + branch
	}
	return core(s)
}

// core strips the legal forms at the end and the regions at the start.
func core(s string) string {
	for {
		l := legalSuffix(s)
		rest := strings.TrimSuffix(s, l)
		if l == "" || rest == "" || strings.HasSuffix(rest, "分") {
			break
		}
		s = rest
	}
	if regions[s] {
		return shortRegion(s)
	}
	for {
		r := leadingRegion(s)
		if r == "" || !mayLoseRegion(s[len(r):]) {
			return s
		}
		s = s[len(r):]
	}
}

// legalSuffix returns the longest legal form s ends with, or "".
func legalSuffix(s string) string {
	for _, l := range chineseLegal {
		if strings.HasSuffix(s, l) {
			return l
		}
	}
	return ""
}

// regionBound are the kinds of bodies whose region is part of their
// name: 上海交通大学 is not 西安交通大学, nor 上海银行 北京银行.
var regionBound = []string{"大学", "学院", "学校", "中学", "小学", "医院", "银行", "政府", "研究院", "研究所", "电视台", "日报"}

// mayLoseRegion reports whether a name may drop the region before rest:
// rest is long enough to name a company alone and is no body bound to
// its place.
func mayLoseRegion(rest string) bool {
	if utf8.RuneCountInString(rest) < minRest {
		return false
	}
	for _, b := range regionBound {
		if strings.HasSuffix(rest, b) {
			return false
		}
	}
	return true
}

// splitBranch splits the part of a branch's name before 分公司 into the
// company and the branch's place: 星辰科技有限公司上海 at its legal form,
// 中国移动北京 at a region ending it. The place loses 市 or 省.
func splitBranch(body string) (head, place string) {
	for _, l := range chineseLegal {
		if i := strings.LastIndex(body, l); i > 0 && i+len(l) < len(body) {
			return body[:i+len(l)], shortRegion(body[i+len(l):])
		}
	}
	for i := range body {
		if i > 0 && regions[body[i:]] {
			return body[:i], shortRegion(body[i:])
		}
	}
	return body, ""
}

// shortRegion returns a region without 市 or 省 when the rest is a region
// too: the 北京市分公司 is the 北京分公司.
func shortRegion(r string) string {
	for _, suffix := range []string{"市", "省"} {
		if s, ok := strings.CutSuffix(r, suffix); ok && regions[s] {
			return s
		}
	}
	return r
}

// leadingRegion returns the longest region s starts with, or "".
func leadingRegion(s string) string {
	for n := min(len(s), maxRegion); n > 0; n-- {
		if utf8.RuneStart(s[n%len(s)]) || n == len(s) {
			if regions[s[:n]] {
				return s[:n]
			}
		}
	}
	return ""
}

// openers and closers are the brackets people type around a region or a
// legal form, after NFKC (which folds （ and ［ already).
const openers, closers = "([{<【〔〖〈《「『", ")]}>】〕〗〉》」』"

// unifyBrackets writes every bracket as ( or ).
func unifyBrackets(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(openers, r):
			return '('
		case strings.ContainsRune(closers, r):
			return ')'
		}
		return r
	}, s)
}

// dropBracketed removes a bracketed region or legal form, (北京) or
// (集团), and keeps any other bracketed text without its brackets.
func dropBracketed(s string) string {
	orig := s
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '(')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], ')')
		if end < 0 {
			break
		}
		inner := s[open+1 : open+end]
		b.WriteString(s[:open])
		if w := joinWords(inner); !regions[w] && !isLegal(w) {
			b.WriteString(" " + inner + " ")
		}
		s = s[open+end+1:]
	}
	b.WriteString(s)
	// A name that was only a region and a legal form keeps its region.
	if w := joinWords(b.String()); w == "" || isLegal(w) {
		return orig
	}
	return b.String()
}

// isLegal reports whether w is a legal form alone.
func isLegal(w string) bool {
	for _, l := range chineseLegal {
		if w == l {
			return true
		}
	}
	return englishLegal[w]
}

// joinWords splits s into words (runs of letters and digits of one kind,
// Han or other), drops legal-form words at the end (never the last word)
// and joins the rest without spaces or punctuation, but for a "-" between
// two numbers. Latin accents go as in Email.
func joinWords(s string) string {
	var words []string
	start, prevHan := -1, false
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
		isHan := unicode.Is(unicode.Han, r)
		if start >= 0 && (!word || (isHan != prevHan && !unicode.IsMark(r))) {
			words, start = append(words, s[start:i]), -1
		}
		if word && start < 0 {
			start, prevHan = i, isHan
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	for len(words) > 1 && englishLegal[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	// Numbers stay apart: 1-12 is not 11-2.
	var b strings.Builder
	for i, w := range words {
		if i > 0 && endsDigit(words[i-1]) && startsDigit(w) {
			b.WriteByte('-')
		}
		b.WriteString(w)
	}
	return bareLatin(b.String())
}

func endsDigit(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsDigit(r)
}

func startsDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsDigit(r)
}
