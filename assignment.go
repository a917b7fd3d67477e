package gonghai

import "time"

// Strategy is how a pool or channel hands out new customers.
type Strategy string

// The assignment strategies.
const (
	// StrategyClaim leaves new customers in the pool for reps to claim.
	StrategyClaim Strategy = "claim"
	// StrategyRoundRobin gives each to the eligible rep who has waited
	// longest since their last assignment.
	StrategyRoundRobin Strategy = "round_robin"
	// StrategyWeighted shares them out in proportion to per-rep weights.
	StrategyWeighted Strategy = "weighted"
	// StrategyLoadBalance gives each to the rep with the most free
	// capacity (holding limit minus holding).
	StrategyLoadBalance Strategy = "load_balance"
	// StrategyPerformance ranks reps by won amount over the last
	// WindowDays (业绩优秀优先).
	StrategyPerformance Strategy = "performance"
	// StrategyRules applies the ordered routing rules: the first that
	// matches decides.
	StrategyRules Strategy = "rules"
)

// Strategies lists every strategy.
var Strategies = []Strategy{StrategyClaim, StrategyRoundRobin, StrategyWeighted, StrategyLoadBalance, StrategyPerformance, StrategyRules}

// Assignment is a pool's or channel's strategy and its parameters.
type Assignment struct {
	Strategy Strategy `json:"strategy"`
	// UserIDs limits the candidates to these reps; empty means the pool's
	// members.
	UserIDs []string `json:"user_ids,omitempty"`
	// Weights are the weighted strategy's shares per user id (≥ 1).
	Weights map[string]int `json:"weights,omitempty"`
	// WindowDays is the performance strategy's window (default 90).
	WindowDays int `json:"window_days,omitempty"`
	// Rules are the rules strategy's routing rules, first match wins;
	// Fallback decides when none matches (default claim: the customer
	// waits in the pool).
	Rules    []RoutingRule `json:"rules,omitempty"`
	Fallback Strategy      `json:"fallback,omitempty"`
}

// RoutingRule sends the customers it matches to a department, a list of
// reps, or a strategy. Empty match lists match anything; a rule matches
// when every non-empty list holds the customer's value.
type RoutingRule struct {
	Name         string   `json:"name,omitempty"`
	Regions      []string `json:"regions,omitempty"` // a prefix of "省/市/区" matches
	Industries   []string `json:"industries,omitempty"`
	ProductLines []string `json:"product_lines,omitempty"`
	Categories   []string `json:"categories,omitempty"`
	Channels     []string `json:"channels,omitempty"` // channel ids
	Sizes        []string `json:"sizes,omitempty"`
	// Exactly one target: the members of a department (and below), a list
	// of reps, picked among by Strategy (default round_robin).
	DepartmentID string   `json:"department_id,omitempty"`
	UserIDs      []string `json:"user_ids,omitempty"`
	Strategy     Strategy `json:"strategy,omitempty"`
}

// Skip reasons: why an otherwise eligible rep was passed over.
const (
	SkipAway      = "away"       // away_until is in the future
	SkipPaused    = "paused"     // assignment paused
	SkipDailyCap  = "daily_cap"  // at their daily cap of automatic assignments
	SkipHolding   = "holding"    // at a holding limit
	SkipInactive  = "inactive"   // deactivated
	SkipNotMember = "not_member" // not a member of the pool
)

// Decision is why an automatic assignment picked whom it picked, written
// with the assignment and shown on the customer's history. UserID "" means
// nobody was eligible: the customer waits in the unassigned queue with
// Reason.
type Decision struct {
	Strategy   Strategy
	Rule       string   // the routing rule that matched, if any
	Candidates []string // user ids considered, in order of preference
	Skipped    map[string]string
	UserID     string
	Reason     string
	At         time.Time
}

// Away changes a rep's availability for automatic assignment; nil fields
// are left as they are, and ClearUntil clears the away time.
type Away struct {
	Until      *time.Time
	ClearUntil bool
	Paused     *bool
	DailyCap   *int
}

// DistributeResult is the outcome of one customer of a distribution: who
// it went to, or why it did not (Err, an *Error).
type DistributeResult struct {
	CustomerID string
	UserID     string
	Err        error
}

// UnassignedRow is one record waiting in the unassigned queue, as the
// viewer may see it, with why nobody took it.
type UnassignedRow struct {
	Customer Customer
	Reason   string
	Since    time.Time
	Tries    int
}
