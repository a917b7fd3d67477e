package browser_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/browsertest"
	"github.com/gonghai/gonghai/internal/demo"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/web"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// demoPassword is the demo's password (cmd/gonghai/demo.go): the flows
// sign in as the demo's users do.
const demoPassword = "gonghai-demo"

// start is when every site's clock starts: a Tuesday morning in Beijing.
var start = time.Date(2026, 12, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

// site is a small organisation behind the real server, on SQLite: the
// browser tests are about pages, and the store's behaviour on PostgreSQL
// is the store's and the API's tests' to prove. Its users are named as
// the demo's (admin, mgr.east, rep01, rep02) and sign in with its
// password; its customers are the demo's generated companies.
type site struct {
	t     *testing.T
	db    *store.DB
	clock *gonghai.ManualClock
	URL   string
	path  string // the SQLite file
	user  map[string]gonghai.User
	pool  gonghai.Pool
	// customers by role in the flows: free in the pool; cooling, released
	// by rep01 days ago and not theirs to claim back yet; owned by rep01
	// and by rep02.
	free, cooling, ownedBy01, ownedBy02 []gonghai.Customer
}

// newSite builds the organisation: 销售部 ⊃ 华东一组 with its manager
// mgr.east and reps rep01 and rep02, and the pool 华东公海 with the demo's
// recycle rules and a cooldown of 15 days.
func newSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	s := &site{t: t, clock: gonghai.NewManualClock(start.Add(-10 * 24 * time.Hour)), user: map[string]gonghai.User{}}
	s.path = filepath.Join(t.TempDir(), "gonghai.db")
	s.db = storetest.Open(t, "sqlite:"+s.path, s.clock, nil)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	hash, err := password.Hash(ctx, demoPassword)
	must(err)
	person := func(login, name string, role gonghai.Role, dept string) gonghai.User {
		u, err := s.db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: name, Role: role, DepartmentID: dept,
			PasswordHash: hash})
		must(err)
		s.user[login] = u
		return u
	}
	admin := person(demo.AdminLogin, "系统管理员", gonghai.RoleAdmin, "")
	sales, err := s.db.CreateDepartment(ctx, admin, "销售部", "")
	must(err)
	east, err := s.db.CreateDepartment(ctx, admin, "华东一组", sales.ID)
	must(err)
	person("mgr.east", "王经理", gonghai.RoleManager, east.ID)
	rep01, rep02 := person("rep01", "李娜", gonghai.RoleRep, east.ID), person("rep02", "张伟", gonghai.RoleRep, east.ID)

	name := "华东公海"
	rules := gonghai.RecycleRules{WarnDays: 3, ExemptOpenOpportunity: true, Rules: []gonghai.RecycleRule{
		{Kind: gonghai.RuleNotContacted, Enabled: true, Days: 7},
		{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30, CategoryDays: map[string]int{"A": 45}, ExemptWon: true},
	}}
	s.pool, err = s.db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name, MemberDepartmentIDs: &[]string{east.ID},
		DailyClaimLimit: ptr(20), ReclaimCooldownDays: ptr(15), ReleaseWaitHours: ptr(0), HoldingLimit: ptr(150),
		Recycle: &rules})
	must(err)

	add := func(c demo.Customer, owner string) gonghai.Customer {
		// The demo's companies are apart, but some alike: the admin goes on.
		made, err := s.db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: s.pool.ID, OwnerID: owner, AllowSimilar: true,
			CustomerFields: gonghai.CustomerFields{Name: c.Name, Company: c.Company, Category: c.Category,
				Industry: c.Industry, Region: c.Region, ProductLine: c.ProductLine, Source: c.Source,
				Phone: c.Phone, Email: c.Email, WeChat: c.WeChat}})
		must(err)
		return made
	}
	gen := demo.Generate(1, 16).Customers
	for _, c := range gen[:10] {
		s.free = append(s.free, add(c, ""))
	}
	// rep01 claimed one ten days ago and gave it back five days later: it
	// cools for them until the fifteenth day after the release.
	cooling := add(gen[10], "")
	_, err = s.db.Claim(ctx, rep01, cooling.ID, s.pool.ID)
	must(err)
	s.clock.Advance(5 * 24 * time.Hour)
	cooling, err = s.db.Release(ctx, rep01, cooling.ID, "客户暂无预算", "")
	must(err)
	s.cooling = []gonghai.Customer{cooling}
	s.clock.Set(start)
	// Owned since today: the rule "not contacted within 7 days" counts down.
	for _, c := range gen[11:14] {
		s.ownedBy01 = append(s.ownedBy01, add(c, rep01.ID))
	}
	for _, c := range gen[14:16] {
		s.ownedBy02 = append(s.ownedBy02, add(c, rep02.ID))
	}

	srv := httptest.NewServer(web.NewServer(s.db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.WithClock(s.clock)))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func ptr[T any](v T) *T { return &v }
