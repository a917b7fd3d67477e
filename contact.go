package gonghai

import (
	"strings"
	"unicode/utf8"
)

// MaxContacts is how many contacts beside its primary one customer may
// have: enough for any buying committee, and a bound on what one page lists.
const MaxContacts = 50

// ContactPatch changes the fields of a contact that are set.
type ContactPatch struct {
	Name, Title, Phone, Email, WeChat *string
}

// Apply sets the fields of k that p sets, each as it is stored: trimmed,
// and a phone, email or WeChat id cleaned as a customer's are.
func (p ContactPatch) Apply(k *Contact) {
	for _, x := range []struct {
		dst, src *string
		clean    func(string) string
	}{
		{&k.Name, p.Name, strings.TrimSpace}, {&k.Title, p.Title, strings.TrimSpace},
		{&k.Phone, p.Phone, CleanPhone}, {&k.Email, p.Email, CleanEmail}, {&k.WeChat, p.WeChat, CleanWeChat},
	} {
		if x.src != nil {
			*x.dst = x.clean(*x.src)
		}
	}
}

// Cleaned returns k's fields as they are stored (Apply).
func (k Contact) Cleaned() Contact {
	out := k
	ContactPatch{Name: &k.Name, Title: &k.Title, Phone: &k.Phone, Email: &k.Email, WeChat: &k.WeChat}.Apply(&out)
	return out
}

// Validate refuses a contact with neither a name nor a way to reach them,
// and any field a customer's same field would refuse.
func (k Contact) Validate() error {
	bad := map[string]string{}
	if k.Name == "" && k.Phone == "" && k.Email == "" && k.WeChat == "" {
		bad["name"] = "a contact needs a name, a phone, an email or a WeChat id"
	}
	// The customer's own checks of the same fields, with a stand-in company
	// so that a contact without a name is not refused for it.
	if err, ok := (CustomerFields{Name: k.Name, Company: "-", Phone: k.Phone, Email: k.Email, WeChat: k.WeChat}).Validate().(*Error); ok {
		for f, why := range err.Fields {
			bad[f] = why
		}
	}
	if p := TextProblem(k.Title, false); p != "" {
		bad["title"] = p
	} else if utf8.RuneCountInString(k.Title) > 200 {
		bad["title"] = "at most 200 characters"
	} else if what := contactIn(k.Title); what != "" {
		bad["title"] = contactMisplaced[what]
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid contact", Fields: bad}
	}
	return nil
}

// PrimaryContact is customer c's own name, phone, email and WeChat id as
// its first contact: it has the customer's id, and is edited through it.
func PrimaryContact(c Customer) Contact {
	return Contact{ID: c.ID, CustomerID: c.ID, Primary: true, Name: c.Name, Phone: c.Phone, Email: c.Email,
		WeChat: c.WeChat, Created: c.Created, Updated: c.Updated}
}

// Masked returns k as those who do not see its customer's contacts see it,
// in the pool's mask mode: the same mask as the customer's own fields.
func (k Contact) Masked(mode string) Contact {
	m := Customer{Phone: k.Phone, Email: k.Email, WeChat: k.WeChat}.Masked(mode)
	k.Phone, k.Email, k.WeChat = m.Phone, m.Email, m.WeChat
	return k
}

// ContactFor returns contact k of customer c as viewer may see it: in full
// when viewer sees c's contacts (SeesContacts), masked in the pool's mode
// otherwise. Every contact that leaves the server passes through here.
func ContactFor(k Contact, c Customer, viewer User, mode string) Contact {
	if SeesContacts(viewer, c) {
		return k
	}
	return k.Masked(mode)
}

// ForCaller decides what patch p may do to contact k of customer c for a
// caller who saw it in full (full) or masked in the pool's mode, exactly as
// CustomerPatch.ForCaller does for the customer's own fields: a field sent
// back as shown is left as it is, and a value the caller was not shown is
// never overwritten or cleared by them.
func (p ContactPatch) ForCaller(k Contact, full bool, mode string) (ContactPatch, error) {
	cp, err := CustomerPatch{Phone: p.Phone, Email: p.Email, WeChat: p.WeChat}.ForCaller(
		Customer{Phone: k.Phone, Email: k.Email, WeChat: k.WeChat}, full, mode)
	p.Phone, p.Email, p.WeChat = cp.Phone, cp.Email, cp.WeChat
	return p, err
}
