package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/demo"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/store"
)

// demoCustomers is how many customers the demo organisation gets.
const demoCustomers = 10_000

// demoRules are the recycle rules of every demo pool: a customer must be
// contacted within 7 days of being taken and followed up at least every 30
// (45 for category A); won customers must reorder within 180 days. Owners
// are reminded 3 days ahead and on the last day.
var demoRules = gonghai.RecycleRules{WarnDays: 3, ExemptOpenOpportunity: true, Rules: []gonghai.RecycleRule{
	{Kind: gonghai.RuleNotContacted, Enabled: true, Days: 7},
	{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30, CategoryDays: map[string]int{"A": 45}, ExemptWon: true},
	{Kind: gonghai.RuleNoRepurchase, Enabled: true, Days: 180},
}}

// seedDemo loads the demo organisation into an empty database once, then,
// on every start, prints fresh tokens to try the API with.
func (e *environment) seedDemo(ctx context.Context, db *store.DB, base string) error {
	admin, err := db.UserByLogin(ctx, demo.AdminLogin)
	if gonghai.ErrorCode(err) == gonghai.ENotFound {
		if admin, err = loadDemo(ctx, db); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "demo: loaded %d customers, 4 pools, 3 sales departments and 40 reps, and their last %d days of work on %d more\n",
			demoCustomers, demoHistoryDays, demoHistoryCustomers)
	} else if err != nil {
		return err
	}
	if first, err := db.MarkDemoSeeded(ctx); err != nil {
		return err
	} else if first && admin.Role != gonghai.RoleAdmin {
		return errors.New("this database has a user named admin who is not an admin: use --demo on an empty database")
	}
	fmt.Fprintf(e.stdout, "\nOpen %[1]s/ in a browser and sign in as rep01 (a rep), mgr.east (a manager) or admin,\n"+
		"or any other demo user (rep01 … rep40), with the password %[2]s (this demo only).\n", base, demoPassword)
	fmt.Fprintf(e.stdout, "\nSign in to the API with one of these bearer tokens (new ones on every start):\n")
	for _, login := range demoLogins {
		tok, err := db.CreateToken(ctx, login)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  %-9s %s\n", login, tok)
	}
	fmt.Fprintf(e.stdout, `
Try, as rep01 (a rep of 华北一组):
  curl -H "Authorization: Bearer <rep01 token>" %[1]s/api/v1/pools
  curl -H "Authorization: Bearer <rep01 token>" "%[1]s/api/v1/pools/<pool id>/customers?limit=5"
  curl -X POST -H "Authorization: Bearer <rep01 token>" %[1]s/api/v1/customers/<customer id>/claim
As admin, who the recycle rules would take back over the next 14 days:
  curl -H "Authorization: Bearer <admin token>" "%[1]s/api/v1/pools/<pool id>/recycle-preview?days=14"
Or sign in with a password (%[2]s, for this demo only) and use the session cookie:
  curl -c jar -H 'Content-Type: application/json' -d '{"login":"rep01","password":"%[2]s"}' %[1]s/api/v1/auth/login
  curl -b jar %[1]s/api/v1/me/customers
The OpenAPI document: %[1]s/api/openapi.json

`, base, demoPassword)
	return nil
}

