package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// The JSON shapes of the API. Ids are strings; instants are RFC 3339 UTC;
// an absent owner is null.

type userJSON struct {
	ID           string    `json:"id"`
	Login        string    `json:"login"`
	Name         string    `json:"name"`
	Role         string    `json:"role" enum:"admin,manager,rep"`
	DepartmentID *string   `json:"department_id"`
	Level        string    `json:"level"`
	HoldingLimit *int      `json:"holding_limit"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	// ExportUnmasked is a permission of its own: see export-customers.
	ExportUnmasked bool       `json:"export_unmasked" doc:"May export lists with contacts in full (admins only)"`
	AwayUntil      *time.Time `json:"away_until" doc:"Away until then: automatic assignment skips them, and they keep their turn"`
	AssignPaused   bool       `json:"assign_paused" doc:"Automatic assignment skips them until unpaused"`
	DailyAssignCap int        `json:"daily_assign_cap" doc:"Most automatic assignments a day; 0 = no cap"`
}

func userOut(u gonghai.User) userJSON {
	return userJSON{ID: u.ID, Login: u.Login, Name: u.Name, Role: string(u.Role), DepartmentID: optional(u.DepartmentID),
		Level: u.Level, HoldingLimit: u.HoldingLimit, Active: u.Active, CreatedAt: u.Created,
		ExportUnmasked: u.ExportUnmasked, AwayUntil: u.AwayUntil, AssignPaused: u.AssignPaused, DailyAssignCap: u.DailyAssignCap}
}

type departmentJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ParentID  *string   `json:"parent_id"`
	CreatedAt time.Time `json:"created_at"`
}

func departmentOut(d gonghai.Department) departmentJSON {
	return departmentJSON{ID: d.ID, Name: d.Name, ParentID: optional(d.ParentID), CreatedAt: d.Created}
}

type poolJSON struct {
	ID                  string           `json:"id"`
	Name                string           `json:"name"`
	Hidden              bool             `json:"hidden" doc:"Assign-only: members cannot see or claim"`
	MemberUserIDs       []string         `json:"member_user_ids"`
	MemberDepartmentIDs []string         `json:"member_department_ids" doc:"Sub-departments are members too"`
	AdminUserIDs        []string         `json:"admin_user_ids"`
	DailyClaimLimit     int              `json:"daily_claim_limit" doc:"Claims per rep per calendar day; 0 = no limit"`
	ReclaimCooldownDays int              `json:"reclaim_cooldown_days" doc:"Days before a previous owner may claim a customer again"`
	ReleaseWaitHours    int              `json:"release_wait_hours" doc:"Hours a released customer stays unclaimable"`
	HoldingLimit        int              `json:"holding_limit" doc:"Customers of this pool one rep may own; 0 = no limit"`
	ReturnPoolID        *string          `json:"return_pool_id" doc:"Where released and recycled customers go; null = this pool"`
	Recycle             RecycleRulesJSON `json:"recycle" doc:"Recycle rules: how neglected customers come back"`
	ContactMask         string           `json:"contact_mask" enum:"masked,hidden" doc:"What non-owners see of contact fields: masked (138****8000) or hidden (empty)"`
	Assignment          AssignmentJSON   `json:"assignment" doc:"How the pool hands out its new customers"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
}

// RecycleRuleJSON is one recycle rule; docs/rules.md explains each kind.
type RecycleRuleJSON struct {
	Kind         string         `json:"kind" enum:"no_follow_up,not_contacted,not_won,stage_stalled,no_repurchase,no_opportunity,protection"`
	Enabled      bool           `json:"enabled"`
	Days         int            `json:"days" minimum:"1" maximum:"10000" doc:"N: calendar days allowed (protection: the default term)"`
	CategoryDays map[string]int `json:"category_days,omitempty" doc:"Days for category A, B or C instead of days"`
	ExemptWon    bool           `json:"exempt_won,omitempty" doc:"Won customers are exempt from this rule"`
	ExtendDays   int            `json:"extend_days,omitempty" minimum:"0" maximum:"10000" doc:"Protection: a counting follow-up extends the term to this many days after it"`
	MaxDays      int            `json:"max_days,omitempty" minimum:"0" maximum:"10000" doc:"Protection: never past this many days from gaining the customer; 0 = no maximum"`
	Since        *time.Time     `json:"since,omitempty" doc:"When the rule started counting; omitted: kept while it stays on, now when it is turned on"`
}

