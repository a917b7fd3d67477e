package gonghai

import (
	"sort"
	"time"
)

// Candidate is one rep a strategy may pick, with the facts every strategy
// and every skip reason reads. The store gathers them; Pick decides.
type Candidate struct {
	User   User // ID, Name, Active, DeptPath, AwayUntil, AssignPaused, DailyAssignCap
	Member bool // a member of the pool the customer is in
	// Daily is how many automatic assignments the rep had today.
	Daily int
	// Free is the room left under the rep's holding limits; negative means
	// no limit.
	Free int
	// LastTurn orders the rotation: the scope's sequence number of the
	// rep's last assignment (automatic or manual), 0 for never. Round
	// robin gives to the smallest: the rep who has waited longest.
	LastTurn int64
	// Assigned counts the rep's assignments in the scope, for weighted.
	Assigned int
	// Won is the amount (fen) the rep won over the performance window.
	Won int64
}

// PickInput is what Pick decides over: the customer (for routing rules),
// the candidates, the time, and the tie-breaker.
type PickInput struct {
	Customer  Customer
	ChannelID string
	// Departments maps a department id to its path, for rule targets.
	Departments map[string]string
	Candidates  []Candidate
	Now         time.Time
	// Rand returns a number in [0, n) to break ties among equals; nil
	// takes the first (by user id), which tests rely on.
	Rand func(n int) int
}

// Queue reasons: why nobody was picked.
const (
	QueueNoCandidates = "no_candidates" // the strategy names nobody
	QueueNoneEligible = "none_eligible" // everyone was skipped, for various reasons
)

// Pick decides who gets the customer by a's strategy. A Decision with no
// UserID and Strategy claim means the customer stays in the pool to be
// claimed; with another strategy it waits in the queue with Reason.
func Pick(a Assignment, in PickInput) Decision {
	d := Decision{Strategy: a.Strategy, At: in.Now, Skipped: map[string]string{}}
	if a.Strategy == "" {
		d.Strategy = StrategyClaim
	}
	pool := in.Candidates
	if len(a.UserIDs) > 0 {
		pool = only(pool, func(c Candidate) bool { return contains(a.UserIDs, c.User.ID) })
	}
	if d.Strategy == StrategyRules {
		d.Strategy = a.Fallback
		if d.Strategy == "" || d.Strategy == StrategyRules {
			d.Strategy = StrategyClaim
		}
		for i, r := range a.Rules {
			if !r.Matches(in.Customer, in.ChannelID) {
				continue
			}
			d.Rule = r.Label(i)
			d.Strategy = r.Strategy
			if d.Strategy == "" || d.Strategy == StrategyRules {
				d.Strategy = StrategyRoundRobin
			}
			// A rule's targets need not be members: they are skipped as
			// not_member rather than silently left out.
			pool = only(in.Candidates, func(c Candidate) bool { return r.Targets(c.User, in.Departments) })
			break
		}
	}
	if d.Strategy == StrategyClaim {
		d.Reason = string(StrategyClaim)
		return d
	}
	var ok []Candidate
	for _, c := range pool {
		if why := c.Skip(in.Now); why != "" {
			d.Skipped[c.User.ID] = why
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) == 0 {
		d.Reason = queueReason(len(pool), d.Skipped)
		return d
	}
	order(d.Strategy, a.Weights, ok, in.Rand)
	for _, c := range ok {
		d.Candidates = append(d.Candidates, c.User.ID)
	}
	d.UserID = ok[0].User.ID
	return d
}

// Skip is why c may not get an automatic assignment now, "" if it may.
// Reasons are checked in a fixed order, the first found is given.
func (c Candidate) Skip(now time.Time) string {
	switch {
	case !c.User.Active:
		return SkipInactive
	case !c.Member:
		return SkipNotMember
	case c.User.AwayUntil != nil && c.User.AwayUntil.After(now):
		return SkipAway
	case c.User.AssignPaused:
		return SkipPaused
	case c.User.DailyAssignCap > 0 && c.Daily >= c.User.DailyAssignCap:
		return SkipDailyCap
	case c.Free == 0:
		return SkipHolding
	}
	return ""
}

// queueReason names why nobody of n candidates was eligible: the one skip
// reason they share, or none_eligible when they differ.
func queueReason(n int, skipped map[string]string) string {
	if n == 0 {
		return QueueNoCandidates
	}
	why := ""
	for _, r := range skipped {
		if why != "" && r != why {
			return QueueNoneEligible
		}
		why = r
	}
	return why
}

// order sorts eligible candidates best first by strategy s. Every strategy
// falls back to the rotation (longest waiting first) and then to chance,
// so equals take turns.
func order(s Strategy, weights map[string]int, cs []Candidate, rnd func(int) int) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].User.ID < cs[j].User.ID })
	if rnd != nil {
		// Shuffle first: the stable sort below keeps this order among
		// equals, which is the random tie-break.
		for i := len(cs) - 1; i > 0; i-- {
			j := rnd(i + 1)
			cs[i], cs[j] = cs[j], cs[i]
		}
	}
	weight := func(c Candidate) int64 {
		if w := weights[c.User.ID]; w > 0 {
			return int64(w)
		}
		return 1
	}
	if s == StrategyWeighted {
		joinAtPar(cs, weight)
	}
	rotation := func(a, b Candidate) bool { return a.LastTurn < b.LastTurn }
	var better func(a, b Candidate) (bool, bool) // less, decided
	switch s {
	case StrategyWeighted:
		// Smallest share taken so far, (assigned+1)/weight, compared
		// without division: smooth and deterministic.
		better = func(a, b Candidate) (bool, bool) {
			x, y := int64(a.Assigned+1)*weight(b), int64(b.Assigned+1)*weight(a)
			return x < y, x != y
		}
	case StrategyLoadBalance:
		free := func(c Candidate) int64 {
			if c.Free < 0 {
				return 1 << 62
			}
			return int64(c.Free)
		}
		better = func(a, b Candidate) (bool, bool) { return free(a) > free(b), free(a) != free(b) }
	case StrategyPerformance:
		better = func(a, b Candidate) (bool, bool) { return a.Won > b.Won, a.Won != b.Won }
	default:
		better = func(Candidate, Candidate) (bool, bool) { return false, false }
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if less, decided := better(cs[i], cs[j]); decided {
			return less
		}
		return rotation(cs[i], cs[j])
	})
}

