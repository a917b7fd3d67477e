package gonghai

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FollowUpPlan is a customer's next follow-up plan (下次跟进): the calendar
// day, in the organisation's zone, on which its owner means to follow it
// up, and a note of what for. A plan belongs to the owner it was set for:
// once the customer changes owner or goes back to a pool, it is no
// longer shown nor sent.
type FollowUpPlan struct {
	Day     string // YYYY-MM-DD in the organisation's time zone
	Note    string
	OwnerID string // who is reminded: the customer's owner when it was set
	SetBy   string
	Set     time.Time
	// RemindAt is when the owner is reminded (the start of Day); nil once
	// the reminder has gone.
	RemindAt *time.Time
}

// NotifyFollowUpPlan is the notification an owner gets on a plan's day.
const NotifyFollowUpPlan = "follow_up_plan"

// MaxPlanNote bounds a plan's note; MaxPlanDays how far ahead a plan may
// be set.
const (
	MaxPlanNote = 500
	MaxPlanDays = 366
)

// NewFollowUpPlan is a plan to set: Day as typed (YYYY-MM-DD), Note free
// text.
type NewFollowUpPlan struct {
	Day  string
	Note string
}

// Clean returns the plan with its note trimmed.
func (p NewFollowUpPlan) Clean() NewFollowUpPlan {
	p.Day, p.Note = strings.TrimSpace(p.Day), strings.TrimSpace(p.Note)
	return p
}

// Validate checks a plan against now in loc: the day is a date from today
// up to MaxPlanDays ahead (a plan for yesterday reminds nobody), the note
// at most MaxPlanNote characters of text (TextProblem; lines allowed). It
// returns the instant the owner is to be reminded: the start of the day.
func (p NewFollowUpPlan) Validate(now time.Time, loc *time.Location) (time.Time, error) {
	bad := map[string]string{}
	day, err := time.ParseInLocation(time.DateOnly, p.Day, loc)
	switch {
	case err != nil:
		bad["date"] = "a date, YYYY-MM-DD"
	case day.Before(StartOfDay(now, loc)):
		bad["date"] = "today or later: a plan cannot be in the past"
	case !day.Before(AddDays(now, MaxPlanDays+1, loc)):
		bad["date"] = fmt.Sprintf("at most %d days ahead", MaxPlanDays)
	}
	if utf8.RuneCountInString(p.Note) > MaxPlanNote {
		bad["note"] = fmt.Sprintf("at most %d characters", MaxPlanNote)
	} else if prob := TextProblem(p.Note, true); prob != "" {
		bad["note"] = prob
	}
	if len(bad) > 0 {
		return time.Time{}, &Error{Code: EInvalid, Message: "invalid follow-up plan", Fields: bad}
	}
	return day.UTC(), nil
}

// CanPlan decides whether actor may set or clear a customer's follow-up
// plan: who may work it (CanWork), and only while it has an owner to
// remind.
func CanPlan(actor User, f CustomerFacts) error {
	if err := CanWork(actor, f); err != nil {
		return err
	}
	if f.Customer.OwnerID == "" {
		return Errorf(ENotOwner, "the customer is in a pool: claim it before you plan a follow-up")
	}
	return nil
}

// PlanDone reports whether a follow-up that happened at at fulfils a plan
// for day (YYYY-MM-DD in loc): it happened on the planned day or later. A
// follow-up logged today clears a plan for today or a day gone by, never
// one still ahead, nor one it happened before.
func PlanDone(day string, at time.Time, loc *time.Location) bool {
	return at.In(loc).Format(time.DateOnly) >= day
}

// PlanDay is the calendar day of t in loc, as plans name days.
func PlanDay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(time.DateOnly)
}

// planText is the line of a plan's reminder. It leaves the note out: a
// note may hold a contact, and the line goes to group robots.
func planText(customerName string, day time.Time, loc *time.Location) string {
	return fmt.Sprintf("【跟进计划】今天（%s）计划跟进客户「%s」，请及时跟进。", day.In(loc).Format(time.DateOnly), customerName)
}

// Home is a rep's 工作台: what needs them today. Each list holds up to
// HomeRows customers; its More is set when there are others.
type Home struct {
	// Dropping are their customers due back in a pool within
	// HomeDropDays days, the most urgent first.
	Dropping     []Customer
	DroppingMore bool
	// Received are the customers given to them (assigned, transferred)
	// since the start of today, latest first, that they still own.
	Received     []Received
	ReceivedMore bool
	// Planned are their customers with a follow-up plan for today or a
	// day gone by that no follow-up has met yet, the earliest first.
	Planned     []Customer
	PlannedMore bool
	// Unread counts their unread notifications; Notifications are the
	// latest few.
	Unread        int
	Notifications []Notification
}

// HomeRows is how many rows each list of a home page holds;
// HomeNotifications how many notifications it shows.
const (
	HomeRows          = 20
	HomeNotifications = 5
)

// HomeDropDays is how many days ahead a home page warns of customers that
// drop to the pool: those with at most this many days left (DaysLeft).
const HomeDropDays = 3

// DropsBefore returns the instant before which a deadline has at most days
// calendar days left at now, in loc (DaysLeft): the start of the day
// after the days-th.
func DropsBefore(now time.Time, days int, loc *time.Location) time.Time {
	return AddDays(now, days+1, loc)
}

// Received is a customer given to a user, and how: the event's kind, time,
// actor (by name) and reason.
type Received struct {
	Customer  Customer
	Kind      EventKind
	At        time.Time
	ActorName string
	Reason    string
}