// RecycleRulesJSON are a pool's recycle rules.
type RecycleRulesJSON struct {
	Rules                 []RecycleRuleJSON `json:"rules" maxItems:"7"`
	CountingKinds         []string          `json:"counting_kinds,omitempty" doc:"Follow-up kinds that count; omitted: all but note"`
	ExemptOpenOpportunity bool              `json:"exempt_open_opportunity,omitempty" doc:"Customers with an open opportunity are exempt"`
	WarnDays              int               `json:"warn_days,omitempty" minimum:"0" maximum:"365" doc:"Remind the owner this many days before the deadline, and again the day before; 0 = no reminders"`
}

func (j RecycleRulesJSON) rules() gonghai.RecycleRules {
	out := gonghai.RecycleRules{CountingKinds: j.CountingKinds, ExemptOpenOpportunity: j.ExemptOpenOpportunity, WarnDays: j.WarnDays,
		Rules: make([]gonghai.RecycleRule, len(j.Rules))}
	for i, r := range j.Rules {
		out.Rules[i] = gonghai.RecycleRule{Kind: gonghai.RuleKind(r.Kind), Enabled: r.Enabled, Days: r.Days, CategoryDays: r.CategoryDays,
			ExemptWon: r.ExemptWon, ExtendDays: r.ExtendDays, MaxDays: r.MaxDays}
		if r.Since != nil {
			out.Rules[i].Since = *r.Since
		}
	}
	return out
}

func recycleRulesOut(rs gonghai.RecycleRules) RecycleRulesJSON {
	out := RecycleRulesJSON{CountingKinds: rs.CountingKinds, ExemptOpenOpportunity: rs.ExemptOpenOpportunity, WarnDays: rs.WarnDays,
		Rules: make([]RecycleRuleJSON, len(rs.Rules))}
	if out.CountingKinds == nil {
		out.CountingKinds = gonghai.DefaultCountingKinds
	}
	for i, r := range rs.Rules {
		since := r.Since
		out.Rules[i] = RecycleRuleJSON{Kind: string(r.Kind), Enabled: r.Enabled, Days: r.Days, CategoryDays: r.CategoryDays,
			ExemptWon: r.ExemptWon, ExtendDays: r.ExtendDays, MaxDays: r.MaxDays, Since: &since}
	}
	return out
}

func poolOut(p gonghai.Pool) poolJSON {
	return poolJSON{ID: p.ID, Name: p.Name, Hidden: p.Hidden, MemberUserIDs: nonNil(p.MemberUserIDs),
		MemberDepartmentIDs: nonNil(p.MemberDepartmentIDs), AdminUserIDs: nonNil(p.AdminUserIDs),
		DailyClaimLimit: p.DailyClaimLimit, ReclaimCooldownDays: p.ReclaimCooldownDays, ReleaseWaitHours: p.ReleaseWaitHours,
		HoldingLimit: p.HoldingLimit, ReturnPoolID: optional(p.ReturnPoolID), Recycle: recycleRulesOut(p.Recycle),
		ContactMask: p.ContactMask, Assignment: assignmentOut(p.Assignment), CreatedAt: p.Created, UpdatedAt: p.Updated}
}

type customerJSON struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Company     string     `json:"company"`
	Category    string     `json:"category"`
	Industry    string     `json:"industry"`
	Region      string     `json:"region"`
	ProductLine string     `json:"product_line"`
	Source      string     `json:"source"`
	Stage       string     `json:"stage"`
	Won         bool       `json:"won"`
	Phone       string     `json:"phone" doc:"Full only to the owner; others get it masked (138****8000) or empty, as the pool says. Entitled viewers may reveal it."`
	Email       string     `json:"email" doc:"Masked like the phone (z***@example.cn)"`
	WeChat      string     `json:"wechat" doc:"Masked like the phone (wx***)"`
	OwnerID     *string    `json:"owner_id" doc:"null while the customer is in a pool"`
	PoolID      string     `json:"pool_id"`
	OwnedSince  *time.Time `json:"owned_since"`
	ClaimableAt *time.Time `json:"claimable_at" doc:"Set after a release: nobody may claim before then"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`

	Locked            bool           `json:"locked" doc:"A protected key customer: no rule recycles it"`
	WonAt             *time.Time     `json:"won_at" doc:"The day of the first order"`
	LastFollowUpAt    *time.Time     `json:"last_follow_up_at" doc:"The latest follow-up of a kind the pool counts"`
	LastStageChangeAt *time.Time     `json:"last_stage_change_at" doc:"When the stage last advanced"`
	LastOrderAt       *time.Time     `json:"last_order_at"`
	LastOpportunityAt *time.Time     `json:"last_opportunity_at"`
	OpenOpportunities int            `json:"open_opportunities"`
	Recycle           *countdownJSON `json:"recycle" doc:"When a rule takes the customer back; null when none applies"`
	Plan              *planJSON      `json:"plan" doc:"The owner's next follow-up plan (下次跟进); null when none is set"`

	Lifecycle   string     `json:"lifecycle" enum:"lead,customer" doc:"lead (线索) until converted (一转三)"`
	Size        string     `json:"size" enum:",small,medium,large,key" doc:"Customer size; empty when unknown"`
	FirstTouch  *touchJSON `json:"first_touch" doc:"How it first came in; never changes. null when entered by hand"`
	LatestTouch *touchJSON `json:"latest_touch" doc:"The latest time it came in through a channel"`
	ConvertedAt *time.Time `json:"converted_at" doc:"When the lead was converted"`
	Score       *scoreJSON `json:"score" doc:"Conversion score and its top factors; null until scored"`
}

