package gonghai

import "testing"

func TestClaimInOrder(t *testing.T) {
	admin := User{ID: "a", Role: RoleAdmin, Active: true}
	poolAdmin := User{ID: "pa", Role: RoleRep, Active: true}
	for _, tc := range []struct {
		name  string
		order string
		u     User
		ahead bool
		want  string
	}{
		{"any order, ahead", ClaimAny, rep, true, ""},
		{"no order, ahead", "", rep, true, ""},
		{"score, the next one", ClaimByScore, rep, false, ""},
		{"score, out of order", ClaimByScore, rep, true, EClaimOutOfOrder},
		{"age, out of order", ClaimByAge, rep, true, EClaimOutOfOrder},
		{"admin out of order", ClaimByScore, admin, true, ""},
		{"pool admin out of order", ClaimByAge, poolAdmin, true, ""},
	} {
		p := openPool
		p.ClaimOrder, p.AdminUserIDs = tc.order, []string{"pa"}
		if got := ErrorCode(ClaimInOrder(tc.u, p, tc.ahead)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		f := ClaimFacts{CustomerFacts: CustomerFacts{Customer: Customer{ID: "c"}, Pool: p, Membership: member}, Claimer: tc.u, Ahead: tc.ahead}
		if got := ErrorCode(ClaimRules(f)); got != tc.want {
			t.Errorf("%s: ClaimRules %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCheckCategoryA(t *testing.T) {
	s := Settings{LevelALimits: map[string]int{"junior": 2, "none": 0}}
	for _, tc := range []struct {
		name     string
		level    string
		category string
		held     int
		want     string
	}{
		{"under", "junior", "A", 1, ""},
		{"at the limit", "junior", "A", 2, EHoldingLimit},
		{"B is not counted", "junior", "B", 5, ""},
		{"unlisted level", "senior", "A", 50, ""},
		{"zero allows none", "none", "A", 0, EHoldingLimit},
	} {
		u := User{ID: "u", Login: "u1", Level: tc.level, Active: true}
		err := CheckCategoryA(s, u, tc.category, tc.held)
		if got := ErrorCode(err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if err != nil {
			r, ok := ClaimRefusalOf(err)
			if !ok || r.Rule != RuleCategoryA || r.Limit != s.LevelALimits[tc.level] || r.Count != tc.held {
				t.Errorf("%s: refusal %+v", tc.name, r)
			}
		}
	}
}

func TestPoolClaimOrderValid(t *testing.T) {
	for o, ok := range map[string]bool{"": true, "any": true, "score": true, "age": true, "random": false} {
		p := Pool{Name: "p", ContactMask: MaskPartial, ClaimOrder: o}
		if err := p.Validate(); (err == nil) != ok {
			t.Errorf("claim_order %q: %v", o, err)
		}
	}
}
