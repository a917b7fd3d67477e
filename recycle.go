package gonghai

import (
	"fmt"
	"time"
)

// RuleKind names a recycle rule: what neglect it looks for.
type RuleKind string

// The recycle rules. Each counts calendar days in the organisation's time
// zone from a reference time; a customer is due at the start of the day
// after the last day it was allowed.
const (
	// RuleNoFollowUp: no counting follow-up for N days (since the last one,
	// or since the owner gained the customer).
	RuleNoFollowUp RuleKind = "no_follow_up"
	// RuleNotContacted: no counting follow-up within N days of being
	// claimed or assigned.
	RuleNotContacted RuleKind = "not_contacted"
	// RuleNotWon: no order within N days of being claimed or assigned.
	RuleNotWon RuleKind = "not_won"
	// RuleStageStalled: the stage has not advanced for N days.
	RuleStageStalled RuleKind = "stage_stalled"
	// RuleNoRepurchase: a won customer has not ordered again for N days
	// after the last order.
	RuleNoRepurchase RuleKind = "no_repurchase"
	// RuleNoOpportunity: no new opportunity for N days.
	RuleNoOpportunity RuleKind = "no_opportunity"
	// RuleProtection: a protection period of N days from gaining the
	// customer; each counting follow-up extends it to E days after the
	// follow-up if that is later, never past M days from gaining it.
	RuleProtection RuleKind = "protection"
)

// Label is the rule's name as a Chinese sales team says it.
func (k RuleKind) Label() string {
	switch k {
	case RuleNoFollowUp:
		return "超期未跟进"
	case RuleNotContacted:
		return "领取后未联系"
	case RuleNotWon:
		return "超期未成交"
	case RuleStageStalled:
		return "阶段停滞"
	case RuleNoRepurchase:
		return "超期未复购"
	case RuleNoOpportunity:
		return "无新商机"
	case RuleProtection:
		return "保护期到期"
	}
	return string(k)
}

// RuleKinds lists the rules in the order they are documented.
var RuleKinds = []RuleKind{RuleNoFollowUp, RuleNotContacted, RuleNotWon, RuleStageStalled,
	RuleNoRepurchase, RuleNoOpportunity, RuleProtection}

// FollowUpKinds are the kinds of follow-up a rep logs.
var FollowUpKinds = []string{"call", "visit", "wechat", "email", "meeting", "note"}

// DefaultCountingKinds are the follow-up kinds that count for recycling
// when a pool does not say: all but a note typed at a desk.
var DefaultCountingKinds = []string{"call", "visit", "wechat", "email", "meeting"}

// RecycleRule is one rule of a pool, on or off.
type RecycleRule struct {
	Kind    RuleKind `json:"kind"`
	Enabled bool     `json:"enabled"`
	// Days is N: the default for every category.
	Days int `json:"days"`
	// CategoryDays overrides Days for customers of a category (A, B, C).
	CategoryDays map[string]int `json:"category_days,omitempty"`
	// ExemptWon leaves won customers alone. RuleNotWon and RuleNoRepurchase
	// decide by the won flag themselves.
	ExemptWon bool `json:"exempt_won,omitempty"`
	// ExtendDays (E) and MaxDays (M) shape RuleProtection; MaxDays 0 means
	// no hard maximum.
	ExtendDays int `json:"extend_days,omitempty"`
	MaxDays    int `json:"max_days,omitempty"`
	// Since is when the rule was turned on: no clock counts from earlier,
	// so turning a rule on never dumps customers at once.
	Since time.Time `json:"since"`
}

// RecycleRules are a pool's recycle rules and their shared options. The
// store keeps them as this JSON.
type RecycleRules struct {
	Rules []RecycleRule `json:"rules"`
	// CountingKinds are the follow-up kinds that count as following up;
	// nil means DefaultCountingKinds.
	CountingKinds []string `json:"counting_kinds"`
	// ExemptOpenOpportunity leaves customers with an open opportunity alone.
	ExemptOpenOpportunity bool `json:"exempt_open_opportunity"`
	// WarnDays: the owner is reminded this many days before the deadline and
	// again one day before; 1 reminds only the day before; 0 never.
	WarnDays int `json:"warn_days"`
}

// Counts reports whether a follow-up of kind counts for recycling.
func (rs RecycleRules) Counts(kind string) bool {
	if rs.CountingKinds == nil {
		return oneOf(kind, DefaultCountingKinds)
	}
	return oneOf(kind, rs.CountingKinds)
}

