package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// statuses maps each error code to its HTTP status: the one table of it.
var statuses = map[string]int{
	gonghai.EInvalid:          http.StatusUnprocessableEntity,
	gonghai.ENotFound:         http.StatusNotFound,
	gonghai.EMerged:           http.StatusNotFound,
	gonghai.EUnauthenticated:  http.StatusUnauthorized,
	gonghai.EForbidden:        http.StatusForbidden,
	gonghai.ENotPoolMember:    http.StatusForbidden,
	gonghai.EPoolAssignOnly:   http.StatusForbidden,
	gonghai.ENotOwner:         http.StatusForbidden,
	gonghai.EConflict:         http.StatusConflict,
	gonghai.EAlreadyClaimed:   http.StatusConflict,
	gonghai.EHoldingLimit:     http.StatusConflict,
	gonghai.EReclaimCooldown:  http.StatusConflict,
	gonghai.EReleaseWait:      http.StatusConflict,
	gonghai.EUserInactive:     http.StatusConflict,
	gonghai.ELoginTaken:       http.StatusConflict,
	gonghai.EDailyClaimLimit:  http.StatusTooManyRequests,
	gonghai.EDuplicate:        http.StatusConflict,
	gonghai.ECustomerOwned:    http.StatusConflict,
	gonghai.EArchived:         http.StatusConflict,
	gonghai.EAlreadyFlagged:   http.StatusConflict,
	gonghai.ESimilar:          http.StatusConflict,
	gonghai.EClaimOutOfOrder:  http.StatusConflict,
	gonghai.EAlreadyConverted: http.StatusConflict,
	gonghai.ERevealQuota:      http.StatusTooManyRequests,
	gonghai.ELookupQuota:      http.StatusTooManyRequests,
	gonghai.EExportQuota:      http.StatusTooManyRequests,
	gonghai.ETooManyAttempts:  http.StatusTooManyRequests,
	gonghai.ERateLimited:      http.StatusTooManyRequests,
	gonghai.ECrossOrigin:      http.StatusForbidden,
	gonghai.EMethodNotAllowed: http.StatusMethodNotAllowed,
	gonghai.ERequestTimeout:   http.StatusRequestTimeout,
	gonghai.ERequestCanceled:  statusClientClosedRequest,
	gonghai.ETooLarge:         http.StatusRequestEntityTooLarge,
	gonghai.EUnsupportedMedia: http.StatusUnsupportedMediaType,
	gonghai.EInternal:         http.StatusInternalServerError,
	gonghai.EUnavailable:      http.StatusServiceUnavailable,
}

// statusClientClosedRequest is nginx's status for a request whose client
// went away: nobody reads it, but a proxy's or our own logs show it apart
// from a failure of ours.
const statusClientClosedRequest = 499

// Problem is an RFC 9457 problem document with gonghai's stable code.
type Problem struct {
	Title   string            `json:"title" doc:"Short summary of the status"`
	Status  int               `json:"status"`
	Code    string            `json:"code" doc:"Stable, snake_case error code"`
	Detail  string            `json:"detail,omitempty" doc:"What went wrong, safe to show"`
	Fields  map[string]string `json:"fields,omitempty" doc:"Input fields at fault and why (code invalid)"`
	Match   *duplicateJSON    `json:"match,omitempty" doc:"The existing customer a new company or contact collided with (code duplicate)"`
	Similar []duplicateJSON   `json:"similar,omitempty" doc:"The existing customers whose company is like the new one (code similar): send allow_similar to create it anyway"`
	// MergedInto points a client from a merged customer to its survivor.
	MergedInto string `json:"merged_into,omitempty" doc:"The customer this one was merged into (code merged): fetch that one instead"`
}

// duplicateJSON names the customer a duplicate hit, or a like company: its
// owner by name and department always (so that the two can talk), the
// owner's id and the pool only when the caller may see them. No contact
// value is ever in it.
type duplicateJSON struct {
	CustomerID string  `json:"customer_id"`
	Field      string  `json:"field" enum:"company,phone,email,wechat,similar" doc:"What matched: a field, or similar for a like company"`
	Display    string  `json:"display,omitempty" doc:"The company; or its name, when the caller may see the customer"`
	PoolID     string  `json:"pool_id,omitempty" doc:"Set when the caller may see the customer or its pool"`
	Owned      bool    `json:"owned" doc:"Whether a rep owns it"`
	OwnerID    string  `json:"owner_id,omitempty" doc:"Set when the caller may see the customer"`
	OwnerName  string  `json:"owner_name,omitempty" doc:"Who owns it, to talk to"`
	OwnerDept  string  `json:"owner_department,omitempty" doc:"The owner's department"`
	Score      float64 `json:"score,omitempty" doc:"How alike the companies are, 0 to 1 (field similar)"`
}

