package gonghai

import (
	"errors"
	"fmt"
)

// Error codes are part of the API: clients switch on them, so they never
// change once released.
const (
	EInvalid          = "invalid"
	ENotFound         = "not_found"
	EUnauthenticated  = "unauthenticated"
	EForbidden        = "forbidden"
	EConflict         = "conflict"
	EInternal         = "internal"
	EAlreadyClaimed   = "already_claimed"
	ENotPoolMember    = "not_pool_member"
	EPoolAssignOnly   = "pool_assign_only"
	EHoldingLimit     = "holding_limit_reached"
	EDailyClaimLimit  = "daily_claim_limit_reached"
	EReclaimCooldown  = "reclaim_cooldown"
	EReleaseWait      = "release_wait"
	ENotOwner         = "not_owner"
	EUserInactive     = "user_inactive"
	ELoginTaken       = "login_taken"
	EMethodNotAllowed = "method_not_allowed"
	EDuplicate        = "duplicate"             // a phone, email or WeChat id another customer has
	ERevealQuota      = "reveal_quota_exceeded" // the day's reveals are used up
	ETooManyAttempts  = "too_many_attempts"     // too many failed logins: wait and retry
	ECrossOrigin      = "cross_origin"          // a cookie-authenticated write from another site
	ELookupQuota      = "lookup_quota_exceeded" // the day's look-ups by phone or email are used up
	EExportQuota      = "export_quota_exceeded" // the day's exported rows are used up, or the export holds more
	ECustomerOwned    = "customer_owned"        // pool hygiene: only a customer in a pool may be marked or flagged invalid
	EArchived         = "archived"              // the customer waits in the archive: restore it first
	EAlreadyFlagged   = "already_flagged"       // a person flags a customer invalid once
	ESimilar          = "similar"               // a new company is like existing ones: confirm to go on
	EMerged           = "merged"                // a customer merged into another: MergedInto names it
	ERateLimited      = "rate_limited"          // intake: too many submissions to a channel or from an address; Retry-After says when
	EClaimOutOfOrder  = "claim_out_of_order"    // the pool is claimed in order: claim the next one
	EAlreadyConverted = "already_converted"     // a lead is converted once: this one was (MergedInto names the customer it joined)
)

// Codes of answers about a request's form or the server's state rather
// than what the request asks.
const (
	ETooLarge         = "too_large"              // the request body is over the limit
	EUnsupportedMedia = "unsupported_media_type" // the request body is not JSON
	ERequestTimeout   = "request_timeout"        // the request's body did not arrive in time
	ERequestCanceled  = "request_canceled"       // the client went away before the answer
	EUnavailable      = "unavailable"            // the database does not answer, or not in time: try again
)

// Error is a failure a user can act on. Code is stable; Message is safe to
// show; Fields names the input fields at fault, for EInvalid.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// Match names the existing customer an EDuplicate error collided with.
	Match *DuplicateMatch
	// Similar lists the existing customers a new company is like (code
	// similar), as the caller may know them.
	Similar []DuplicateMatch
	// Claim holds the figures a claim refusal was decided on, for those
	// that have them (limits, waits): a page says them in its own words.
	Claim *ClaimRefusal
	// MergedInto names the survivor an EMerged customer was merged into.
	MergedInto string
}

// DuplicateMatch is the customer a new company, phone, email or WeChat id
// already belongs to, or a company is like. Field names what matched
// (company, phone, email, wechat; similar for a like company). The owner's
// name and department are always told, so that the two reps can talk;
// OwnerID and PoolID only when the caller may see the customer or its
// pool. No contact value is ever in it.
type DuplicateMatch struct {
	CustomerID string
	Field      string
	Display    string // company or name, as the caller may see it
	PoolID     string
	OwnerID    string
	OwnerName  string
	OwnerDept  string // the owner's department's name
	Owned      bool
	Score      float64 // how alike the companies are (Field similar), 0 to 1
}

// Matches is what a new customer's fields meet before it is created: the
// customers holding its company, phone, email or WeChat id (duplicates,
// refused), and those whose company is like its (similar, shown).
type Matches struct {
	Duplicates []DuplicateMatch
	Similar    []DuplicateMatch
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming one field and what is wrong with it.
func Invalid(field, problem string) *Error {
	return &Error{Code: EInvalid, Message: field + ": " + problem, Fields: map[string]string{field: problem}}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EInternal
	}
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic text for any other error: internal details never reach users.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
