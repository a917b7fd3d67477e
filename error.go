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
	// Claim holds the figures a claim refusal was decided on, for those
	// that have them (limits, waits): a page says them in its own words.
	Claim *ClaimRefusal
}

// DuplicateMatch is the customer a new phone, email or WeChat id already
// belongs to. OwnerID and OwnerName are set only when the caller may know
// the owner; Field names which contact field matched.
type DuplicateMatch struct {
	CustomerID string
	Field      string
	Display    string // company or name, as the caller may see it
	PoolID     string
	OwnerID    string
	OwnerName  string
	Owned      bool
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