// loadDemo writes the generated organisation: its people and pools as
// they were demoHistoryDays days ago, then those weeks of work on a few
// hundred customers (demoHistory), then the rest of its customers, as
// imported today.
func loadDemo(ctx context.Context, db *store.DB) (gonghai.User, error) {
	org := demo.Generate(1, demoCustomers+demoHistoryCustomers)
	clock := gonghai.NewManualClock(demoHistoryStart(time.Now()))
	then := db.Clocked(clock)
	// Every demo user signs in with the demo password, to try the pages as
	// any rep; a demo password is no secret, and says so. One hash serves
	// them all: hashing is slow on purpose.
	hash, err := password.Hash(ctx, demoPassword)
	if err != nil {
		return gonghai.User{}, err
	}
	admin, err := then.CreateUser(ctx, nil, gonghai.NewUser{Login: demo.AdminLogin, Name: "系统管理员", Role: gonghai.RoleAdmin, PasswordHash: hash})
	if err != nil {
		return admin, err
	}
	depts := map[string]string{}
	for _, d := range org.Departments {
		made, err := then.CreateDepartment(ctx, admin, d.Name, depts[d.ParentKey])
		if err != nil {
			return admin, err
		}
		depts[d.Key] = made.ID
	}
	users := map[string]gonghai.User{admin.Login: admin}
	for _, u := range org.Users {
		if u.Login == demo.AdminLogin {
			continue
		}
		made, err := then.CreateUser(ctx, nil, gonghai.NewUser{Login: u.Login, Name: u.Name, Role: gonghai.Role(u.Role),
			DepartmentID: depts[u.DepartmentKey], Level: u.Level, PasswordHash: hash})
		if err != nil {
			return admin, err
		}
		users[u.Login] = made
	}
	// Only what the demo sets differently: every other setting keeps the
	// documented default.
	_, err = then.UpdateSettings(ctx, admin, gonghai.SettingsPatch{
		LevelHoldingLimits:    &map[string]int{demo.LevelJunior: 200, demo.LevelSenior: 400},
		ExcludeWonFromHolding: ptr(true)})
	if err != nil {
		return admin, err
	}
	ids := map[string]string{}
	for login, u := range users {
		ids[login] = u.ID
	}
	pools := map[string]string{}
	for _, p := range org.Pools {
		members, admins := pick(depts, p.MemberDepartmentKeys), pick(ids, p.AdminLogins)
		made, err := then.CreatePool(ctx, admin, gonghai.PoolInput{Name: &p.Name, Hidden: &p.Hidden,
			MemberDepartmentIDs: &members, AdminUserIDs: &admins, DailyClaimLimit: &p.DailyClaimLimit,
			ReclaimCooldownDays: &p.ReclaimCooldownDays, ReleaseWaitHours: &p.ReleaseWaitHours, HoldingLimit: &p.HoldingLimit,
			Recycle: &demoRules})
		if err != nil {
			return admin, err
		}
		pools[p.Key] = made.ID
	}
	// The customers of the past weeks, all in their pools then.
	past := org.Customers[demoCustomers:]
	pastIDs, err := then.BulkInsertCustomers(ctx, admin, demoRows(past, pools, nil))
	if err != nil {
		return admin, err
	}
	play := newDemoPlay(ctx, then, clock, org, past, pastIDs, users, depts, pools)
	if err := play.run(demoHistoryDays); err != nil {
		return admin, err
	}
	// The store's bulk path: the generated contacts are distinct, and the
	// unique blind indexes would refuse the whole load were they not.
	if _, err = db.BulkInsertCustomers(ctx, admin, demoRows(org.Customers[:demoCustomers], pools, ids)); err != nil {
		return admin, err
	}
	return admin, nil
}

// demoRows are the generated customers cs as the bulk path takes them, in
// their pools, owned by their reps when owners maps logins to ids.
func demoRows(cs []demo.Customer, pools, owners map[string]string) []store.BulkCustomer {
	rows := make([]store.BulkCustomer, len(cs))
	for i, c := range cs {
		rows[i].NewCustomer = gonghai.NewCustomer{PoolID: pools[c.PoolKey], OwnerID: owners[c.OwnerLogin],
			CustomerFields: gonghai.CustomerFields{Name: c.Name, Company: c.Company, Category: c.Category,
				Industry: c.Industry, Region: c.Region, ProductLine: c.ProductLine, Source: c.Source, Stage: c.Stage,
				Phone: c.Phone, Email: c.Email, WeChat: c.WeChat}}
	}
	return rows
}

// demoLogins are the demo users whose tokens are printed.
var demoLogins = []string{demo.AdminLogin, "mgr.east", "rep01"}

// demoPassword is the demo users' password: for a demo on one's own machine only.
const demoPassword = "gonghai-demo"

func pick(ids map[string]string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = ids[k]
	}
	return out
}

func ptr[T any](v T) *T { return &v }