// Rule returns the rule of kind k, if the pool has one.
func (rs RecycleRules) Rule(k RuleKind) (RecycleRule, bool) {
	for _, r := range rs.Rules {
		if r.Kind == k {
			return r, true
		}
	}
	return RecycleRule{}, false
}

// Enabled reports whether any rule is on.
func (rs RecycleRules) Enabled() bool {
	for _, r := range rs.Rules {
		if r.Enabled {
			return true
		}
	}
	return false
}

// maxRuleDays bounds every day count: about 27 years.
const maxRuleDays = 10_000

// maxSinceYear bounds a rule's start, so that every deadline stays a
// writable instant.
const maxSinceYear = 2200

// Validate checks the rules and returns EInvalid naming the fields at fault.
func (rs RecycleRules) Validate() error {
	bad := map[string]string{}
	seen := map[RuleKind]bool{}
	days := func(n int) bool { return n >= 1 && n <= maxRuleDays }
	for i, r := range rs.Rules {
		field := fmt.Sprintf("recycle.rules[%d]", i)
		switch {
		case !oneOf(string(r.Kind), kindNames()):
			bad[field+".kind"] = "unknown rule"
		case seen[r.Kind]:
			bad[field+".kind"] = "listed twice"
		}
		seen[r.Kind] = true
		if !days(r.Days) {
			bad[field+".days"] = fmt.Sprintf("1 to %d", maxRuleDays)
		}
		if r.Since.Year() > maxSinceYear {
			bad[field+".since"] = fmt.Sprintf("a start before %d", maxSinceYear+1)
		}
		for cat, n := range r.CategoryDays {
			if !oneOf(cat, Categories) {
				bad[field+".category_days"] = "categories are A, B and C"
			} else if !days(n) {
				bad[field+".category_days"] = fmt.Sprintf("1 to %d days", maxRuleDays)
			}
		}
		if r.Kind == RuleProtection {
			if !days(r.ExtendDays) {
				bad[field+".extend_days"] = fmt.Sprintf("1 to %d", maxRuleDays)
			}
			if r.MaxDays != 0 && (r.MaxDays < r.Days || r.MaxDays > maxRuleDays) {
				bad[field+".max_days"] = "0 (no maximum) or from days to " + fmt.Sprint(maxRuleDays)
			}
		} else {
			if r.ExtendDays != 0 {
				bad[field+".extend_days"] = "only the protection rule extends"
			}
			if r.MaxDays != 0 {
				bad[field+".max_days"] = "only the protection rule has a maximum"
			}
		}
	}
	for _, k := range rs.CountingKinds {
		if !oneOf(k, FollowUpKinds) {
			bad["recycle.counting_kinds"] = "kinds are call, visit, wechat, email, meeting and note"
		}
	}
	if rs.WarnDays < 0 || rs.WarnDays > 365 {
		bad["recycle.warn_days"] = "0 to 365"
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid recycle rules", Fields: bad}
	}
	return nil
}

func kindNames() []string {
	out := make([]string, len(RuleKinds))
	for i, k := range RuleKinds {
		out[i] = string(k)
	}
	return out
}

// Started returns rs, edited from old, with each rule's start set so that
// no clock ever counts from before a rule was on: a rule that stays on keeps
// its start (an editor may move it later, not earlier); a rule turned on
// starts now, or at a later start the editor gave. A start sent back as it
// was read therefore never dumps customers when a rule is switched back on.
func (rs RecycleRules) Started(old RecycleRules, now time.Time) RecycleRules {
	out := rs
	out.Rules = make([]RecycleRule, len(rs.Rules))
	for i, r := range rs.Rules {
		floor := now
		if prev, ok := old.Rule(r.Kind); ok && prev.Enabled && r.Enabled {
			floor = prev.Since
		}
		if r.Since.Before(floor) {
			r.Since = floor
		}
		out.Rules[i] = r
	}
	return out
}

// RuleFacts are the times and flags of an owned customer that rules read.
type RuleFacts struct {
	Category          string
	Won               bool
	Locked            bool
	OpenOpportunities int
	OwnedSince        time.Time
	LastFollowUp      *time.Time // the latest follow-up of a counting kind
	LastStageChange   *time.Time // the latest advance of the stage
	LastOrder         *time.Time
	LastOpportunity   *time.Time
}

// Deadline is when a customer is due back in a pool, and by which rule.
type Deadline struct {
	At   time.Time
	Rule RuleKind
}

