package gonghai

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaskPhone hides the middle of a phone number, as Chinese CRMs show it:
// 13812348000 becomes 138****8000. Short numbers keep only their last two
// digits.
func MaskPhone(p string) string {
	r := []rune(p)
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 11:
		return string(r[:3]) + "****" + string(r[len(r)-4:])
	case len(r) > 4:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

// MaskEmail keeps the first character of the local part and the domain:
// zhang.wei@example.cn becomes z***@example.cn.
func MaskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return strings.Repeat("*", utf8.RuneCountInString(e))
	}
	first, _ := utf8.DecodeRuneInString(e)
	return string(first) + "***" + e[at:]
}

// MaskWeChat keeps the first two characters of a WeChat id: wxid_abc123
// becomes wx***.
func MaskWeChat(w string) string {
	r := []rune(w)
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + "***"
}

// What non-owners see of a pool's contact fields.
const (
	MaskPartial = "masked" // 138****8000, z***@example.cn, wx***
	MaskHidden  = "hidden" // nothing
)

// ValidMask reports whether m is a pool's contact mask.
func ValidMask(m string) bool { return m == MaskPartial || m == MaskHidden }

// SeesContacts reports whether viewer sees c's phone, email and WeChat in
// full without asking: only its owner does. Everyone else sees them masked,
// and those entitled (MayReveal) may reveal them, one logged reveal at a
// time.
func SeesContacts(viewer User, c Customer) bool {
	return c.OwnerID != "" && c.OwnerID == viewer.ID
}

// MayReveal reports whether viewer may reveal c's contact fields: an owned
// customer's managers (of the owner's department, ownerDeptPath) and
// admins; an unowned customer's pool admins and admins. Pool members must
// claim a customer to see its contacts.
func MayReveal(viewer User, c Customer, ownerDeptPath string, p Pool) bool {
	switch {
	case SeesContacts(viewer, c), viewer.Role == RoleAdmin:
		return true
	case c.OwnerID != "":
		return ownerDeptPath != "" && viewer.Manages(ownerDeptPath)
	default:
		return p.IsAdmin(viewer.ID)
	}
}

// Masked returns c with its contact fields masked in mode (MaskPartial or
// MaskHidden; anything else hides).
func (c Customer) Masked(mode string) Customer {
	if mode == MaskPartial {
		c.Phone, c.Email, c.WeChat = MaskPhone(c.Phone), MaskEmail(c.Email), MaskWeChat(c.WeChat)
	} else {
		c.Phone, c.Email, c.WeChat = "", "", ""
	}
	if c.Plan != nil {
		// A plan's note is typed by hand, like a follow-up's.
		p := *c.Plan
		p.Note = MaskText(p.Note)
		c.Plan = &p
	}
	return c
}

// For returns c as viewer may see it: contact fields masked in the pool's
// mode unless SeesContacts. Every customer that leaves the server passes
// through here.
func (c Customer) For(viewer User, mode string) Customer {
	if SeesContacts(viewer, c) {
		return c
	}
	return c.Masked(mode)
}

// ContactLookupDailyQuota is how many look-ups by phone or email one user
// may make per calendar day: searches for one, and creates or edits that
// meet a customer who has it. A masked phone (138****8000) leaves 10,000
// candidates; the quota keeps anyone from trying them all to unmask it.
const ContactLookupDailyQuota = 200