// matchJSON is a match as the API writes it.
func matchJSON(m gonghai.DuplicateMatch) duplicateJSON {
	return duplicateJSON{CustomerID: m.CustomerID, Field: m.Field, Display: m.Display, PoolID: m.PoolID, Owned: m.Owned,
		OwnerID: m.OwnerID, OwnerName: m.OwnerName, OwnerDept: m.OwnerDept, Score: m.Score}
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// GetStatus gives huma the response status.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType marks the body as a problem document.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

func problemFor(err error) *Problem {
	code := gonghai.ErrorCode(err)
	status, ok := statuses[code]
	if !ok {
		status = http.StatusBadRequest
	}
	p := &Problem{Title: statusTitle(status), Status: status, Code: code, Detail: gonghai.ErrorMessage(err)}
	var e *gonghai.Error
	if errors.As(err, &e) {
		p.Fields, p.MergedInto = e.Fields, e.MergedInto
		if m := e.Match; m != nil {
			j := matchJSON(*m)
			p.Match = &j
		}
		for _, m := range e.Similar {
			p.Similar = append(p.Similar, matchJSON(m))
		}
	}
	return p
}

func statusTitle(status int) string {
	if status == statusClientClosedRequest {
		return "Client Closed Request"
	}
	return http.StatusText(status)
}

// problem turns any error into the problem users see. Only internal errors
// are logged, with their cause, route and request id; users get a generic
// message for those. A
// request whose context ended is no internal error, however the database
// driver words it ("begin: context canceled", "conn closed"): it is
// request_canceled when the client went away, unavailable when a deadline
// passed.
func (s *Server) problem(ctx context.Context, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	if gonghai.ErrorCode(err) == gonghai.EInternal {
		if ended := requestEnded(ctx, err); ended != nil {
			level := slog.LevelInfo // the client's doing: nothing of ours failed
			if ended.Code == gonghai.EUnavailable {
				level = slog.LevelWarn // we were too slow for someone's deadline
			}
			s.log.Log(ctx, level, ended.Code, append(logged(ctx).attrs(), "err", err.Error())...)
			return problemFor(ended)
		}
		s.log.ErrorContext(ctx, "internal_error", append(logged(ctx).attrs(), "err", err.Error())...)
	}
	return problemFor(err)
}

// requestEnded names the failure of a request whose context ended, or of
// a call that met a deadline; nil for any other failure.
func requestEnded(ctx context.Context, err error) *gonghai.Error {
	cause := ctx.Err()
	if cause == nil && errors.Is(err, context.DeadlineExceeded) {
		cause = context.DeadlineExceeded
	}
	switch {
	case errors.Is(cause, context.Canceled):
		return gonghai.Errorf(gonghai.ERequestCanceled, "the request ended before its answer")
	case errors.Is(cause, context.DeadlineExceeded):
		return gonghai.Errorf(gonghai.EUnavailable, "the server could not answer in time; try again")
	}
	return nil
}

func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	writeJSON(w, p)
}

func writeJSON(w io.Writer, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

// codeForStatus names the errors huma raises itself (validation, malformed
// bodies, sizes) with the same codes as ours.
var codeForStatus = map[int]string{
	http.StatusBadRequest:            gonghai.EInvalid,
	http.StatusUnprocessableEntity:   gonghai.EInvalid,
	http.StatusUnauthorized:          gonghai.EUnauthenticated,
	http.StatusForbidden:             gonghai.EForbidden,
	http.StatusNotFound:              gonghai.ENotFound,
	http.StatusMethodNotAllowed:      gonghai.EMethodNotAllowed,
	http.StatusRequestTimeout:        gonghai.ERequestTimeout,
	http.StatusRequestEntityTooLarge: gonghai.ETooLarge,
	http.StatusUnsupportedMediaType:  gonghai.EUnsupportedMedia,
	http.StatusNotAcceptable:         "not_acceptable",
}

func init() {
	// A key must match its field exactly: encoding/json would take "Login"
	// for "login", and huma's validation follows it unless told otherwise.
	huma.ValidateStrictCasing = true
	// No list the API sends is ever null (each is made, even empty), and a
	// list in a body may not be null either: the document says so, and a
	// generated client gets plain arrays.
	huma.DefaultArrayNullable = false
	// huma reports its own validation and parsing failures through
	// NewError. Values are never echoed back: an echoed phone number would
	// leave the server unmasked in an error.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		code, ok := codeForStatus[status]
		switch {
		case !ok && slices.ContainsFunc(errs, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }):
			// huma could not read the body because the client stopped
			// sending it: bad input, or a client gone, not our failure.
			code, msg = gonghai.EInvalid, "the request body ended before its declared length"
		case !ok:
			code, status, msg = gonghai.EInternal, http.StatusInternalServerError, "internal error"
		}
		if s, ok := statuses[code]; ok {
			status = s // one code, one status: a malformed body is invalid like a bad field
		}
		p := &Problem{Title: http.StatusText(status), Status: status, Code: code, Detail: msg}
		for _, err := range errs {
			var d *huma.ErrorDetail
			if !errors.As(err, &d) {
				continue
			}
			if p.Fields == nil {
				p.Fields = map[string]string{}
			}
			if field := nulField(d.Message); d.Location == "body" && field != "" {
				p.Fields[field] = nulMessage
				continue
			}
			p.Fields[fieldOf(d.Location)] = d.Message
		}
		return p
	}
}