type countdownJSON struct {
	Deadline       time.Time  `json:"deadline" doc:"The customer goes back to the pool at this instant"`
	Rule           string     `json:"rule"`
	RuleLabel      string     `json:"rule_label" example:"超期未跟进"`
	DaysLeft       int        `json:"days_left" doc:"Calendar days left: 1 on the last day, 0 once due"`
	NextReminderAt *time.Time `json:"next_reminder_at" doc:"When the owner is next reminded"`
}

// countdownFields is countdownJSON without its Schema method, for building
// that schema.
type countdownFields countdownJSON

// Schema makes a customer's countdown an inline object that may be null,
// `type: [object, "null"]`: huma gives struct fields a $ref, which cannot
// say null.
func (countdownJSON) Schema(r huma.Registry) *huma.Schema { return nullableSchema[countdownFields](r) }

// nullableSchema is the schema of an inline object of type T that may be
// null.
func nullableSchema[T any](r huma.Registry) *huma.Schema {
	s := huma.SchemaFromType(r, reflect.TypeFor[T]())
	s.Nullable = true
	return s
}

// customerOut shapes a customer the store has already masked for the
// viewer; the store is where masking happens, so no handler can forget it.
func customerOut(c gonghai.Customer) customerJSON {
	j := customerJSON{ID: c.ID, Name: c.Name, Company: c.Company, Category: c.Category, Industry: c.Industry,
		Region: c.Region, ProductLine: c.ProductLine, Source: c.Source, Stage: c.Stage, Won: c.Won, Phone: c.Phone,
		Email: c.Email, WeChat: c.WeChat, OwnerID: optional(c.OwnerID), PoolID: c.PoolID, OwnedSince: c.OwnedSince, ClaimableAt: c.ClaimableAt,
		CreatedAt: c.Created, UpdatedAt: c.Updated, Locked: c.Locked, WonAt: c.WonAt, LastFollowUpAt: c.LastFollowUp,
		LastStageChangeAt: c.LastStageChange, LastOrderAt: c.LastOrder, LastOpportunityAt: c.LastOpportunity,
		OpenOpportunities: c.OpenOpportunities, Plan: planOut(c.Plan),
		Lifecycle: string(c.Lifecycle), Size: c.Size, FirstTouch: touchOut(c.FirstTouch), LatestTouch: touchOut(c.LatestTouch),
		ConvertedAt: c.ConvertedAt, Score: scoreOut(c.Score)}
	if j.Lifecycle == "" {
		j.Lifecycle = string(gonghai.LifecycleCustomer)
	}
	if c.Recycle != nil {
		j.Recycle = &countdownJSON{Deadline: c.Recycle.At, Rule: string(c.Recycle.Rule), RuleLabel: c.Recycle.Rule.Label(),
			DaysLeft: c.DaysLeft, NextReminderAt: c.Reminder}
	}
	return j
}

type eventJSON struct {
	Seq         int       `json:"seq"`
	Kind        string    `json:"kind" enum:"created,claimed,assigned,transferred,released,recycled,converted,merged"`
	FromOwnerID *string   `json:"from_owner_id"`
	ToOwnerID   *string   `json:"to_owner_id"`
	FromPoolID  *string   `json:"from_pool_id"`
	ToPoolID    *string   `json:"to_pool_id"`
	ActorID     *string   `json:"actor_id"`
	Reason      string    `json:"reason"`
	Forced      bool      `json:"forced" doc:"An admin assigned past a holding limit"`
	At          time.Time `json:"at"`
	// Decision is present on an automatic assignment's event.
	Decision *decisionJSON `json:"decision,omitempty" doc:"Why an automatic assignment picked this rep: strategy, rule, candidates, who was skipped and why"`
}

