package gonghai

import (
	"errors"
	"time"
)

// ClaimFacts are what deciding a claim needs: the customer's facts, the
// claimer as they are now (level, personal limit, active), and what the
// limits count, all read by the store in the claim's transaction or, for
// a page of rows, in one go.
type ClaimFacts struct {
	CustomerFacts
	// PoolID is the pool the claimer saw the customer in; "" for any.
	PoolID   string
	Settings Settings
	Claimer  User
	Holding  Holding
	// ClaimedToday counts the claimer's claims from the pool since the
	// start of the day in the organisation's zone.
	ClaimedToday int
	// LastLeft is when the customer last left the claimer; nil if never.
	LastLeft *time.Time
	// HoldingA counts the A-category customers the claimer holds.
	HoldingA int
	// Ahead is whether a customer the claimer may claim comes before this
	// one in the pool's claim order (read only when the pool has one).
	Ahead bool
	Now   time.Time
}

// CanClaim decides whether actor may claim a customer now, and if not
// says why: ClaimAccess, then ClaimRules.
func CanClaim(actor User, f ClaimFacts) error {
	if err := ClaimAccess(actor, f.CustomerFacts, f.PoolID); err != nil {
		return err
	}
	return ClaimRules(f)
}

// ClaimAccess decides whether actor may claim this customer at all, from
// pool poolID ("" for any): it must be unowned, in an open pool actor
// belongs to (admins and pool admins need no membership).
func ClaimAccess(actor User, f CustomerFacts, poolID string) error {
	c := f.Customer
	switch {
	case c.OwnerID != "" && (c.OwnerID == actor.ID || actor.Manages(f.OwnerDeptPath)):
		// They see it as it is: taken.
		return errAlreadyClaimed()
	case c.OwnerID != "":
		return Claimed(actor, f.Pool, f.Membership)
	case !SeesCustomer(actor, f), poolID != "" && c.PoolID != poolID:
		return Errorf(ENotFound, "no such customer in that pool")
	case f.Pool.Archive:
		return Errorf(EArchived, "the customer was marked invalid and waits in the archive: restore it first")
	case actor.Role == RoleAdmin:
		return nil
	case !f.Membership.Member && !f.Pool.IsAdmin(actor.ID):
		return Errorf(ENotPoolMember, "you are not a member of pool %s", f.Pool.Name)
	case f.Pool.Hidden:
		return Errorf(EPoolAssignOnly, "pool %s is assign-only: ask its admin", f.Pool.Name)
	}
	return nil
}

// Claimed is the answer to a claim of a customer of pool p that has an
// owner: a claimer who could have seen it in its pool lost a race
// (already_claimed); to anyone else it does not exist.
func Claimed(actor User, p Pool, m Membership) error {
	if actor.Role == RoleAdmin || p.IsAdmin(actor.ID) || (!p.Hidden && m.Member) {
		return errAlreadyClaimed()
	}
	return errNoCustomer()
}

func errAlreadyClaimed() error { return Errorf(EAlreadyClaimed, "the customer already has an owner") }

// ClaimRules applies the pool's rules for claims to the claimer: active,
// within holding limits, under the daily limit, past the re-claim cooldown
// and the release wait.
func ClaimRules(f ClaimFacts) error {
	p, loc := f.Pool, f.Settings.Location()
	if !f.Claimer.Active {
		return Errorf(EUserInactive, "the user is not active")
	}
	if err := CheckHolding(f.Settings, p, f.Claimer, f.Holding); err != nil {
		return err
	}
	if err := CheckCategoryA(f.Settings, f.Claimer, f.Customer.Category, f.HoldingA); err != nil {
		return err
	}
	if p.DailyClaimLimit > 0 && f.ClaimedToday >= p.DailyClaimLimit {
		return ClaimRefusal{Count: f.ClaimedToday, Limit: p.DailyClaimLimit}.Error(EDailyClaimLimit,
			"you have claimed %d customers from pool %s today, the most allowed", f.ClaimedToday, p.Name)
	}
	if p.ReclaimCooldownDays > 0 && f.LastLeft != nil {
		if until := AddDays(*f.LastLeft, p.ReclaimCooldownDays, loc); f.Now.Before(until) {
			return ClaimRefusal{Until: until}.Error(EReclaimCooldown, "you owned this customer before: you may claim it again from %s",
				until.In(loc).Format("2006-01-02"))
		}
	}
	if c := f.Customer; c.ClaimableAt != nil && c.ClaimableAt.After(f.Now) {
		return ReleaseWait(c)
	}
	return ClaimInOrder(f.Claimer, p, f.Ahead)
}

// ReleaseWait is the refusal of a claim while customer c's release wait
// runs.
func ReleaseWait(c Customer) error {
	return ClaimRefusal{Until: *c.ClaimableAt}.Error(EReleaseWait, "the customer was just released and may be claimed from %s",
		c.ClaimableAt.Format(time.RFC3339))
}

// ClaimRefusal is what a refusal of a claim was decided on: Count of
// Limit for a holding or daily limit, Until for a cooldown or a release
// wait. The message says the same in English; a page says it in the
// reader's language ("今日已领 20/20", "12月15日后可领") from these.
type ClaimRefusal struct {
	Count, Limit int
	Until        time.Time
	// Rule names the limit when it is not the one the code says:
	// RuleCategoryA for the A-category limit of the claimer's level.
	Rule string
}

// Error returns the refusal with code and a formatted message, carrying r.
func (r ClaimRefusal) Error(code, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Claim = &r
	return e
}

// ClaimRefusalOf returns the figures of a claim refusal err, if it has
// them.
func ClaimRefusalOf(err error) (ClaimRefusal, bool) {
	var e *Error
	if errors.As(err, &e) && e.Claim != nil {
		return *e.Claim, true
	}
	return ClaimRefusal{}, false
}