// Deadline returns the earliest deadline over the enabled rules that apply
// to a customer with facts f, or nil when none does.
func (rs RecycleRules) Deadline(f RuleFacts, loc *time.Location) *Deadline {
	if f.Locked || (rs.ExemptOpenOpportunity && f.OpenOpportunities > 0) {
		return nil
	}
	var best *Deadline
	for _, r := range rs.Rules {
		if !r.Enabled {
			continue
		}
		at, ok := r.deadline(f, loc)
		if ok && (best == nil || at.Before(best.At)) {
			best = &Deadline{At: at, Rule: r.Kind}
		}
	}
	return best
}

// DaysFor returns the rule's N for a customer of category cat.
func (r RecycleRule) DaysFor(cat string) int {
	if n, ok := r.CategoryDays[cat]; ok && n > 0 {
		return n
	}
	return r.Days
}

func (r RecycleRule) deadline(f RuleFacts, loc *time.Location) (time.Time, bool) {
	if r.ExemptWon && f.Won {
		return time.Time{}, false
	}
	gained := latest(f.OwnedSince, &r.Since)
	// due is the start of the day after the n-th day from ref.
	due := func(ref time.Time, n int) time.Time { return AddDays(ref, n+1, loc) }
	contacted := f.LastFollowUp != nil && !f.LastFollowUp.Before(f.OwnedSince)
	n := r.DaysFor(f.Category)
	switch r.Kind {
	case RuleNoFollowUp:
		return due(latest(gained, f.LastFollowUp), n), true
	case RuleNotContacted:
		return due(gained, n), !contacted
	case RuleNotWon:
		return due(gained, n), !f.Won
	case RuleStageStalled:
		return due(latest(gained, f.LastStageChange), n), true
	case RuleNoRepurchase:
		return due(latest(gained, f.LastOrder), n), f.Won
	case RuleNoOpportunity:
		return due(latest(gained, f.LastOpportunity), n), true
	case RuleProtection:
		at := due(gained, n)
		if contacted {
			if ext := due(*f.LastFollowUp, r.ExtendDays); ext.After(at) {
				at = ext
			}
		}
		if r.MaxDays > 0 {
			if hard := due(gained, r.MaxDays); hard.Before(at) {
				at = hard
			}
		}
		return at, true
	}
	return time.Time{}, false
}

// latest returns the later of t and u (u may be nil).
func latest(t time.Time, u *time.Time) time.Time {
	if u != nil && u.After(t) {
		return *u
	}
	return t
}

// Schedule returns customer c's deadline under rules and the owner's next
// reminder. The reminder restarts only when the deadline moves, so that a
// change that leaves the deadline where it was (even under another rule)
// does not remind twice. changed reports whether anything differs from
// what c carries.
func Schedule(c Customer, rules RecycleRules, loc *time.Location) (d *Deadline, reminder *time.Time, changed bool) {
	if c.OwnerID != "" {
		d = rules.Deadline(c.Facts(), loc)
	}
	switch {
	case d == nil:
		return nil, nil, c.Recycle != nil || c.Reminder != nil
	case c.Recycle != nil && c.Recycle.At.Equal(d.At):
		return d, c.Reminder, c.Recycle.Rule != d.Rule
	default:
		return d, FirstReminder(d.At, rules.WarnDays, loc), true
	}
}

// FirstReminder returns when the owner is first reminded of deadline d:
// warnDays calendar days before it (the day before when warnDays is 1), or
// nil when the pool sends no reminders. It may be in the past, when a
// deadline was set close: the reminder then goes at once.
func FirstReminder(d time.Time, warnDays int, loc *time.Location) *time.Time {
	if warnDays <= 0 {
		return nil
	}
	t := AddDays(d, -warnDays, loc)
	return &t
}

// NextReminder returns the reminder that follows one sent at now for
// deadline d: the one a day before, unless that has come already.
func NextReminder(d, now time.Time, loc *time.Location) *time.Time {
	last := AddDays(d, -1, loc)
	if now.Before(last) {
		return &last
	}
	return nil
}

// DaysLeft counts the calendar days in loc a customer has left before
// deadline d: 1 on its last day, 0 once it is due.
func DaysLeft(now, d time.Time, loc *time.Location) int {
	if !now.Before(d) {
		return 0
	}
	return max(1, DaysBetween(now, d, loc))
}

// DaysBetween counts the calendar days in loc from the day of a to the day
// of b.
func DaysBetween(a, b time.Time, loc *time.Location) int {
	day := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	}
	return int(day(b).Sub(day(a)).Hours() / 24)
}
