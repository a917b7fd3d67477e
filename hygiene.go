package gonghai

import (
	"time"
	"unicode/utf8"
)

// Pool hygiene (定期清理公海): customers of a pool that are no use (a dead
// number, a closed business, a duplicate, no need) are marked invalid. They
// move to the archive pool, wait there ArchiveDays (restorable), and are
// then purged: their personal data erased.

// InvalidReason says why a customer was marked invalid. The codes are
// stable: clients and the audit log hold them; pages name them in the
// reader's language.
type InvalidReason string

// The reasons a person gives, and those the rules give.
const (
	ReasonEmptyNumber InvalidReason = "empty_number" // 空号
	ReasonClosed      InvalidReason = "closed"       // 停业
	ReasonDuplicate   InvalidReason = "duplicate"    // 重复
	ReasonNoNeed      InvalidReason = "no_need"      // 无需求
	ReasonOther       InvalidReason = "other"        // 其他, with a note
	// ReasonStale and ReasonFlagged are given by a pool's rules only.
	ReasonStale   InvalidReason = "stale"   // unclaimed in the pool for the rule's days
	ReasonFlagged InvalidReason = "flagged" // flagged invalid by the rule's number of people
)

// InvalidReasons are the reasons a person may give, in the order a form
// offers them.
var InvalidReasons = []InvalidReason{ReasonEmptyNumber, ReasonClosed, ReasonDuplicate, ReasonNoNeed, ReasonOther}

// DefaultArchiveDays is how long an invalid customer waits in a new
// organisation's archive before it is purged.
const DefaultArchiveDays = 30

// MaxInvalidNote is the longest note a mark or a flag carries, in runes.
const MaxInvalidNote = 200

// InvalidMark is what a person says when they mark a customer invalid or
// flag it: a reason and, for ReasonOther, a note.
type InvalidMark struct {
	Reason InvalidReason
	Note   string
}

// Validate refuses a reason a person may not give and a note that is too
// long, holds control characters, or is missing for ReasonOther.
func (m InvalidMark) Validate() error {
	ok := false
	for _, r := range InvalidReasons {
		ok = ok || m.Reason == r
	}
	switch {
	case !ok:
		return Invalid("reason", "empty_number, closed, duplicate, no_need or other")
	case utf8.RuneCountInString(m.Note) > MaxInvalidNote:
		return Invalid("note", "at most 200 characters")
	case m.Reason == ReasonOther && m.Note == "":
		return Invalid("note", "say why, for the reason other")
	}
	if p := TextProblem(m.Note, true); p != "" {
		return Invalid("note", p)
	}
	return nil
}

// HygieneRules are a pool's rules that mark its customers invalid in bulk,
// applied by the sweep. Zero turns a rule off.
type HygieneRules struct {
	PoolID string
	// UnclaimedDays marks invalid a customer unclaimed in the pool for
	// this many calendar days since it last came into it.
	UnclaimedDays int
	// FlaggedBy marks invalid a customer flagged invalid by this many
	// people.
	FlaggedBy int
}

// Validate refuses rules out of range, naming each field.
func (h HygieneRules) Validate() error {
	bad := map[string]string{}
	if h.UnclaimedDays < 0 || h.UnclaimedDays > 3650 {
		bad["unclaimed_days"] = "0 (off) to 3650"
	}
	if h.FlaggedBy < 0 || h.FlaggedBy > 1000 {
		bad["flagged_by"] = "0 (off) to 1000"
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid hygiene rules", Fields: bad}
	}
	return nil
}

// ValidArchiveDays refuses an archive wait out of range: a day to ten
// years.
func ValidArchiveDays(n int) error {
	if n < 1 || n > 3650 {
		return Invalid("archive_days", "1 to 3650")
	}
	return nil
}

