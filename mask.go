package gonghai

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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
}

var (
	textEmail = regexp.MustCompile(`[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}`)
	textPhone = regexp.MustCompile(`\+?[0-9０-９][0-9０-９ .()（）-]{5,}[0-9０-９]`)
)

// MaskText masks what looks like a phone number or an email address in
// free text (follow-up notes), for viewers who do not see the customer's
// contacts: a rep may type a number into a note.
func MaskText(s string) string {
	s = textEmail.ReplaceAllStringFunc(s, MaskEmail)
	return textPhone.ReplaceAllStringFunc(s, func(m string) string {
		digits := 0
		for _, r := range m {
			if unicode.IsDigit(r) {
				digits++
			}
		}
		if digits < 7 {
			return m
		}
		return MaskPhone(m)
	})
}
