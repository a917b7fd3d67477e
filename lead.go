package gonghai

import (
	"strings"
	"time"
)

// Lifecycle says whether a customer record is still a lead (线索) or has
// been converted into a customer (一转三). A lead lives in a pool, is
// claimed, assigned, recycled and masked by the same rules as a customer.
type Lifecycle string

// The lifecycles of a customer record.
const (
	LifecycleLead     Lifecycle = "lead"
	LifecycleCustomer Lifecycle = "customer"
)

// Sizes are the customer sizes routing rules can match; "" is unknown.
var Sizes = []string{"small", "medium", "large", "key"}

// sizeNames are the names people write for each size, in files and forms.
var sizeNames = map[string]string{"小型": "small", "小": "small", "中型": "medium", "中": "medium", "大型": "large",
	"大": "large", "重点": "key", "重点客户": "key", "ka": "key", "大客户": "key"}

// ParseSize returns the size s names (a code of Sizes, any case, or its
// Chinese name), or s trimmed when it names none, for Validate to refuse.
func ParseSize(s string) string {
	s = strings.TrimSpace(s)
	if code, ok := sizeNames[strings.ToLower(s)]; ok {
		return code
	}
	if oneOf(strings.ToLower(s), Sizes) {
		return strings.ToLower(s)
	}
	return s
}

// Touch is one time a record came in through a channel: its first touch
// never changes, its latest is the last time it came in again.
type Touch struct {
	ChannelID string
	Campaign  string
	// UTM fields are set on the first touch only.
	UTMSource   string
	UTMMedium   string
	UTMCampaign string
	At          time.Time
}

// Contact is one person at a customer, with their own contact details,
// sealed and blind-indexed like the customer's and all in the duplicate
// check. The customer's own fields (Name, Phone, Email, WeChat) are its
// primary contact, listed first.
type Contact struct {
	ID         string
	CustomerID string
	Primary    bool
	Name       string
	Title      string // 职位
	Phone      string
	Email      string
	WeChat     string
	Created    time.Time
	Updated    time.Time
}

// Channel is a way leads come in (website form, fair, campaign): an intake
// endpoint /api/v1/intake/{Key} creating leads in PoolID, handed out by
// Assignment (or the pool's when Assignment.Strategy is ""), at most
// DailyCap a day (0: no cap).
type Channel struct {
	ID         string
	Name       string
	Key        string
	PoolID     string
	Assignment Assignment
	DailyCap   int
	Active     bool
	Created    time.Time
	Updated    time.Time
	// RedirectURL is where a form post is sent after it is taken ("": a
	// thank-you page). PerMinute and AddressPerHour are the intake rate
	// limits, held in the database (0: none).
	RedirectURL    string
	PerMinute      int
	AddressPerHour int
}

// Score is a record's conversion score 0-100 and the factors that weigh
// most in it, most first.
type Score struct {
	Value   int
	Factors []ScoreFactor
}

// ScoreFactor is one reason for a score: a feature (e.g. "channel") with
// its value and its weight in points, positive or negative.
type ScoreFactor struct {
	Feature string  `json:"feature"`
	Value   string  `json:"value"`
	Points  float64 `json:"points"`
}
