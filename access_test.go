package gonghai

import (
	"testing"
	"time"
)

// The cast of the decision tables: an admin, a manager of the sales
// department, a rep in it, a rep of another department, and a pool whose
// admin is neither.
var (
	admin     = User{ID: "admin", Login: "admin", Role: RoleAdmin, Active: true}
	manager   = User{ID: "mgr", Login: "mgr", Role: RoleManager, DeptPath: "/sales/", Active: true}
	rep       = User{ID: "rep", Login: "rep", Role: RoleRep, DeptPath: "/sales/east/", Active: true}
	outsider  = User{ID: "out", Login: "out", Role: RoleRep, DeptPath: "/ops/", Active: true}
	poolAdmin = User{ID: "padmin", Login: "padmin", Role: RoleRep, DeptPath: "/ops/", Active: true}
	openPool  = Pool{ID: "p1", Name: "华东公海", AdminUserIDs: []string{"padmin"}}
	member    = Membership{Member: true}
)

func TestSeesPool(t *testing.T) {
	hidden := openPool
	hidden.Hidden = true
	for _, tc := range []struct {
		name string
		u    User
		p    Pool
		m    Membership
		want bool
	}{
		{"admin sees every pool", admin, hidden, Membership{}, true},
		{"pool admin sees their hidden pool", poolAdmin, hidden, Membership{}, true},
		{"member sees an open pool", rep, openPool, member, true},
		{"member does not see a hidden pool", rep, hidden, member, false},
		{"non-member does not", outsider, openPool, Membership{}, false},
		{"manager sees a pool serving the team", manager, openPool, Membership{Team: true}, true},
		{"a rep's team flag is no reason", rep, openPool, Membership{Team: true}, false},
	} {
		if got := SeesPool(tc.u, tc.p, tc.m); got != tc.want {
			t.Errorf("%s: SeesPool = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCustomerDecisions(t *testing.T) {
	pooled := CustomerFacts{Customer: Customer{ID: "c1", PoolID: "p1"}, Pool: openPool}
	owned := CustomerFacts{Customer: Customer{ID: "c2", PoolID: "p1", OwnerID: "rep"}, OwnerDeptPath: "/sales/east/", Pool: openPool}
	withMember := func(f CustomerFacts) CustomerFacts { f.Membership = member; return f }
	type decision func(User, CustomerFacts) error
	for _, tc := range []struct {
		name   string
		decide decision
		u      User
		f      CustomerFacts
		want   string
	}{
		{"owner sees", CanSee, rep, owned, ""},
		{"manager of the owner sees", CanSee, manager, owned, ""},
		{"outsider is told it does not exist", CanSee, outsider, owned, ENotFound},
		{"pool admin sees an owned customer", CanSee, poolAdmin, owned, ""},
		{"member sees a pooled customer", CanSee, rep, withMember(pooled), ""},
		{"non-member does not", CanSee, rep, pooled, ENotFound},

		{"owner works", CanWork, rep, owned, ""},
		{"pool admin does not work an owned customer", CanWork, poolAdmin, owned, EForbidden},
		{"pool admin works a pooled customer", CanWork, poolAdmin, pooled, ""},
		{"member must claim first", CanWork, rep, withMember(pooled), EForbidden},

		{"owner releases", CanRelease, rep, owned, ""},
		{"manager releases", CanRelease, manager, owned, ""},
		{"pooled is not released", CanRelease, admin, pooled, ENotOwner},
		{"pool admin may not release a rep's customer", CanRelease, poolAdmin, owned, ENotOwner},

		{"manager reveals", CanReveal, manager, owned, ""},
		{"pool admin reveals a pooled customer", CanReveal, poolAdmin, pooled, ""},
		{"member must claim to see contacts", CanReveal, rep, withMember(pooled), EForbidden},

		{"pool admin locks", CanLock, poolAdmin, owned, ""},
		{"owner does not protect their own", CanLock, rep, owned, EForbidden},
	} {
		if got := ErrorCode(tc.decide(tc.u, tc.f)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestGiving(t *testing.T) {
	pooled := CustomerFacts{Customer: Customer{ID: "c1", PoolID: "p1"}, Pool: openPool}
	owned := CustomerFacts{Customer: Customer{ID: "c2", PoolID: "p1", OwnerID: "rep"}, OwnerDeptPath: "/sales/east/", Pool: openPool}
	for _, tc := range []struct {
		name string
		u    User
		kind EventKind
		f    CustomerFacts
		to   string
		want string
	}{
		{"assign an owned customer", admin, EventAssigned, owned, "x", EAlreadyClaimed},
		{"transfer a pooled one", admin, EventTransferred, pooled, "x", ENotOwner},
		{"to its owner", admin, EventTransferred, owned, "rep", EInvalid},
		{"pool admin transfers a rep's customer", poolAdmin, EventTransferred, owned, "x", EForbidden},
		{"manager transfers", manager, EventTransferred, owned, "x", ""},
	} {
		if got := ErrorCode(CanGive(tc.u, tc.kind, tc.f, tc.to)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	inTeam := Receiver{User: User{ID: "r2", DeptPath: "/sales/west/"}, ActorMembership: Membership{Team: true}}
	for _, tc := range []struct {
		name     string
		u        User
		r        Receiver
		transfer bool
		want     bool
	}{
		{"admin assigns to anyone", admin, Receiver{User: outsider}, true, true},
		{"manager to the team from a pool he sees", manager, inTeam, false, true},
		{"manager not from a pool he does not see", manager, Receiver{User: inTeam.User}, false, false},
		{"pool admin to a member", poolAdmin, Receiver{User: rep, Membership: member}, false, true},
		{"pool admin not to a non-member", poolAdmin, Receiver{User: outsider}, false, false},
		{"pool admin does not transfer", poolAdmin, Receiver{User: rep, Membership: member}, true, false},
	} {
		if got := MayAssign(tc.u, openPool, tc.r, tc.transfer); got != tc.want {
			t.Errorf("%s: MayAssign = %v, want %v", tc.name, got, tc.want)
		}
	}
	if ErrorCode(CanForce(manager, true)) != EForbidden || CanForce(admin, true) != nil {
		t.Error("only an admin forces past a holding limit")
	}
}

func TestCanClaim(t *testing.T) {
	now := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	p := openPool
	p.DailyClaimLimit, p.ReclaimCooldownDays, p.HoldingLimit = 20, 7, 3
	base := ClaimFacts{CustomerFacts: CustomerFacts{Customer: Customer{ID: "c1", PoolID: "p1"}, Pool: p, Membership: member},
		Claimer: rep, Now: now, Settings: Settings{TimeZone: "Asia/Shanghai"}}
	left := now.Add(-48 * time.Hour)
	for _, tc := range []struct {
		name   string
		actor  User
		change func(*ClaimFacts)
		want   string
	}{
		{"a member claims a free customer", rep, func(*ClaimFacts) {}, ""},
		{"another rep's customer: lost the race", rep, func(f *ClaimFacts) { f.Customer.OwnerID = "r2" }, EAlreadyClaimed},
		{"a non-member is told it does not exist", outsider, func(f *ClaimFacts) { f.Membership = Membership{} }, ENotFound},
		{"wrong pool", rep, func(f *ClaimFacts) { f.PoolID = "p9" }, ENotFound},
		{"a manager who is no member", manager, func(f *ClaimFacts) { f.Membership = Membership{Team: true} }, ENotPoolMember},
		{"hidden pool", poolAdmin, func(f *ClaimFacts) { f.Pool.Hidden = true }, EPoolAssignOnly},
		{"inactive claimer", rep, func(f *ClaimFacts) { f.Claimer.Active = false }, EUserInactive},
		{"holding limit", rep, func(f *ClaimFacts) { f.Holding.InPool = 3 }, EHoldingLimit},
		{"daily limit", rep, func(f *ClaimFacts) { f.ClaimedToday = 20 }, EDailyClaimLimit},
		{"cooldown", rep, func(f *ClaimFacts) { f.LastLeft = &left }, EReclaimCooldown},
		{"release wait", rep, func(f *ClaimFacts) { f.Customer.ClaimableAt = &later }, EReleaseWait},
		{"an admin needs no membership", admin, func(f *ClaimFacts) { f.Membership = Membership{} }, ""},
	} {
		f := base
		tc.change(&f)
		if got := ErrorCode(CanClaim(tc.actor, f)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