func eventOut(e gonghai.Event) eventJSON {
	return eventJSON{Seq: e.Seq, Kind: string(e.Kind), FromOwnerID: optional(e.FromOwnerID), ToOwnerID: optional(e.ToOwnerID),
		FromPoolID: optional(e.FromPoolID), ToPoolID: optional(e.ToPoolID), ActorID: optional(e.ActorID),
		Reason: e.Reason, Forced: e.Forced, At: e.At, Decision: decisionOf(e.Decision)}
}

// list is the shape of every listing.
type list[T any] struct {
	Body struct {
		Items      []T    `json:"items"`
		NextCursor string `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last page"`
	}
}

func listOf[T, S any](items []S, next string, out func(S) T) *list[T] {
	l := &list[T]{}
	l.Body.Items = each(items, out)
	l.Body.NextCursor = encodeCursor(next)
	return l
}

// body wraps a single response body.
type body[T any] struct{ Body T }

func bodyOf[T any](v T) *body[T] { return &body[T]{Body: v} }

// PageParams are the query parameters of a keyset-paginated listing.
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Items per page"`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
}

func (p PageParams) page() (gonghai.Page, error) {
	after, err := decodeCursor(p.Cursor)
	return gonghai.Page{After: after, Limit: p.Limit}, err
}

// Cursors are opaque to clients, so the listing's key can change later, and
// check themselves, so that one a client mangled or made up is refused
// rather than read as some key that answers page one: a version byte, the
// key, and the first bytes of a SHA-256 of both, in URL-safe base64. The
// checksum is no secret and needs none: a forged cursor only starts a
// listing elsewhere, and what the viewer may see is decided by the store.
const (
	cursorVersion = 1
	cursorSumLen  = 6
	maxCursorKey  = 200 // longer than any listing's key
)

func encodeCursor(key string) string {
	if key == "" {
		return ""
	}
	b := append([]byte{cursorVersion}, key...)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(append(b, sum[:cursorSumLen]...))
}

var errBadCursor = gonghai.Invalid("cursor", "not a cursor from this API")

func decodeCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2+cursorSumLen || len(b) > 1+maxCursorKey+cursorSumLen || b[0] != cursorVersion {
		return "", errBadCursor
	}
	body, sum := b[:len(b)-cursorSumLen], b[len(b)-cursorSumLen:]
	want := sha256.Sum256(body)
	if subtle.ConstantTimeCompare(sum, want[:cursorSumLen]) != 1 || !utf8.Valid(body[1:]) {
		return "", errBadCursor
	}
	return string(body[1:]), nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// IDPath is the {id} of a route. Embedded types must be exported for huma
// to see their fields.
type IDPath struct {
	ID string `path:"id" maxLength:"64"`
}

// reply shapes a store answer into a response body, so that a handler reads
// return reply(customerOut)(s.store.Customer(…)).
func reply[S, T any](out func(S) T) func(S, error) (*body[T], error) {
	return func(v S, err error) (*body[T], error) {
		if err != nil {
			return nil, err
		}
		return bodyOf(out(v)), nil
	}
}

// replyList is reply for paginated listings.
func replyList[S, T any](out func(S) T) func([]S, string, error) (*list[T], error) {
	return func(items []S, next string, err error) (*list[T], error) {
		if err != nil {
			return nil, err
		}
		return listOf(items, next, out), nil
	}
}

// replyAll is reply for listings that come whole, in one page.
func replyAll[S, T any](out func(S) T) func([]S, error) (*list[T], error) {
	return func(items []S, err error) (*list[T], error) {
		return replyList(out)(items, "", err)
	}
}

// nullableInt is a patch field that is left out, set to a whole number of 0
// or more, or set to null to remove the value.
type nullableInt struct {
	set bool
	v   *int
}

// UnmarshalJSON is called for a field that is present, null included.
func (n *nullableInt) UnmarshalJSON(b []byte) error {
	n.set, n.v = true, nil
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

// null reports whether the field was sent as null.
func (n nullableInt) null() bool { return n.set && n.v == nil }

// Schema declares the field to the OpenAPI document.
func (nullableInt) Schema(huma.Registry) *huma.Schema {
	zero := 0.0
	return &huma.Schema{Type: huma.TypeInteger, Nullable: true, Minimum: &zero}
}