// Archived is a customer marked invalid, waiting in the archive.
type Archived struct {
	Customer   Customer // as the viewer may see it
	FromPoolID string   // the pool it came from and is restored to
	Reason     InvalidReason
	Note       string
	ActorID    string // "" when a rule marked it
	At         time.Time
	PurgeAt    time.Time
}

// Flag is one person's flag of a customer as invalid.
type Flag struct {
	CustomerID string
	UserID     string
	Reason     InvalidReason
	Note       string
	At         time.Time
}

// FlagState is what a page shows of a customer's flags: how many people
// flagged it (0 unless the viewer may see flags) and whether the viewer
// did.
type FlagState struct {
	Count int
	Mine  bool
}

// CanMarkInvalid decides whether actor may mark a customer invalid: admins
// and the admins of its pool, while it is unowned in a pool (an owned
// customer is its owner's to release first).
func CanMarkInvalid(actor User, f CustomerFacts) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	switch {
	case f.Pool.Archive:
		return Errorf(EArchived, "the customer is in the archive already")
	case !MayMarkInvalid(actor, f.Pool):
		return Errorf(EForbidden, "an admin or the pool's admin marks customers invalid; flag it instead")
	case f.Customer.OwnerID != "":
		return Errorf(ECustomerOwned, "only a pool customer may be marked invalid: its owner releases it first")
	}
	return nil
}

// MayMarkInvalid reports whether u marks customers of pool p invalid
// (admins and p's admins), for a page of p's rows; CanMarkInvalid decides
// for one customer.
func MayMarkInvalid(u User, p Pool) bool {
	return u.Role == RoleAdmin || p.IsAdmin(u.ID)
}

// CanFlag decides whether actor may flag a customer invalid: anyone who
// sees it unowned in a pool other than the archive. A flag once per
// person is the store's to keep.
func CanFlag(actor User, f CustomerFacts) error {
	if err := CanSee(actor, f); err != nil {
		return err
	}
	switch {
	case f.Pool.Archive:
		return Errorf(EArchived, "the customer is in the archive already")
	case f.Customer.OwnerID != "":
		return Errorf(ECustomerOwned, "only a pool customer may be flagged invalid")
	}
	return nil
}

// MaySeeFlags reports whether viewer sees who flagged a customer of pool p
// and why: admins and p's admins.
func MaySeeFlags(viewer User, p Pool) bool { return MayMarkInvalid(viewer, p) }

// CanRestore decides whether actor may restore an archived customer that
// came from pool from: admins and from's admins. Others do not see it.
func CanRestore(actor User, from Pool) error {
	if !MaySeeFlags(actor, from) {
		return errNoCustomer()
	}
	return nil
}

// CanEditHygiene decides whether actor may change the hygiene rules of
// pool p (admins and p's admins) or, p zero, the archive's wait (admins).
func CanEditHygiene(actor User, p Pool) error {
	if actor.Role == RoleAdmin || (p.ID != "" && p.IsAdmin(actor.ID)) {
		return nil
	}
	return Errorf(EForbidden, "an admin or the pool's admin sets its hygiene rules")
}

// PurgeAt is when a customer archived at at is purged: at the start of the
// calendar day days after, in the organisation's zone, as rules count days
// (AddDays).
func PurgeAt(at time.Time, days int, loc *time.Location) time.Time {
	return AddDays(at, days, loc)
}

// StaleCutoff is the latest arrival in a pool that a rule of days
// unclaimed marks invalid at now: the customers that came in on a day at
// least days calendar days before today's, so that, like a recycle rule,
// the rule takes them from the start of the day days after they came.
func StaleCutoff(now time.Time, days int, loc *time.Location) time.Time {
	return AddDays(now, 1-days, loc).Add(-time.Microsecond)
}

// HygieneCount is what a pool's hygiene rules would mark invalid now, per
// rule, counted up to a cap (More: at least one count reached it). A
// customer both rules take is counted by each.
type HygieneCount struct {
	Stale   int
	Flagged int
	More    bool
}
