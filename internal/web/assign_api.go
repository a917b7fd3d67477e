package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// assignStore is what the assignment routes need of the database.
type assignStore interface {
	UpdatePoolAssignment(ctx context.Context, actor gonghai.User, id string, in gonghai.PoolInput, a *gonghai.Assignment) (gonghai.Pool, error)
	SetAway(ctx context.Context, actor gonghai.User, userID string, away gonghai.Away) (gonghai.User, error)
	Distribute(ctx context.Context, actor gonghai.User, poolID string, customerIDs, userIDs []string) ([]gonghai.DistributeResult, error)
	PreviewAssignment(ctx context.Context, actor gonghai.User, poolID, channelID string, n int) ([]gonghai.Decision, error)
	Unassigned(ctx context.Context, actor gonghai.User, p gonghai.Page) ([]gonghai.UnassignedRow, string, error)
	RetryUnassigned(ctx context.Context, actor gonghai.User) (int, error)
}

// assignRoutes registers the assignment engine's routes.
func (s *Server) assignRoutes() {
	register(s, op(http.MethodPost, "/api/v1/pools/{id}/distribute", "distribute", "Share pool customers out evenly among reps (平均分配); one result per id, as assign would"), s.distribute)
	register(s, op(http.MethodGet, "/api/v1/pools/{id}/assignment-preview", "assignment-preview", "Who would get the pool's next n customers by its strategy; changes nothing"), s.assignmentPreview)
	register(s, op(http.MethodGet, "/api/v1/unassigned", "list-unassigned", "Customers waiting for automatic assignment, oldest first, with why (admins; pool admins and managers: their pools)"), s.listUnassigned)
	register(s, op(http.MethodPost, "/api/v1/unassigned/retry", "retry-unassigned", "Route the waiting customers you see again now"), s.retryUnassigned)
}

// nullableTime is a time field that may be sent as null to clear it.
type nullableTime struct {
	set bool
	v   *time.Time
}

// UnmarshalJSON is called for a field that is present, null included.
func (n *nullableTime) UnmarshalJSON(b []byte) error {
	n.set, n.v = true, nil
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &n.v)
}

// Schema declares the field to the OpenAPI document.
func (nullableTime) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date-time", Nullable: true}
}

// AwayFields are the user fields of automatic assignment: a rep may set
// their own away_until and assign_paused.
type AwayFields struct {
	AwayUntil      nullableTime `json:"away_until,omitempty" doc:"Away until this instant: skipped by automatic assignment, keeping their turn; null: back"`
	AssignPaused   *bool        `json:"assign_paused,omitempty" doc:"Pause automatic assignment (暂停接单)"`
	DailyAssignCap *int         `json:"daily_assign_cap,omitempty" minimum:"0" maximum:"100000" doc:"Most automatic assignments a day; 0: no cap (admins and managers)"`
}

func (a AwayFields) away() (gonghai.Away, bool) {
	out := gonghai.Away{Until: a.AwayUntil.v, ClearUntil: a.AwayUntil.null(), Paused: a.AssignPaused, DailyCap: a.DailyAssignCap}
	return out, a.AwayUntil.set || a.AssignPaused != nil || a.DailyAssignCap != nil
}

func (n nullableTime) null() bool { return n.set && n.v == nil }

type distributeIn struct {
	IDPath
	Body struct {
		CustomerIDs []string `json:"customer_ids" minItems:"1" maxItems:"200" uniqueItems:"true"`
		UserIDs     []string `json:"user_ids" minItems:"1" maxItems:"50" uniqueItems:"true" doc:"The reps to share among; each gets as many as the others, one more at most, while holding limits allow"`
	}
}

type distributeResultJSON struct {
	CustomerID string  `json:"customer_id"`
	OK         bool    `json:"ok"`
	UserID     *string `json:"user_id" doc:"Who it went to; null when refused"`
	Code       string  `json:"code,omitempty" doc:"Why this one was refused"`
	Detail     string  `json:"detail,omitempty"`
}

type distributeOut struct {
	Body struct {
		Assigned int                    `json:"assigned"`
		Results  []distributeResultJSON `json:"results"`
	}
}