// ContactShaped reports whether a search text may be a phone number (7
// digits or more, half- or full-width) or an email address: such a search
// is a contact look-up.
func ContactShaped(q string) bool {
	if strings.ContainsAny(q, "@＠") {
		return true
	}
	digits := 0
	for _, r := range q {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits >= 7
}

// Contacts are a customer's contact fields, as a reveal shows them.
type Contacts struct {
	Phone  string
	Email  string
	WeChat string
	// Others are the customer's further contacts, in full: a reveal shows
	// every person at the customer at once, counted once.
	Others []Contact
}

// MaskText masks what looks like a phone number, an email address or a
// WeChat id in free text (follow-up notes, reasons, titles), for viewers
// who do not see the customer's contacts: a rep may type a contact into a
// note. It sees through the ways such text hides one (see findContacts)
// and leaves the rest of the text as it was typed.
func MaskText(s string) string {
	found := findContacts(s)
	if len(found) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, c := range found {
		b.WriteString(s[last:c.start])
		b.WriteString(c.mask)
		last = c.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// Kinds of contact that free text may hold; each is also the customer
// field it belongs in.
const (
	contactPhone  = "phone"
	contactEmail  = "email"
	contactWeChat = "wechat"
)

// contactIn returns the kind of the first contact s holds, "" for none.
func contactIn(s string) string {
	if found := findContacts(s); len(found) > 0 {
		return found[0].kind
	}
	return ""
}

// contactSpan is a contact found in free text: s[start:end] of the text as
// typed, and what a viewer who may not see it sees instead.
type contactSpan struct {
	start, end int
	kind, mask string
}

// The patterns are anchored: findContacts tries each only where its
// contact may start (an @, a w or v, 微, 威 or 薇), which keeps a page of
// notes cheap to mask.
var (
	// The domain after an @, which may be full-width or spaced ("li @
	// hengxin.cn"). The top-level domain stops at the first non-Latin
	// letter when it starts Latin, so that "li@hengxin.cn谢谢" keeps its
	// thanks.
	textDomain = regexp.MustCompile(`^ {0,2}[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:[A-Za-z]{2,}|\p{L}{2,})`)
	// The id WeChat gives an account that never chose one.
	textWxid = regexp.MustCompile(`^(?i)wxid_[a-z0-9_-]{4,}`)
	// A handle after a word for WeChat: 微信, 微信号, VX, vx, wx, WeChat…,
	// then 号, id, a colon, 是 or spaces. A WeChat id starts with a letter
	// and has at least six characters.
	textWeChat = regexp.MustCompile(`^(?i)(微信号?|威信|薇信|v信|weixin|wechat|vx|wx)( *(?:号|id)? *[:=是为]? *)([a-z][a-z0-9_-]{5,})`)
	// A date leading a run of digits: "2026-12-01 14:30".
	textDate = regexp.MustCompile(`^(?:19|20)[0-9]{2}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12][0-9]|3[01])(?:[^0-9]|$)`)
	// An amount with fen: "12800.50".
	textDecimal = regexp.MustCompile(`^[0-9]+\.[0-9]{1,2}$`)
)

// findContacts returns the contacts in s, in order and apart. It reads s
// folded (see fold): without invisible characters, full-width forms made
// ASCII. Email addresses are found first (a QQ address is digits at
// qq.com), then WeChat ids, then phone numbers: seven digits or more,
// unless the run is a date, an amount (12800.50, 1280000 元) or a code
// glued to letters; a mobile number is a phone number whatever surrounds
// it.
func findContacts(s string) []contactSpan {
	f := fold(s)
	t := f.text
	var found []contactSpan
	add := func(a, b int, kind, mask string) {
		start, end := f.from[a], f.to[b-1]
		for _, c := range found {
			if start < c.end && c.start < end {
				return
			}
		}
		found = append(found, contactSpan{start, end, kind, mask})
	}
	var emails, wxids, handles [][]int
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '@' {
			if m := emailAround(t, i); m != nil {
				emails = append(emails, m)
			}
		}
		if c == 'w' || c == 'W' || c == 'v' || c == 'V' || strings.HasPrefix(t[i:], "微") || strings.HasPrefix(t[i:], "威") || strings.HasPrefix(t[i:], "薇") {
			if m := textWxid.FindStringIndex(t[i:]); m != nil && (i == 0 || !asciiAlnum(t[i-1]) && t[i-1] != '_') {
				wxids = append(wxids, []int{i, i + m[1]})
			}
			if m := textWeChat.FindStringSubmatchIndex(t[i:]); m != nil {
				for j := range m {
					m[j] += i
				}
				handles = append(handles, m)
			}
		}
	}
	for _, m := range emails {
		a, at := m[0], m[0]+strings.IndexByte(t[m[0]:m[1]], '@')
		// "邮箱li@hengxin.cn": the address starts where its Latin part does.
		if local := t[a:at]; local[len(local)-1] < utf8.RuneSelf {
			if i := strings.LastIndexFunc(local, func(r rune) bool { return r >= utf8.RuneSelf }); i >= 0 {
				_, size := utf8.DecodeRuneInString(local[i:])
				a += i + size
			}
		}
		add(a, m[1], contactEmail, MaskEmail(strings.ReplaceAll(t[a:m[1]], " ", "")))
	}
	for _, m := range wxids {
		add(m[0], m[1], contactWeChat, MaskWeChat(t[m[0]:m[1]]))
	}
	for _, m := range handles {
		word, sep, id := t[m[2]:m[3]], t[m[4]:m[5]], t[m[6]:m[7]]
		if word[0] < utf8.RuneSelf {
			// An English word for WeChat must stand alone and be set off
			// from the handle ("wxzhang" is no handle). With only spaces
			// between them, a plain word is a handle only when it has a
			// digit, _ or -: "WeChat Official Account" holds none.
			if m[2] > 0 && asciiAlnum(t[m[2]-1]) || sep == "" ||
				strings.TrimSpace(sep) == "" && !strings.ContainsAny(id, "0123456789_-") {
				continue
			}
		}
		add(m[6], m[7], contactWeChat, MaskWeChat(id))
	}
	for _, m := range phoneRuns(t) {
		a, b := m[0], m[1]
		if d := textDate.FindStringIndex(t[a:b]); d != nil {
			a += d[1]
			for a < b && (t[a] < '0' || t[a] > '9') && t[a] != '+' {
				a++
			}
		}
		if digitCount(t[a:b]) < 7 {
			continue
		}
		// Slashes and enumeration commas also part lists and fractions:
		// a run with one is a phone only when it is a mobile number.
		if strings.ContainsAny(t[a:b], "/、") && !mobile(t[a:b]) {
			continue
		}
		if !mobile(t[a:b]) && (textDecimal.MatchString(t[a:b]) || amountAround(t, a, b) ||
			a > 0 && (asciiAlnum(t[a-1]) || t[a-1] == '_') || b < len(t) && (asciiAlnum(t[b]) || t[b] == '_')) {
			continue
		}
		add(a, b, contactPhone, MaskPhone(StripInvisible(s[f.from[a]:f.to[b-1]])))
	}
	slices.SortFunc(found, func(x, y contactSpan) int { return x.start - y.start })
	return found
}

// folded is text as findContacts reads it: text is the original without
// invisible characters and with each character in its compatibility form
// (NFKC: １ is 1, ＠ is @, the ideographic space a space); text[i] came
// from the original's bytes from[i] up to to[i].
type folded struct {
	text     string
	from, to []int
}

func fold(s string) folded {
	f := folded{from: make([]int, 0, len(s)), to: make([]int, 0, len(s))}
	b, tmp := make([]byte, 0, len(s)), []byte(nil)
	for i, r := range s {
		_, size := utf8.DecodeRuneInString(s[i:])
		if invisible(r) {
			continue
		}
		n := len(b)
		switch {
		case r < utf8.RuneSelf || norm.NFKC.PropertiesString(s[i:]).Decomposition() == nil:
			b = append(b, s[i:i+size]...)
		case r >= '！' && r <= '～': // full-width ASCII, the common case, without NFKC's cost
			b = append(b, byte(r-('！'-'!')))
		default:
			tmp = norm.NFKC.AppendString(tmp[:0], s[i:i+size])
			b = append(b, tmp...)
		}
		for range len(b) - n {
			f.from, f.to = append(f.from, i), append(f.to, i+size)
		}
	}
	f.text = string(b)
	return f
}

// emailAround returns where the address around the @ at t[at] starts and
// ends, nil when there is none: the letters, digits and ._%+- before it
// (up to two spaces away), and a domain after it.
func emailAround(t string, at int) []int {
	a := at
	for n := 0; n < 2 && a > 0 && t[a-1] == ' '; n++ {
		a--
	}
	local := a
	for a > 0 {
		r, size := utf8.DecodeLastRuneInString(t[:a])
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune("._%+-", r) {
			break
		}
		a -= size
	}
	m := textDomain.FindStringIndex(t[at+1:])
	if a == local || m == nil {
		return nil
	}
	return []int{a, at + 1 + m[1]}
}

// phoneRuns returns where t has digits with the separators people put
// between them, at most three in a row: "139-1234-5678", "(010) 6552 9988",
// "+86 139 1234 5678", "139 - 1234 - 5678", "139/1234/5678".
func phoneRuns(t string) [][]int {
	var runs [][]int
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			continue
		}
		start, end := i, i+1
		if i > 0 && t[i-1] == '+' {
			start--
		}
		for {
			j := end
			for n := 0; n < 3 && j < len(t); n++ {
				size := separator(t[j:])
				if size == 0 {
					break
				}
				j += size
			}
			if j == len(t) || t[j] < '0' || t[j] > '9' {
				break
			}
			end = j + 1
		}
		if end-start > 1 {
			runs = append(runs, []int{start, end})
		}
		i = end - 1
	}
	return runs
}

