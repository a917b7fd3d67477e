package gonghai

import "time"

// Pool is a named set of unowned customers (公海) and the rules for taking
// them. Members may claim; pool admins assign; a hidden pool is assign-only.
type Pool struct {
	ID                  string
	Name                string
	Hidden              bool
	MemberUserIDs       []string
	MemberDepartmentIDs []string // members include their sub-departments
	AdminUserIDs        []string
	// DailyClaimLimit is the most claims one rep may make from this pool in
	// one calendar day; 0 means no limit.
	DailyClaimLimit int
	// ReclaimCooldownDays keeps a previous owner from taking a customer back
	// until this many calendar days after it last left them.
	ReclaimCooldownDays int
	// ReleaseWaitHours keeps a just-released customer unclaimable for this
	// long, so that a release cannot hand it to a chosen colleague.
	ReleaseWaitHours int
	// HoldingLimit is the most customers of this pool one rep may own; 0
	// means no limit.
	HoldingLimit int
	// ReturnPoolID is where released and recycled customers go; "" means
	// this pool.
	ReturnPoolID string
	// Recycle are the rules that take neglected customers back.
	Recycle RecycleRules
	// ContactMask is what non-owners see of the contact fields of this
	// pool's customers: MaskPartial or MaskHidden.
	ContactMask string
	// Archive marks the archive pool, where invalid customers wait: no one
	// claims from it.
	Archive bool
	// Assignment is how the pool hands out its new customers; the zero
	// value (or StrategyClaim) leaves them to be claimed.
	Assignment Assignment
	// ClaimOrder is ClaimAny, or ClaimByScore / ClaimByAge: members then
	// claim the next customer in that order only (anti cherry-picking).
	// "" is ClaimAny.
	ClaimOrder string
	Created    time.Time
	Updated    time.Time
}

// IsAdmin reports whether user id administers the pool.
func (p Pool) IsAdmin(userID string) bool {
	for _, id := range p.AdminUserIDs {
		if id == userID {
			return true
		}
	}
	return false
}

// ReturnPool returns the id of the pool that released customers go to.
func (p Pool) ReturnPool() string {
	if p.ReturnPoolID != "" {
		return p.ReturnPoolID
	}
	return p.ID
}

// Holding is how many customers a rep owns, in all and in one pool, as the
// limits count them.
type Holding struct {
	Overall int
	InPool  int
}

// CheckHolding returns EHoldingLimit when taking one more customer from pool
// p would put u over a limit: the pool's or the overall one, whichever is
// stricter. It is pure: the caller counts under a lock that serialises u's
// claims.
func CheckHolding(s Settings, p Pool, u User, h Holding) error {
	if limit, ok := s.OverallLimit(u); ok && h.Overall+1 > limit {
		return ClaimRefusal{Count: h.Overall, Limit: limit}.Error(EHoldingLimit, "holding limit reached: %s owns %d of at most %d customers", u.Login, h.Overall, limit)
	}
	if p.HoldingLimit > 0 && h.InPool+1 > p.HoldingLimit {
		return ClaimRefusal{Count: h.InPool, Limit: p.HoldingLimit}.Error(EHoldingLimit, "holding limit reached: %s owns %d of at most %d customers from pool %s", u.Login, h.InPool, p.HoldingLimit, p.Name)
	}
	return nil
}

// Validate refuses a pool whose own fields are not acceptable, naming each:
// its name, contact mask, claim rules and recycle rules. Whether the ids it
// names exist is for the store to add.
func (p Pool) Validate() error {
	bad := map[string]string{}
	if p.Name == "" || len([]rune(p.Name)) > 100 {
		bad["name"] = "1 to 100 characters"
	} else if problem := TextProblem(p.Name, false); problem != "" {
		bad["name"] = problem
	}
	if !ValidMask(p.ContactMask) {
		bad["contact_mask"] = "masked or hidden"
	}
	for field, n := range map[string]int{"daily_claim_limit": p.DailyClaimLimit, "reclaim_cooldown_days": p.ReclaimCooldownDays,
		"release_wait_hours": p.ReleaseWaitHours, "holding_limit": p.HoldingLimit} {
		if n < 0 || n > 1_000_000 {
			bad[field] = "0 to 1000000"
		}
	}
	if !ValidClaimOrder(p.ClaimOrder) {
		bad["claim_order"] = "any, score or age"
	}
	if err := p.Recycle.Validate(); err != nil {
		for f, msg := range err.(*Error).Fields {
			bad[f] = msg
		}
	}
	if len(bad) > 0 {
		return &Error{Code: EInvalid, Message: "invalid pool", Fields: bad}
	}
	return nil
}