func (s *Server) distribute(ctx context.Context, in *distributeIn) (*distributeOut, error) {
	res, err := s.store.Distribute(ctx, actor(ctx), in.ID, in.Body.CustomerIDs, in.Body.UserIDs)
	if err != nil {
		return nil, err
	}
	out := &distributeOut{}
	out.Body.Results = make([]distributeResultJSON, len(res))
	for i, r := range res {
		j := distributeResultJSON{CustomerID: r.CustomerID, OK: r.Err == nil, UserID: optional(r.UserID)}
		if r.Err != nil {
			p := s.problem(ctx, r.Err)
			j.Code, j.Detail = p.Code, p.Detail
		} else {
			out.Body.Assigned++
		}
		out.Body.Results[i] = j
	}
	return out, nil
}

type decisionJSON struct {
	Strategy   string            `json:"strategy"`
	Rule       string            `json:"rule,omitempty" doc:"The routing rule that matched"`
	UserID     *string           `json:"user_id" doc:"Who gets it; null: nobody, it waits (reason)"`
	Candidates []string          `json:"candidates" doc:"The eligible reps, best first"`
	Skipped    map[string]string `json:"skipped" doc:"Reps passed over by user id: away, paused, daily_cap, holding, inactive, not_member"`
	Reason     string            `json:"reason,omitempty" doc:"Why nobody: claim (left to be claimed), no_candidates, none_eligible, or the one skip reason everyone shared"`
	Summary    string            `json:"summary" example:"自动分配：轮询，跳过 张三（休假）"`
}

func decisionOut(d gonghai.Decision) decisionJSON {
	skipped := d.Skipped
	if skipped == nil {
		skipped = map[string]string{}
	}
	return decisionJSON{Strategy: string(d.Strategy), Rule: d.Rule, UserID: optional(d.UserID),
		Candidates: nonNil(d.Candidates), Skipped: skipped, Reason: d.Reason, Summary: d.Summary(nil)}
}

type assignPreviewIn struct {
	IDPath
	N int `query:"n" minimum:"1" maximum:"100" default:"10" doc:"How many customers to look ahead"`
}

type previewJSON struct {
	Items []decisionJSON `json:"items" doc:"The next customers' decisions in turn: those waiting first, then those yet to come"`
}

func (s *Server) assignmentPreview(ctx context.Context, in *assignPreviewIn) (*body[previewJSON], error) {
	ds, err := s.store.PreviewAssignment(ctx, actor(ctx), in.ID, "", in.N)
	if err != nil {
		return nil, err
	}
	return bodyOf(previewJSON{Items: each(ds, decisionOut)}), nil
}

type unassignedJSON struct {
	Customer customerJSON `json:"customer"`
	Reason   string       `json:"reason" doc:"new (not routed yet), or why nobody took it"`
	Since    time.Time    `json:"since"`
	Tries    int          `json:"tries"`
}

func unassignedOut(r gonghai.UnassignedRow) unassignedJSON {
	return unassignedJSON{Customer: customerOut(r.Customer), Reason: r.Reason, Since: r.Since, Tries: r.Tries}
}

func (s *Server) listUnassigned(ctx context.Context, in *PageParams) (*list[unassignedJSON], error) {
	pg, err := in.page()
	if err != nil {
		return nil, err
	}
	return replyList(unassignedOut)(s.store.Unassigned(ctx, actor(ctx), pg))
}

type retryOut struct {
	Body struct {
		Assigned int `json:"assigned" doc:"How many waiting customers were assigned now"`
	}
}

func (s *Server) retryUnassigned(ctx context.Context, _ *struct{}) (*retryOut, error) {
	n, err := s.store.RetryUnassigned(ctx, actor(ctx))
	if err != nil {
		return nil, err
	}
	out := &retryOut{}
	out.Body.Assigned = n
	return out, nil
}

// changeUser applies a user patch and the availability fields: a patch of
// availability alone is SetAway's, which lets a rep set their own; with
// other fields the user change (admins) goes first, and availability is
// checked before either writes, so a bad one changes nothing.
func (s *Server) changeUser(ctx context.Context, id string, p gonghai.UserPatch, a AwayFields) (gonghai.User, error) {
	away, hasAway := a.away()
	if !hasAway {
		return s.store.UpdateUser(ctx, actor(ctx), id, p)
	}
	if err := away.Validate(); err != nil {
		return gonghai.User{}, err
	}
	if p != (gonghai.UserPatch{}) {
		if _, err := s.store.UpdateUser(ctx, actor(ctx), id, p); err != nil {
			return gonghai.User{}, err
		}
	}
	return s.store.SetAway(ctx, actor(ctx), id, away)
}

// decisionOf is decisionOut of an event's decision, nil for none.
func decisionOf(d *gonghai.Decision) *decisionJSON {
	if d == nil {
		return nil
	}
	out := decisionOut(*d)
	return &out
}
