package gonghai

// Claim orders of a pool (anti cherry-picking): with ClaimByScore or
// ClaimByAge a member claims "the next one", not any one.
const (
	ClaimAny     = "any"
	ClaimByScore = "score" // the best-scored first; unscored last
	ClaimByAge   = "age"   // the one longest in the pool first
)

// ClaimOrders are the claim orders a pool may have.
var ClaimOrders = []string{ClaimAny, ClaimByScore, ClaimByAge}

// ValidClaimOrder reports whether o is a claim order ("" is ClaimAny).
func ValidClaimOrder(o string) bool {
	return o == "" || o == ClaimAny || o == ClaimByScore || o == ClaimByAge
}

// Ordered reports whether p's members may claim only the next customer in
// its claim order.
func (p Pool) Ordered() bool { return p.ClaimOrder == ClaimByScore || p.ClaimOrder == ClaimByAge }

// ClaimInOrder refuses, in an ordered pool, the claim of a customer that a
// customer u may claim comes before (ahead): u is to claim the next one
// (claim-next). Admins and p's admins, who may assign any customer of it
// anyway, are not held to the order.
func ClaimInOrder(u User, p Pool, ahead bool) error {
	if !p.Ordered() || !ahead || u.Role == RoleAdmin || p.IsAdmin(u.ID) {
		return nil
	}
	by := "score"
	if p.ClaimOrder == ClaimByAge {
		by = "time in the pool"
	}
	return Errorf(EClaimOutOfOrder, "pool %s is claimed in order of %s: claim the next customer instead", p.Name, by)
}

// RuleCategoryA names the A-category limit in a ClaimRefusal.
const RuleCategoryA = "a_category"

// CheckCategoryA refuses u one more customer of category when it is A and
// u already holds heldA of them, as many as their level's A-category limit
// (Settings.LevelALimits) allows.
func CheckCategoryA(s Settings, u User, category string, heldA int) error {
	limit, ok := s.LevelALimits[u.Level]
	if category != "A" || !ok || heldA+1 <= limit {
		return nil
	}
	return ClaimRefusal{Count: heldA, Limit: limit, Rule: RuleCategoryA}.Error(EHoldingLimit,
		"A-category limit reached: a rep of level %s holds at most %d A-category customers, and %s holds %d", u.Level, limit, u.Login, heldA)
}