// separator returns the length of the separator t starts with: a space,
// dot, bracket, slash, dash (- or U+2010 to U+2014) or enumeration comma
// (、); 0 for none.
func separator(t string) int {
	switch {
	case t[0] == ' ' || t[0] == '.' || t[0] == '(' || t[0] == ')' || t[0] == '-' || t[0] == '/':
		return 1
	case strings.HasPrefix(t, "、"):
		return len("、")
	case len(t) >= 3 && t[0] == 0xe2 && t[1] == 0x80 && t[2] >= 0x90 && t[2] <= 0x94:
		return 3
	}
	return 0
}

func asciiAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			n++
		}
	}
	return n
}

// mobile reports whether the digits of s are a Chinese mobile number,
// with or without +86 or 0086 before it.
func mobile(s string) bool {
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	switch {
	case len(d) == 15 && string(d[:4]) == "0086":
		d = d[4:]
	case len(d) == 13 && string(d[:2]) == "86":
		d = d[2:]
	}
	return len(d) == 11 && d[0] == '1' && d[1] >= '3'
}

// amountAround reports whether the digits t[a:b] are money: a currency
// sign before them or a unit of money after.
func amountAround(t string, a, b int) bool {
	before := strings.TrimRight(t[:a], " ")
	after := strings.TrimLeft(t[b:], " ")
	for _, sign := range []string{"¥", "$", "RMB", "rmb"} {
		if strings.HasSuffix(before, sign) {
			return true
		}
	}
	for _, unit := range []string{"元", "万", "块", "亿", "%", "RMB", "rmb"} {
		if strings.HasPrefix(after, unit) {
			return true
		}
	}
	return false
}
