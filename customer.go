package gonghai

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Categories rank customers: A is the most valuable.
var Categories = []string{"A", "B", "C"}

// Customer is a company or person that is either in a pool (OwnerID "") or
// owned by one rep. PoolID is always set: the pool it is in, or, while it is
// owned, the pool it belongs to and returns to.
type Customer struct {
	ID          string
	Name        string
	Company     string
	Category    string
	Industry    string
	Region      string // "省/市/区"
	ProductLine string
	Source      string
	Stage       string
	Won         bool
	Phone       string
	Email       string
	WeChat      string
	OwnerID     string
	PoolID      string
	OwnedSince  *time.Time
	// ClaimableAt is when a released customer may next be claimed.
	ClaimableAt *time.Time
	Created     time.Time
	Updated     time.Time

	// What the recycle rules read.
	Locked            bool
	WonAt             *time.Time
	LastFollowUp      *time.Time
	LastStageChange   *time.Time
	LastOrder         *time.Time
	LastOpportunity   *time.Time
	OpenOpportunities int
	// Recycle is when the customer is due back in its pool and by which
	// rule, nil when no rule applies; Reminder is the owner's next reminder.
	Recycle  *Deadline
	Reminder *time.Time
	// DaysLeft counts down to Recycle, as of when the customer was read.
	DaysLeft int
	// Plan is the owner's next follow-up plan, nil when none is set.
	Plan *FollowUpPlan

	// Lifecycle is lead until the record is converted (ConvertedAt).
	Lifecycle   Lifecycle
	Size        string // one of Sizes, or ""
	FirstTouch  *Touch // nil for a record that came in through no channel
	LatestTouch *Touch
	ConvertedAt *time.Time
	Score       *Score // nil until scored
}

// Facts returns what the recycle rules read of an owned customer.
func (c Customer) Facts() RuleFacts {
	f := RuleFacts{Category: c.Category, Won: c.Won, Locked: c.Locked, OpenOpportunities: c.OpenOpportunities,
		LastFollowUp: c.LastFollowUp, LastStageChange: c.LastStageChange, LastOrder: c.LastOrder, LastOpportunity: c.LastOpportunity}
	if c.OwnedSince != nil {
		f.OwnedSince = *c.OwnedSince
	}
	return f
}

// CustomerFields are the fields a user may set on a customer. Owner, pool,
// won and the times are not among them: only the ownership operations and
// orders change those.
type CustomerFields struct {
	Name        string
	Company     string
	Category    string
	Industry    string
	Region      string
	ProductLine string
	Source      string
	Stage       string
	Phone       string
	Email       string
	WeChat      string
	Size        string // one of Sizes, or "" for unknown
}

// Validate checks the fields, as Cleaned leaves them, and returns
// EInvalid naming every field at fault. Besides each field's own shape it
// refuses control characters and text-reordering characters anywhere
// (TextProblem), a contact typed into a free-text field (it would show
// unmasked to everyone who sees the customer: it belongs in phone, email
// or wechat), and an address or WeChat id that mixes look-alike scripts.
func (f CustomerFields) Validate() error {
	bad := map[string]string{}
	if strings.TrimSpace(f.Name) == "" && strings.TrimSpace(f.Company) == "" {
		bad["name"] = "a customer needs a name or a company"
	}
	if f.Category != "" && !oneOf(f.Category, Categories) {
		bad["category"] = "must be A, B or C"
	}
	if f.Size != "" && !oneOf(f.Size, Sizes) {
		bad["size"] = "one of " + strings.Join(Sizes, ", ") + ", or empty"
	}
	if f.Phone != "" && !plausiblePhone(f.Phone) {
		bad["phone"] = "not a phone number"
	}
	const mixed = "mixes the letters of several scripts (a Cyrillic а among Latin letters?): retype it"
	switch {
	case f.Email == "":
	case !strings.Contains(f.Email, "@") || strings.ContainsAny(f.Email, " \t\r\n"):
		bad["email"] = "not an email address"
	case slices.ContainsFunc(strings.FieldsFunc(f.Email, func(r rune) bool { return r == '@' || r == '.' }), lookAlike):
		// Each part alone: a Latin name at a Chinese domain is fine.
		bad["email"] = mixed
	}
	switch {
	case strings.ContainsAny(f.WeChat, " \t\r\n"):
		bad["wechat"] = "a WeChat id has no spaces"
	case lookAlike(f.WeChat):
		bad["wechat"] = mixed
	}
	// A form that sends back what it was shown must not overwrite the
	// contact with its mask.
	for field, v := range map[string]string{"email": f.Email, "wechat": f.WeChat} {
		if strings.Contains(v, "*") {
			bad[field] = "looks masked: send the whole value, or leave the field out"
		}
	}
	for _, x := range f.named() {
		if p := TextProblem(x.value, false); p != "" {
			bad[x.name] = p
		} else if utf8.RuneCountInString(x.value) > 200 {
			bad[x.name] = "at most 200 characters"
		} else if x.free && contactIn(x.value) != "" {
			bad[x.name] = contactMisplaced[contactIn(x.value)]
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid customer", Fields: bad}
	}
	return nil
}

// namedField is a customer field by its API name; free marks the fields of
// free text, where no contact belongs.
type namedField struct {
	name, value string
	free        bool
}

func (f CustomerFields) named() []namedField {
	return []namedField{{"name", f.Name, true}, {"company", f.Company, true}, {"category", f.Category, false},
		{"industry", f.Industry, true}, {"region", f.Region, true}, {"product_line", f.ProductLine, true},
		{"source", f.Source, true}, {"stage", f.Stage, true},
		{"phone", f.Phone, false}, {"email", f.Email, false}, {"wechat", f.WeChat, false}}
}

// contactMisplaced says, for each kind of contact, where it belongs.
var contactMisplaced = map[string]string{
	contactPhone:  "looks like a phone number: put it in phone",
	contactEmail:  "looks like an email address: put it in email",
	contactWeChat: "looks like a WeChat id: put it in wechat",
}

func oneOf(s string, list []string) bool {
	for _, v := range list {
		if s == v {
			return true
		}
	}
	return false
}

// plausiblePhone accepts digits, half- or full-width, with the separators
// people type; the duplicate check normalises further.
func plausiblePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= '０' && r <= '９':
			digits++
		case strings.ContainsRune("+-() ＋－（）　", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}
