package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// The OpenAPI document is a contract: a client generated from it must work.
// So every operation lists each problem it can answer, by status, with the
// codes it can give at that status; tests check every answer they receive
// against the document (internal/webtest), codes included.

// operationCodes lists, by operation id, the problem codes an operation's
// handler and the store method behind it can give. The codes every
// operation shares (commonCodes) are added to them. A new route adds its
// line here: NewServer refuses to start, naming it, until it does.
var operationCodes = map[string][]string{
	"health":      {gonghai.EUnavailable},
	"get-openapi": {},

	"login":  {gonghai.EUnauthenticated, gonghai.ETooManyAttempts},
	"logout": {},

	"get-me":                {},
	"list-my-customers":     {},
	"export-my-customers":   {gonghai.EForbidden, gonghai.EExportQuota},
	"list-my-notifications": {},
	"read-my-notifications": {},

	"get-settings":    {},
	"update-settings": {gonghai.EForbidden},

	"create-token": {gonghai.EForbidden, gonghai.ENotFound},
	"list-tokens":  {gonghai.ENotFound, gonghai.EForbidden},
	"revoke-token": {gonghai.ENotFound},

	"create-department": {gonghai.EForbidden},
	"list-departments":  {},

	"create-user": {gonghai.EForbidden, gonghai.ELoginTaken},
	"list-users":  {},
	"get-user":    {gonghai.ENotFound},
	"update-user": {gonghai.ENotFound, gonghai.EForbidden},
	"hand-over": {gonghai.ENotFound, gonghai.EForbidden, gonghai.EUserInactive, gonghai.EHoldingLimit,
		gonghai.ENotOwner, gonghai.EAlreadyClaimed, gonghai.EReleaseWait, gonghai.EConflict},

	"create-pool":         {gonghai.EForbidden, gonghai.EConflict},
	"list-pools":          {},
	"get-pool":            {gonghai.ENotFound},
	"update-pool":         {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"list-pool-customers": {gonghai.ENotFound, gonghai.ELookupQuota},
	"claim-batch":         {gonghai.ENotFound},
	"claim-next": {gonghai.ENotFound, gonghai.ENotPoolMember, gonghai.EPoolAssignOnly, gonghai.EArchived, gonghai.EUserInactive,
		gonghai.EHoldingLimit, gonghai.EDailyClaimLimit, gonghai.EConflict},
	"export-pool-customers":    {gonghai.ENotFound, gonghai.EForbidden, gonghai.ELookupQuota, gonghai.EExportQuota},
	"recycle-preview":          {gonghai.ENotFound, gonghai.EForbidden},
	"recycle-preview-proposed": {gonghai.ENotFound, gonghai.EForbidden},

	"list-customers":   {gonghai.ENotFound, gonghai.ELookupQuota},
	"export-customers": {gonghai.ENotFound, gonghai.EForbidden, gonghai.ELookupQuota, gonghai.EExportQuota},
	"create-customer": {gonghai.EForbidden, gonghai.EUserInactive, gonghai.EHoldingLimit,
		gonghai.EDuplicate, gonghai.ESimilar, gonghai.ELookupQuota, gonghai.EConflict},
	"customer-matches": {gonghai.ELookupQuota},
	"get-customer":     {gonghai.ENotFound},
	"update-customer":  {gonghai.ENotFound, gonghai.EForbidden, gonghai.EDuplicate, gonghai.ELookupQuota, gonghai.EConflict},
	"claim-customer": {gonghai.ENotFound, gonghai.EAlreadyClaimed, gonghai.ENotPoolMember, gonghai.EPoolAssignOnly,
		gonghai.EUserInactive, gonghai.EHoldingLimit, gonghai.EDailyClaimLimit, gonghai.EReclaimCooldown, gonghai.EReleaseWait,
		gonghai.EConflict, gonghai.EArchived, gonghai.EClaimOutOfOrder},
	"release-customer": {gonghai.ENotFound, gonghai.ENotOwner, gonghai.EConflict},
	"assign-customer": {gonghai.ENotFound, gonghai.EAlreadyClaimed, gonghai.EForbidden, gonghai.EUserInactive,
		gonghai.EHoldingLimit, gonghai.EReleaseWait, gonghai.EConflict},
	"transfer-customer": {gonghai.ENotFound, gonghai.ENotOwner, gonghai.EAlreadyClaimed, gonghai.EForbidden,
		gonghai.EUserInactive, gonghai.EHoldingLimit, gonghai.EReleaseWait, gonghai.EConflict},
	"customer-history":   {gonghai.ENotFound},
	"add-follow-up":      {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"list-follow-ups":    {gonghai.ENotFound},
	"create-opportunity": {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"list-opportunities": {gonghai.ENotFound},
	"close-opportunity":  {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"create-order":       {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"list-orders":        {gonghai.ENotFound},
	"lock-customer":      {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"unlock-customer":    {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"reveal-contacts":    {gonghai.ENotFound, gonghai.EForbidden, gonghai.ERevealQuota},
	"export-customer":    {gonghai.ENotFound, gonghai.EForbidden},

	// Contacts: as editing the customer's own contacts; a full customer
	// (MaxContacts) is invalid.
	"list-contacts":  {gonghai.ENotFound},
	"create-contact": {gonghai.ENotFound, gonghai.EForbidden, gonghai.EDuplicate, gonghai.ELookupQuota, gonghai.EConflict},
	"update-contact": {gonghai.ENotFound, gonghai.EForbidden, gonghai.EDuplicate, gonghai.ELookupQuota, gonghai.EConflict},
	"delete-contact": {gonghai.ENotFound, gonghai.EForbidden},
	"erase-customer": {gonghai.ENotFound, gonghai.EForbidden},

	// The next follow-up plan: for an owned customer only (not_owner).
	"set-follow-up-plan":   {gonghai.ENotFound, gonghai.EForbidden, gonghai.ENotOwner, gonghai.EConflict},
	"clear-follow-up-plan": {gonghai.ENotFound, gonghai.EForbidden, gonghai.ENotOwner, gonghai.EConflict},

	"list-audit": {gonghai.EForbidden},

	"mark-invalid": {gonghai.ENotFound, gonghai.EForbidden, gonghai.ECustomerOwned, gonghai.EArchived, gonghai.EConflict},
	"flag-invalid": {gonghai.ENotFound, gonghai.ECustomerOwned, gonghai.EArchived, gonghai.EAlreadyFlagged,
		gonghai.EConflict},
	"list-flags":           {gonghai.ENotFound, gonghai.EForbidden},
	"restore-customer":     {gonghai.ENotFound, gonghai.EConflict},
	"list-archive":         {gonghai.EForbidden},
	"get-archive-settings": {},
	"set-archive-settings": {gonghai.EForbidden},
	"get-pool-hygiene":     {gonghai.ENotFound},
	"set-pool-hygiene":     {gonghai.ENotFound, gonghai.EForbidden},
	"preview-pool-hygiene": {gonghai.ENotFound, gonghai.EForbidden},
	"create-import": {gonghai.EForbidden, gonghai.ENotFound, gonghai.ETooLarge, gonghai.EUnsupportedMedia,
		gonghai.ERequestTimeout, gonghai.EConflict},
	"list-imports":     {},
	"import-template":  {},
	"get-import":       {gonghai.ENotFound},
	"list-import-rows": {gonghai.ENotFound},
	"start-import":     {gonghai.ENotFound, gonghai.EForbidden, gonghai.EConflict},
	"cancel-import":    {gonghai.ENotFound, gonghai.EConflict},
	"import-errors":    {gonghai.ENotFound},
	// Conflicts (撞单): reps arbitrate none (forbidden); a conflict outside
	// a manager's subtree is not found; resolving moves customers with
	// the moves' own refusals.
	"list-conflicts": {gonghai.EForbidden},
	"conflict-rates": {gonghai.EForbidden},
	"get-conflict":   {gonghai.EForbidden, gonghai.ENotFound},
	"resolve-conflict": {gonghai.EForbidden, gonghai.ENotFound, gonghai.EConflict, gonghai.EAlreadyClaimed, gonghai.ENotOwner,
		gonghai.EUserInactive, gonghai.EHoldingLimit, gonghai.EReleaseWait},
	"merge-customer":          {gonghai.EForbidden, gonghai.ENotFound, gonghai.EConflict},
	"customer-merged-history": {gonghai.ENotFound},
	// Channels and intake: a submission's key not found (or inactive),
	// its limits, its body (read raw: too large, not JSON or a form).
	"create-channel":     {gonghai.EForbidden},
	"list-channels":      {gonghai.EForbidden},
	"get-channel":        {gonghai.EForbidden, gonghai.ENotFound},
	"update-channel":     {gonghai.EForbidden, gonghai.ENotFound},
	"rotate-channel-key": {gonghai.EForbidden, gonghai.ENotFound},
	"intake": {gonghai.ENotFound, gonghai.ERateLimited, gonghai.EConflict, gonghai.ETooLarge, gonghai.EUnsupportedMedia,
		gonghai.ERequestTimeout},
	"list-quarantine":     {gonghai.EForbidden},
	"release-quarantined": {gonghai.EForbidden, gonghai.ENotFound, gonghai.EConflict, gonghai.EDuplicate},
	"drop-quarantined":    {gonghai.EForbidden, gonghai.ENotFound, gonghai.EConflict},

	"distribute":         {gonghai.ENotFound},
	"assignment-preview": {gonghai.ENotFound, gonghai.EForbidden},
	"list-unassigned":    {gonghai.EForbidden},
	"retry-unassigned":   {gonghai.EForbidden},

	// Leads: a lead converts once (already_converted).
	"convert-lead": {gonghai.ENotFound, gonghai.EForbidden, gonghai.EAlreadyConverted, gonghai.EConflict},
}

// mergedPath is where a customer id is read: every operation under it can
// answer merged (404, with merged_into) for a customer merged into another.
const mergedPath = "/api/v1/customers/{id}"

// commonCodes are the problems an operation can give whatever it does:
// invalid (a bad or unknown parameter), internal and unavailable (the
// database did not answer in time) on every operation; unauthenticated
// where it needs a user; cross_origin on writes, which a browser's cookie
// could carry from another site; too_large, unsupported_media_type and
// request_timeout (the body did not arrive in time) where it reads a body.
// request_canceled is not among them: its client has gone and reads no
// answer.
func commonCodes(op *huma.Operation, hasBody bool) []string {
	codes := []string{gonghai.EInvalid, gonghai.EInternal, gonghai.EUnavailable}
	if len(op.Security) > 0 {
		codes = append(codes, gonghai.EUnauthenticated)
	}
	switch op.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		codes = append(codes, gonghai.ECrossOrigin)
	}
	if hasBody {
		codes = append(codes, gonghai.ETooLarge, gonghai.EUnsupportedMedia, gonghai.ERequestTimeout)
	}
	return codes
}

// problemSchema is where the document keeps the Problem schema.
const problemSchema = "#/components/schemas/Problem"

// codesExtension lists the problem codes of a problem response, for tools:
// the response's description lists them for people.
const codesExtension = "x-problem-codes"

// document completes op for the OpenAPI document before it is registered:
// its tag, its security, and one problem response per status it can
// answer, each naming its codes. hasBody says whether it reads a body.
func (s *Server) document(op *huma.Operation, hasBody bool) {
	specific, ok := operationCodes[op.OperationID]
	if !ok {
		panic(fmt.Sprintf("operation %s declares no problem codes: add it to operationCodes", op.OperationID))
	}
	op.Tags = []string{tagOf(op.Path)}
	if strings.HasPrefix(op.Path, "/api/v1/") && !openOperations[op.OperationID] {
		op.Security = []map[string][]string{{"bearer": {}}, {"session": {}}}
	} else {
		op.Security = []map[string][]string{} // open: `security: []`
	}
	s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[Problem](), true, "Problem")
	byStatus := map[int][]string{}
	if strings.HasPrefix(op.Path, mergedPath) || op.OperationID == "resolve-conflict" {
		specific = append(slices.Clone(specific), gonghai.EMerged)
	}
	for _, code := range append(commonCodes(op, hasBody), specific...) {
		status, ok := statuses[code]
		if !ok {
			panic(fmt.Sprintf("operation %s: code %s has no status in statuses", op.OperationID, code))
		}
		if !slices.Contains(byStatus[status], code) {
			byStatus[status] = append(byStatus[status], code)
		}
	}
	if op.Responses == nil {
		op.Responses = map[string]*huma.Response{}
	}
	for status, codes := range byStatus {
		slices.Sort(codes)
		r := &huma.Response{
			Description: http.StatusText(status) + ": `" + strings.Join(codes, "`, `") + "`",
			Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: &huma.Schema{Ref: problemSchema}}},
			Extensions:  map[string]any{codesExtension: codes},
		}
		if status == http.StatusTooManyRequests && (slices.Contains(codes, gonghai.ETooManyAttempts) || slices.Contains(codes, gonghai.ERateLimited)) {
			r.Headers = map[string]*huma.Param{"Retry-After": {
				Description: "Seconds to wait before signing in again (too_many_attempts) or submitting again (rate_limited)",
				Schema:      &huma.Schema{Type: huma.TypeInteger, Minimum: ptrTo(1.0)},
			}}
		}
		op.Responses[fmt.Sprint(status)] = r
	}
}

func ptrTo[T any](v T) *T { return &v }

// operationTags describe the groups operations are filed under, by the first part of
// their path under /api/v1.
var operationTags = []*huma.Tag{
	{Name: "health", Description: "Whether the server and its database answer"},
	{Name: "meta", Description: "This OpenAPI document"},
	{Name: "auth", Description: "Signing in and out with a password and a session cookie"},
	{Name: "me", Description: "The authenticated user, their private pool (私海) and notifications"},
	{Name: "settings", Description: "Organisation settings"},
	{Name: "tokens", Description: "API tokens: make, list and revoke"},
	{Name: "departments", Description: "The department tree"},
	{Name: "users", Description: "Users and hand-over of a user's customers"},
	{Name: "pools", Description: "Pools (公海), their rules, listings and batch claims"},
	{Name: "customers", Description: "Customers: claim, release, assign, transfer, activity, privacy"},
	{Name: "opportunities", Description: "Opportunities of customers"},
	{Name: "audit", Description: "The audit log of sensitive actions"},
	{Name: "imports", Description: "Spreadsheet imports: upload, dry run, progress, cancel, error file, template"},
	{Name: "archive", Description: "Customers marked invalid, waiting in the archive to be restored or purged"},
	{Name: "conflicts", Description: "Conflicts (撞单): duplicates met by creates and imports, and their arbitration"},
	{Name: "channels", Description: "Channels (渠道) leads come in through: their keys, pools, strategies, caps and limits"},
	{Name: "intake", Description: "Lead intake: a channel's website form or program posts here, with no session"},
	{Name: "quarantine", Description: "Intake submissions held as spam, for an admin to release or drop"},
	{Name: "reports", Description: "Reports (报表): pool flow, holding time, follow-up effort, conversion, conflicts, fairness… with drill-down to the customers behind each number, and CSV/XLSX exports"},
	{Name: "unassigned", Description: "The unassigned queue: customers waiting for automatic assignment, and its retry"},
}

// tagOf files an operation by its path: /api/v1/pools/{id} under pools,
// /healthz under health, the OpenAPI document under meta.
func tagOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	switch {
	case path == "/healthz":
		return "health"
	case !ok:
		return "meta"
	}
	tag, _, _ := strings.Cut(rest, "/")
	return tag
}

// serveDocument serves the OpenAPI document at /api/openapi.json, in YAML
// at /api/openapi.yaml, and downgraded to OpenAPI 3.0 for older client
// generators at /api/openapi-3.0.json and .yaml; and lists the first as
// an open operation of the document itself. huma would serve them too, but
// past the checks every other operation has: these refuse query
// parameters like the rest.
func (s *Server) serveDocument(mux *http.ServeMux) {
	op := huma.Operation{Method: http.MethodGet, Path: openAPIPath + ".json", OperationID: "get-openapi",
		Summary:     "This OpenAPI 3.1 document",
		Description: "The contract of the API. Operation ids are stable: generated clients keep their method names."}
	s.document(&op, false)
	op.Responses["200"] = &huma.Response{Description: "The document",
		Content: map[string]*huma.MediaType{"application/openapi+json": {Schema: &huma.Schema{Type: huma.TypeObject}}}}
	oapi := s.api.OpenAPI()
	oapi.AddOperation(&op)
	for _, d := range []struct {
		path, contentType string
		render            func() ([]byte, error)
	}{
		{".json", "application/openapi+json", func() ([]byte, error) { return json.Marshal(oapi) }},
		{".yaml", "application/openapi+yaml", oapi.YAML},
		{"-3.0.json", "application/openapi+json", oapi.Downgrade},
		{"-3.0.yaml", "application/openapi+yaml", oapi.DowngradeYAML},
	} {
		render := sync.OnceValues(d.render) // once every route is in
		mux.HandleFunc("GET "+openAPIPath+d.path, func(w http.ResponseWriter, r *http.Request) {
			if err := noQuery(r.URL.Query()); err != nil {
				writeProblem(w, problemFor(err))
				return
			}
			doc, err := render()
			if err != nil {
				writeProblem(w, s.problem(r.Context(), err))
				return
			}
			w.Header().Set("Content-Type", d.contentType)
			_, _ = w.Write(doc)
		})
	}
}
