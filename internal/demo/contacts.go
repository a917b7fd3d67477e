package demo

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai/internal/dedup"
)

// How generated customers are named and reached: company names, phones,
// WeChat ids and emails that look like the ones sales teams meet.

// company draws a company name not used before in this Org (by its
// normal form, dedup.Company), following the
// registration pattern 行政区划 + 字号 + 行业 + 组织形式. It also returns
// the industry word and the two trade-name characters, from which the
// company's web domain is made.
func (g *generator) company(prefix string, ind *industry) (string, industryWord, [2]tradeChar) {
	for {
		i := g.r.IntN(len(tradeChars))
		j := g.r.IntN(len(tradeChars) - 1)
		if j >= i { // two different characters: 华华 is not a trade name
			j++
		}
		trade := [2]tradeChar{tradeChars[i], tradeChars[j]}
		word := ind.words[g.r.IntN(len(ind.words))]
		name := prefix + trade[0].char + trade[1].char + word.word + companySuffix.pick(g.r)
		// Unused as a company, not only as a text: 广州华星科技 and 深圳华星
		// 科技 are one company to the duplicate check.
		if key := dedup.Company(name); !g.companies[key] {
			g.companies[key] = true
			return name, word, trade
		}
	}
}

// phone draws a mobile number not used before in this Org.
func (g *generator) phone() string {
	for {
		p := phonePrefixes[g.r.IntN(len(phonePrefixes))] + fmt.Sprintf("%08d", g.r.IntN(100_000_000))
		if !g.phones[p] {
			g.phones[p] = true
			return p
		}
	}
}

// wechat draws a WeChat id not used before in this Org: the system's
// wxid_ form, or one the person chose from their surname's pinyin.
func (g *generator) wechat(p person) string {
	const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	for {
		var b strings.Builder
		if g.r.IntN(2) == 0 {
			b.WriteString("wxid_")
			for range 12 {
				b.WriteByte(alnum[g.r.IntN(len(alnum))])
			}
		} else {
			b.WriteString(p.surnamePinyin)
			for range 3 + g.r.IntN(4) {
				b.WriteByte(alnum[26+g.r.IntN(10)])
			}
		}
		if id := b.String(); !g.wechats[id] {
			g.wechats[id] = true
			return id
		}
	}
}

// email draws an address not used before in this Org: a QQ number, a
// webmail handle, or a name at the company's own domain.
func (g *generator) email(p person, trade [2]tradeChar, word industryWord) string {
	for {
		var addr string
		switch domain := emailKind.pick(g.r); domain {
		case "qq.com":
			// QQ numbers are 5 to 10 digits with no leading zero.
			digits := 6 + g.r.IntN(5)
			lo := int64(1)
			for range digits - 1 {
				lo *= 10
			}
			addr = strconv.FormatInt(lo+g.r.Int64N(9*lo), 10) + "@qq.com"
		case "":
			addr = g.companyHandle(p) + "@" + g.companyDomain(trade, word)
		default:
			addr = g.webmailHandle(p) + "@" + domain
		}
		if !g.emails[addr] {
			g.emails[addr] = true
			return addr
		}
	}
}

// webmailHandle makes a personal handle: surname plus a birth year or
// lucky number, or an English name with the surname.
func (g *generator) webmailHandle(p person) string {
	switch g.r.IntN(5) {
	case 0:
		return p.surnamePinyin + strconv.Itoa(1970+g.r.IntN(35))
	case 1:
		return p.surnamePinyin + fmt.Sprintf("%02d", g.r.IntN(100))
	case 2:
		return p.englishName(g.r) + "." + p.surnamePinyin
	case 3:
		return p.englishName(g.r) + "_" + p.surnamePinyin + strconv.Itoa(g.r.IntN(100))
	default:
		return p.englishName(g.r) + strconv.Itoa(10+g.r.IntN(990))
	}
}

// companyHandle makes a work handle: English name and surname, sometimes
// just the English name (the domain is the company's own, so it is unique
// enough).
func (g *generator) companyHandle(p person) string {
	if g.r.IntN(4) == 0 {
		return p.englishName(g.r)
	}
	return p.englishName(g.r) + "." + p.surnamePinyin
}

// companyDomain gives a company a web domain no other company in the Org
// has, built from the pinyin of its trade name like real ones are
// (恒泰科技 → hengtaitech.com).
func (g *generator) companyDomain(trade [2]tradeChar, word industryWord) string {
	base := trade[0].pinyin + trade[1].pinyin
	for _, d := range []string{
		base + ".com", base + ".com.cn", base + word.ascii + ".com",
		base + "-" + word.ascii + ".com", base + word.ascii + ".cn", base + "group.com",
	} {
		if !g.domains[d] {
			g.domains[d] = true
			return d
		}
	}
	for {
		d := base + word.ascii + strconv.Itoa(1+g.r.IntN(999)) + ".com"
		if !g.domains[d] {
			g.domains[d] = true
			return d
		}
	}
}