// joinAtPar starts a rep new to a weighted scope (never assigned in it) at
// the share the others have reached, so a joiner takes turns with them
// rather than receiving every customer until they catch up.
func joinAtPar(cs []Candidate, weight func(Candidate) int64) {
	var num, den int64 = -1, 1 // the smallest share assigned/weight, as a fraction
	for _, c := range cs {
		if c.LastTurn == 0 {
			continue
		}
		if num < 0 || int64(c.Assigned)*den < num*weight(c) {
			num, den = int64(c.Assigned), weight(c)
		}
	}
	if num < 0 {
		return
	}
	for i, c := range cs {
		if c.LastTurn == 0 {
			cs[i].Assigned = int(num * weight(c) / den)
		}
	}
}

func only(cs []Candidate, keep func(Candidate) bool) []Candidate {
	var out []Candidate
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Room is how many more customers of pool p rep u may take under the
// holding limits (the overall one and the pool's, whichever is stricter),
// holding h now; negative means no limit applies.
func Room(s Settings, p Pool, u User, h Holding) int {
	room := -1
	if limit, ok := s.OverallLimit(u); ok {
		room = max(limit-h.Overall, 0)
	}
	if p.HoldingLimit > 0 {
		if r := max(p.HoldingLimit-h.InPool, 0); room < 0 || r < room {
			room = r
		}
	}
	return room
}

// Preview decides the next n customers in turn without writing: each
// decision takes the rep's turn, a daily assignment and a place under the
// holding limits before the next is decided. customers are those waiting,
// in order; past them a customer with no facts (which routing rules leave
// to their fallback) stands for the next to come. Ties go by user id.
func Preview(a Assignment, in PickInput, customers []Customer, n int) []Decision {
	cs := append([]Candidate(nil), in.Candidates...)
	var top int64
	for _, c := range cs {
		top = max(top, c.LastTurn)
	}
	out := make([]Decision, 0, n)
	for i := range n {
		step := in
		step.Candidates, step.Rand = cs, nil
		step.Customer = Customer{}
		if i < len(customers) {
			step.Customer = customers[i]
		}
		d := Pick(a, step)
		out = append(out, d)
		for j := range cs {
			if cs[j].User.ID != d.UserID {
				continue
			}
			top++
			cs[j].LastTurn, cs[j].Assigned, cs[j].Daily = top, cs[j].Assigned+1, cs[j].Daily+1
			if cs[j].Free > 0 {
				cs[j].Free--
			}
		}
	}
	return out
}
