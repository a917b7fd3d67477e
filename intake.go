package gonghai

import (
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Intake: leads come in through channels (渠道), each with a key that a
// website's form or a program posts to with no session. What may come in,
// what is held back as spam and how a channel may be set are decided here;
// the store counts, matches and writes.

// Default intake rate limits of a new channel: submissions per minute to
// the channel from everywhere, and per hour from one address.
const (
	DefaultChannelPerMinute = 120
	DefaultAddressPerHour   = 10
)

// MaxIntakeMessage bounds what a visitor may write in a form's message (留言).
const MaxIntakeMessage = 500

// Quarantine reasons: why a submission was held back for an admin to look
// at instead of becoming a lead.
const (
	QuarantineHoneypot = "honeypot" // the hidden field people never see was filled: a robot
	QuarantineLinks    = "links"    // the message is mostly links: spam
)

// Quarantine states.
const (
	QuarantineHeld     = "held"
	QuarantineReleased = "released" // made a lead (or joined a record) by an admin
	QuarantineDropped  = "dropped"
)

// IntakeInput is one submission to a channel: a visitor's contact details,
// what they wrote, and where they came from (campaign and UTM tags).
// Honeypot is the form's hidden field (named website), empty from people.
type IntakeInput struct {
	Name, Company, Phone, Email, WeChat string
	Region, Industry, ProductLine       string
	Message                             string
	Campaign                            string
	UTMSource, UTMMedium, UTMCampaign   string
	Honeypot                            string
}

// Cleaned returns in as it is stored: fields trimmed, contacts cleaned.
func (in IntakeInput) Cleaned() IntakeInput {
	f := in.Fields()
	out := in
	out.Name, out.Company, out.Phone, out.Email, out.WeChat = f.Name, f.Company, f.Phone, f.Email, f.WeChat
	out.Region, out.Industry, out.ProductLine = f.Region, f.Industry, f.ProductLine
	for _, s := range []*string{&out.Message, &out.Campaign, &out.UTMSource, &out.UTMMedium, &out.UTMCampaign, &out.Honeypot} {
		*s = strings.TrimSpace(*s)
	}
	return out
}

// Fields are the customer fields a submission gives its lead, cleaned.
func (in IntakeInput) Fields() CustomerFields {
	return CustomerFields{Name: in.Name, Company: in.Company, Phone: in.Phone, Email: in.Email, WeChat: in.WeChat,
		Region: in.Region, Industry: in.Industry, ProductLine: in.ProductLine}.Cleaned()
}

// Validate checks a cleaned submission: a customer's fields as a create
// checks them, at least one way to reach the visitor, and the message and
// tags as short plain text. It returns EInvalid naming every field at fault.
func (in IntakeInput) Validate() error {
	bad := map[string]string{}
	var e *Error
	if err := in.Fields().Validate(); err != nil && errors.As(err, &e) {
		for k, v := range e.Fields {
			bad[k] = v
		}
	}
	if in.Phone == "" && in.Email == "" && in.WeChat == "" {
		bad["phone"] = "a lead needs a phone, an email or a WeChat id"
	}
	if p := TextProblem(in.Message, true); p != "" {
		bad["message"] = p
	} else if utf8.RuneCountInString(in.Message) > MaxIntakeMessage {
		bad["message"] = "at most 500 characters"
	}
	for name, v := range map[string]string{"campaign": in.Campaign, "utm_source": in.UTMSource,
		"utm_medium": in.UTMMedium, "utm_campaign": in.UTMCampaign} {
		if p := TextProblem(v, false); p != "" {
			bad[name] = p
		} else if utf8.RuneCountInString(v) > 100 {
			bad[name] = "at most 100 characters"
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid submission", Fields: bad}
	}
	return nil
}

// Spam returns why a submission is to be held back (a Quarantine reason),
// "" for none: the honeypot filled, or a message that is mostly links.
func (in IntakeInput) Spam() string {
	if in.Honeypot != "" {
		return QuarantineHoneypot
	}
	if links := strings.Count(in.Message, "http://") + strings.Count(in.Message, "https://"); links >= 3 ||
		(links > 0 && links*40 >= utf8.RuneCountInString(in.Message)) {
		return QuarantineLinks
	}
	return ""
}

// IntakeResult is what an intake did: the lead made, or the existing
// record joined. Held is set for a submission held in quarantine (its ID
// then names nothing: the sender is not told).
type IntakeResult struct {
	ID      string
	Joined  bool
	Held    bool
	Channel Channel
}

// Quarantined is a submission held back as spam, for an admin to release
// (into a lead) or drop. Input is empty once dropped.
type Quarantined struct {
	ID         string
	ChannelID  string
	Reason     string
	Input      IntakeInput
	At         time.Time
	State      string
	DecidedBy  string
	DecidedAt  *time.Time
	CustomerID string // the lead it became, or the record it joined, once released
}

// ChannelInput carries the fields of a channel to create or change; nil
// leaves a field as it is (or at its default, on create). An Assignment
// with Strategy "" follows the pool's.
type ChannelInput struct {
	Name           *string
	PoolID         *string
	Assignment     *Assignment
	DailyCap       *int
	Active         *bool
	RedirectURL    *string
	PerMinute      *int
	AddressPerHour *int
}

// Apply sets the fields of ch that in sets.
func (in ChannelInput) Apply(ch *Channel) {
	if in.Name != nil {
		ch.Name = strings.TrimSpace(*in.Name)
	}
	if in.PoolID != nil {
		ch.PoolID = *in.PoolID
	}
	if in.Assignment != nil {
		ch.Assignment = *in.Assignment
	}
	if in.RedirectURL != nil {
		ch.RedirectURL = strings.TrimSpace(*in.RedirectURL)
	}
	if in.Active != nil {
		ch.Active = *in.Active
	}
	for _, x := range []struct{ dst, src *int }{{&ch.DailyCap, in.DailyCap}, {&ch.PerMinute, in.PerMinute},
		{&ch.AddressPerHour, in.AddressPerHour}} {
		if x.src != nil {
			*x.dst = *x.src
		}
	}
}

// ValidateChannel checks a channel as it would be stored.
func ValidateChannel(ch Channel) error {
	bad := map[string]string{}
	if n := utf8.RuneCountInString(ch.Name); n == 0 || n > 100 {
		bad["name"] = "1 to 100 characters"
	} else if p := TextProblem(ch.Name, false); p != "" {
		bad["name"] = p
	}
	if ch.PoolID == "" {
		bad["pool_id"] = "a channel brings leads into a pool"
	}
	if s := ch.Assignment.Strategy; s != "" && !oneOf(string(s), strategyNames()) {
		bad["assignment"] = "unknown strategy"
	}
	for name, v := range map[string]int{"daily_cap": ch.DailyCap, "per_minute": ch.PerMinute, "address_per_hour": ch.AddressPerHour} {
		if v < 0 || v > 1_000_000 {
			bad[name] = "0 (none) to 1000000"
		}
	}
	if ch.RedirectURL != "" {
		u, err := url.Parse(ch.RedirectURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(ch.RedirectURL) > 500 {
			bad["redirect_url"] = "an http or https address"
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid channel", Fields: bad}
	}
	return nil
}

// Over says whether the n-th lead of a day is past the channel's daily
// cap: it is kept, but waits unassigned (reason daily_cap).
func (ch Channel) Over(n int) bool { return ch.DailyCap > 0 && n > ch.DailyCap }

// Effective is the assignment that hands out the channel's leads: its own,
// or its pool's when it has none.
func (ch Channel) Effective(p Pool) Assignment {
	if ch.Assignment.Strategy != "" {
		return ch.Assignment
	}
	if p.Assignment.Strategy == "" {
		return Assignment{Strategy: StrategyClaim}
	}
	return p.Assignment
}

// IntakeAgainText is the timeline line of a record that came in again.
func IntakeAgainText(channel, message string) string {
	s := "再次通过渠道「" + channel + "」提交"
	if message != "" {
		s += "：" + message
	}
	return s
}

// IntakeText is the reason on a new lead's created event: its channel and
// what the visitor wrote.
func IntakeText(channel, message string) string {
	s := "来自渠道「" + channel + "」"
	if message != "" {
		s += "：" + message
	}
	return s
}
