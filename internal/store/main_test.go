package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// start is a fixed Monday morning in Shanghai, so day boundaries are known.
var start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // 09:00 CST

// fixture is an organisation to test against: one admin, a clock that
// moves only when told, and helpers that fail the test on any error.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	db    *store.DB
	clock *gonghai.ManualClock
	admin gonghai.User
	n     atomic.Int64
}

// forEachDB runs test once on a fresh SQLite file and once on a fresh
// PostgreSQL database: the store's behaviour must not depend on which.
func forEachDB(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Helper()
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) { test(t, newFixture(t, dsn)) })
}

// forEachDBAlone is forEachDB for a storm: on each database in turn, not
// beside the package's parallel tests (pgtest.EachDatabaseAlone).
func forEachDBAlone(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Helper()
	pgtest.EachDatabaseAlone(t, func(t *testing.T, dsn string) { test(t, newFixture(t, dsn)) })
}

func newFixture(t testing.TB, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := gonghai.NewManualClock(start)
	db := storetest.Open(t, dsn, clock, nil)
	f := &fixture{t: t, ctx: ctx, db: db, clock: clock}
	f.admin = f.user("admin", gonghai.RoleAdmin, "", nil)
	return f
}

func (f *fixture) dept(name, parentID string) gonghai.Department {
	f.t.Helper()
	d, err := f.db.CreateDepartment(f.ctx, f.admin, name, parentID)
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) user(login string, role gonghai.Role, deptID string, limit *int) gonghai.User {
	f.t.Helper()
	u, err := f.db.CreateUser(f.ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: role, DepartmentID: deptID,
		Level: "junior", HoldingLimit: limit})
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) pool(name string, in gonghai.PoolInput) gonghai.Pool {
	f.t.Helper()
	in.Name = &name
	p, err := f.db.CreatePool(f.ctx, f.admin, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// customers puts n new customers into a pool and returns their ids.
func (f *fixture) customers(poolID string, n int) []string {
	f.t.Helper()
	ids := make([]string, n)
	for i := range ids {
		c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: poolID,
			CustomerFields: gonghai.CustomerFields{Company: fmt.Sprintf("测试公司%d", f.n.Add(1)), Phone: fmt.Sprintf("138%08d", f.n.Load())}})
		if err != nil {
			f.t.Fatal(err)
		}
		ids[i] = c.ID
	}
	return ids
}

func (f *fixture) customer(id string) gonghai.Customer {
	f.t.Helper()
	c, err := f.db.Customer(f.ctx, f.admin, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) history(id string) []gonghai.Event {
	f.t.Helper()
	h, err := f.db.History(f.ctx, f.admin, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return h
}

// wantCode fails unless err carries code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := gonghai.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }

// checkChain asserts invariant 3 for one customer: events numbered 1..n
// without gaps, each starting where the previous one ended, and the last
// one ending where the customer is.
func (f *fixture) checkChain(id string) {
	f.t.Helper()
	c, h := f.customer(id), f.history(id)
	owner, pool := "", ""
	for i, e := range h {
		if e.Seq != i+1 || e.FromOwnerID != owner || e.FromPoolID != pool {
			f.t.Fatalf("customer %s event %d breaks the chain: %+v (expected from owner %q pool %q)", id, i+1, e, owner, pool)
		}
		owner, pool = e.ToOwnerID, e.ToPoolID
	}
	if owner != c.OwnerID || pool != c.PoolID {
		f.t.Fatalf("customer %s is at owner %q pool %q but its history ends at %q %q", id, c.OwnerID, c.PoolID, owner, pool)
	}
}
