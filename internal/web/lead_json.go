package web

import (
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gonghai/gonghai"
)

// The JSON shapes of leads, touches, scores and assignment strategies.

type touchJSON struct {
	ChannelID   *string   `json:"channel_id" doc:"The channel it came in through; null when entered by hand"`
	Campaign    string    `json:"campaign"`
	UTMSource   string    `json:"utm_source,omitempty"`
	UTMMedium   string    `json:"utm_medium,omitempty"`
	UTMCampaign string    `json:"utm_campaign,omitempty"`
	At          time.Time `json:"at"`
}

// touchFields and scoreFields are the shapes without their Schema methods.
type touchFields touchJSON
type scoreFields scoreJSON

// Schema makes a touch an inline object that may be null.
func (touchJSON) Schema(r huma.Registry) *huma.Schema { return nullableSchema[touchFields](r) }

// Schema makes a score an inline object that may be null.
func (scoreJSON) Schema(r huma.Registry) *huma.Schema { return nullableSchema[scoreFields](r) }

func touchOut(t *gonghai.Touch) *touchJSON {
	if t == nil {
		return nil
	}
	return &touchJSON{ChannelID: optional(t.ChannelID), Campaign: t.Campaign, UTMSource: t.UTMSource,
		UTMMedium: t.UTMMedium, UTMCampaign: t.UTMCampaign, At: t.At}
}

type scoreFactorJSON struct {
	Feature string  `json:"feature" example:"channel"`
	Value   string  `json:"value" example:"官网表单"`
	Points  float64 `json:"points" doc:"What this factor adds to (or takes from) the score"`
}

type scoreJSON struct {
	Value   int               `json:"value" minimum:"0" maximum:"100" doc:"Conversion score: how likely the record is to become a won customer"`
	Factors []scoreFactorJSON `json:"factors" doc:"The factors that weigh most, most first"`
}

func scoreOut(s *gonghai.Score) *scoreJSON {
	if s == nil {
		return nil
	}
	out := &scoreJSON{Value: s.Value, Factors: make([]scoreFactorJSON, len(s.Factors))}
	for i, f := range s.Factors {
		out.Factors[i] = scoreFactorJSON(f)
	}
	return out
}

// RoutingRuleJSON is one routing rule: what it matches, and where it sends.
type RoutingRuleJSON struct {
	Name         string   `json:"name,omitempty" maxLength:"60"`
	Regions      []string `json:"regions,omitempty" doc:"Matches a region equal to or under one of these (省/市/区 prefix)"`
	Industries   []string `json:"industries,omitempty"`
	ProductLines []string `json:"product_lines,omitempty"`
	Categories   []string `json:"categories,omitempty"`
	Channels     []string `json:"channels,omitempty" doc:"Channel ids"`
	Sizes        []string `json:"sizes,omitempty"`
	DepartmentID string   `json:"department_id,omitempty" doc:"Send to the members of this department (and below)"`
	UserIDs      []string `json:"user_ids,omitempty" doc:"Send to these reps"`
	Strategy     string   `json:"strategy,omitempty" enum:"round_robin,weighted,load_balance,performance,claim" doc:"How to pick among the rule's reps (default round_robin); claim leaves the customer in the pool"`
}

// AssignmentJSON is how a pool or channel hands out new customers.
type AssignmentJSON struct {
	Strategy   string            `json:"strategy" enum:"claim,round_robin,weighted,load_balance,performance,rules" doc:"claim leaves new customers in the pool to be claimed"`
	UserIDs    []string          `json:"user_ids,omitempty" doc:"Only these reps; omitted: the pool's members"`
	Weights    map[string]int    `json:"weights,omitempty" doc:"weighted: shares per user id (1-100)"`
	WindowDays int               `json:"window_days,omitempty" minimum:"0" maximum:"3650" doc:"performance: days of won amount that rank reps (default 90)"`
	Rules      []RoutingRuleJSON `json:"rules,omitempty" maxItems:"50" doc:"rules: first match wins"`
	Fallback   string            `json:"fallback,omitempty" enum:"claim,round_robin,weighted,load_balance,performance" doc:"rules: when no rule matches (default claim)"`
}

func assignmentOut(a gonghai.Assignment) AssignmentJSON {
	out := AssignmentJSON{Strategy: string(a.Strategy), UserIDs: a.UserIDs, Weights: a.Weights, WindowDays: a.WindowDays,
		Fallback: string(a.Fallback)}
	if out.Strategy == "" {
		out.Strategy = string(gonghai.StrategyClaim)
	}
	for _, r := range a.Rules {
		out.Rules = append(out.Rules, RoutingRuleJSON{Name: r.Name, Regions: r.Regions, Industries: r.Industries,
			ProductLines: r.ProductLines, Categories: r.Categories, Channels: r.Channels, Sizes: r.Sizes,
			DepartmentID: r.DepartmentID, UserIDs: r.UserIDs, Strategy: string(r.Strategy)})
	}
	return out
}

func (j AssignmentJSON) assignment() gonghai.Assignment {
	out := gonghai.Assignment{Strategy: gonghai.Strategy(j.Strategy), UserIDs: j.UserIDs, Weights: j.Weights,
		WindowDays: j.WindowDays, Fallback: gonghai.Strategy(j.Fallback)}
	for _, r := range j.Rules {
		out.Rules = append(out.Rules, gonghai.RoutingRule{Name: r.Name, Regions: r.Regions, Industries: r.Industries,
			ProductLines: r.ProductLines, Categories: r.Categories, Channels: r.Channels, Sizes: r.Sizes,
			DepartmentID: r.DepartmentID, UserIDs: r.UserIDs, Strategy: gonghai.Strategy(r.Strategy)})
	}
	return out
}
