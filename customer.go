package gonghai

import (
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
}

// Validate checks the fields and returns EInvalid naming every field at
// fault.
func (f CustomerFields) Validate() error {
	bad := map[string]string{}
	if strings.TrimSpace(f.Name) == "" && strings.TrimSpace(f.Company) == "" {
		bad["name"] = "a customer needs a name or a company"
	}
	if f.Category != "" && !oneOf(f.Category, Categories) {
		bad["category"] = "must be A, B or C"
	}
	for field, v := range map[string]string{"name": f.Name, "company": f.Company, "industry": f.Industry,
		"region": f.Region, "product_line": f.ProductLine, "source": f.Source, "stage": f.Stage,
		"phone": f.Phone, "email": f.Email, "wechat": f.WeChat} {
		if utf8.RuneCountInString(v) > 200 {
			bad[field] = "at most 200 characters"
		}
	}
	if f.Phone != "" && !plausiblePhone(f.Phone) {
		bad["phone"] = "not a phone number"
	}
	if f.Email != "" && (!strings.Contains(f.Email, "@") || strings.ContainsAny(f.Email, " \t\r\n")) {
		bad["email"] = "not an email address"
	}
	if f.WeChat != "" && strings.ContainsAny(f.WeChat, " \t\r\n") {
		bad["wechat"] = "a WeChat id has no spaces"
	}
	// A form that sends back what it was shown must not overwrite the
	// contact with its mask.
	for field, v := range map[string]string{"email": f.Email, "wechat": f.WeChat} {
		if strings.Contains(v, "*") {
			bad[field] = "looks masked: send the whole value, or leave the field out"
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid customer", Fields: bad}
	}
	return nil
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
