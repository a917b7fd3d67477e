package gonghai

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// FollowUp is a logged contact with a customer.
type FollowUp struct {
	ID         string
	CustomerID string
	UserID     string
	Kind       string // one of FollowUpKinds
	Content    string
	At         time.Time // when the contact happened
	Created    time.Time
}

// NewFollowUp is a follow-up to log; At nil means now.
type NewFollowUp struct {
	Kind    string
	Content string
	At      *time.Time
}

// Validate checks a follow-up against the time it is logged.
func (f NewFollowUp) Validate(now time.Time) error {
	bad := map[string]string{}
	if !oneOf(f.Kind, FollowUpKinds) {
		bad["kind"] = "one of " + strings.Join(FollowUpKinds, ", ")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(f.Content)); n == 0 || n > 5000 {
		bad["content"] = "1 to 5000 characters"
	} else if p := TextProblem(f.Content, true); p != "" {
		bad["content"] = p
	}
	if f.At != nil && f.At.After(now) {
		bad["at"] = "a follow-up cannot be in the future"
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid follow-up", Fields: bad}
	}
	return nil
}

// CheckDate refuses a follow-up dated before the calendar day (in loc)
// that customer c was created on: it cannot have happened with a customer
// we did not have. The same day is accepted, so that a call logged right
// after the customer was entered keeps the time it happened.
func (f NewFollowUp) CheckDate(c Customer, loc *time.Location) error {
	if f.At != nil && f.At.Before(StartOfDay(c.Created, loc)) {
		return Invalid("at", "before the customer was created")
	}
	return nil
}

// CheckOrderAmount refuses an order of nothing: an order marks its
// customer won, which exempts it from rules and holding counts.
func CheckOrderAmount(m Money) error {
	if m <= 0 {
		return Invalid("amount", "more than 0")
	}
	return nil
}

// Opportunity statuses.
const (
	OpportunityOpen = "open"
	OpportunityWon  = "won"
	OpportunityLost = "lost"
)

// Opportunity is a chance of a sale with a customer.
type Opportunity struct {
	ID         string
	CustomerID string
	Title      string
	Amount     Money
	Status     string
	CreatedBy  string
	Created    time.Time
	Closed     *time.Time
}

// Order is a purchase: the first marks its customer won, later ones are
// repurchases.
type Order struct {
	ID         string
	CustomerID string
	Amount     Money
	OrderedOn  string // YYYY-MM-DD in the organisation's time zone
	CreatedBy  string
	Created    time.Time
}

// Money is an amount in fen (分), the hundredth of a yuan.
type Money int64

var moneyPattern = regexp.MustCompile(`^\d{1,13}(\.\d{1,2})?$`)

// ParseMoney reads a yuan amount written like "12800" or "12800.5".
func ParseMoney(s string) (Money, bool) {
	if !moneyPattern.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	var m int64
	for _, r := range whole {
		m = m*10 + int64(r-'0')
	}
	frac = (frac + "00")[:2]
	m = m*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	return Money(m), true
}

// String writes m in yuan with two decimals.
func (m Money) String() string { return fmt.Sprintf("%d.%02d", int64(m)/100, int64(m)%100) }

// Notification kinds.
const (
	NotifyRecycleWarning = "recycle_warning"
	NotifyRecycled       = "recycled"
	// NotifyIntakeAgain tells an owner their customer came in again
	// through a channel (intake).
	NotifyIntakeAgain = "intake_again"
)

// Notification tells a user about one of their customers.
type Notification struct {
	ID           string
	UserID       string
	Kind         string
	CustomerID   string
	CustomerName string
	Rule         RuleKind
	Deadline     *time.Time
	DaysLeft     int
	Text         string
	Created      time.Time
	Read         *time.Time
}

// NotificationText is a notification's one line, for people and robots. A
// plan's reminder names its day by deadline.
func NotificationText(kind string, customerName string, rule RuleKind, daysLeft int, deadline time.Time, loc *time.Location) string {
	switch kind {
	case NotifyFollowUpPlan:
		return planText(customerName, deadline, loc)
	case NotifyRecycled:
		return fmt.Sprintf("【公海回收】客户「%s」已按规则「%s」回收到公海。", customerName, rule.Label())
	case NotifyIntakeAgain:
		return fmt.Sprintf("【再次咨询】客户「%s」又通过渠道提交了信息，请及时跟进。", customerName)
	}
	return fmt.Sprintf("【回收提醒】客户「%s」还剩 %d 天将按规则「%s」回收到公海（%s 起），请及时跟进。",
		customerName, daysLeft, rule.Label(), deadline.In(loc).Format("2006-01-02 15:04"))
}

// PreviewDay is one day of a recycle preview: who would lose what.
type PreviewDay struct {
	Date   string // YYYY-MM-DD in the organisation's time zone
	Total  int
	Owners []PreviewOwner
}

// PreviewOwner is one owner's customers due on a day.
type PreviewOwner struct {
	OwnerID   string
	OwnerName string
	Customers []PreviewCustomer
}

// PreviewCustomer is a customer a preview expects to be recycled.
type PreviewCustomer struct {
	ID       string
	Name     string
	Company  string
	Rule     RuleKind
	Deadline time.Time
}

// MaxPreviewDays bounds how far a preview looks ahead.
const MaxPreviewDays = 90

// Due is an owned customer whose deadline, or its owner's next reminder,
// has come: At is that time, Deadline the deadline it was read with, and
// PoolID and Rule, when set, the pool it was in and the rule that set the
// deadline.
type Due struct {
	CustomerID string
	OwnerID    string
	At         time.Time
	Deadline   time.Time
	PoolID     string
	Rule       RuleKind
}

// WebhookMessage is a notification on its way to the organisation's
// webhook, with the user it is for.
type WebhookMessage struct {
	Notification
	UserLogin string
	UserName  string
	Attempt   int // 1 on the first offer
}
