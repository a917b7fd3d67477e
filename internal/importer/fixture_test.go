package importer_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// monday is a fixed Monday morning in Shanghai, 2026-03-02 09:00 CST.
var monday = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// fixture is an organisation with an admin, a pool whose rules recycle an
// owned customer after 7 days without a follow-up, a rep in it who may
// hold 2 customers, and an engine.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	clock *gonghai.ManualClock
	admin gonghai.User
	rep   gonghai.User
	pool  gonghai.Pool
	eng   *importer.Engine
}

func forEachDB(t *testing.T, test func(t *testing.T, f *fixture)) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) { test(t, newFixture(t, dsn)) })
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := gonghai.NewManualClock(monday)
	db := storetest.Open(t, dsn, clock, nil)
	f := &fixture{t: t, ctx: ctx, db: db, clock: clock}
	var err error
	if f.admin, err = db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "管理员", Role: gonghai.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	limit := 2
	if f.rep, err = db.CreateUser(ctx, nil, gonghai.NewUser{Login: "rep.li", Name: "李娜", Role: gonghai.RoleRep, HoldingLimit: &limit}); err != nil {
		t.Fatal(err)
	}
	name := "华东公海"
	f.pool, err = db.CreatePool(ctx, f.admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &[]string{f.rep.ID},
		Recycle: &gonghai.RecycleRules{WarnDays: 3, Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 7}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.eng = f.engine("node-a")
	return f
}

// engine is a runner named node, batches of 2 rows.
func (f *fixture) engine(node string) *importer.Engine {
	return &importer.Engine{Store: f.db, Node: node, Batch: 2, Lease: time.Minute,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// csv is a UTF-8 CSV of a header and rows.
func csv(lines ...string) []byte { return []byte(strings.Join(lines, "\r\n") + "\r\n") }

const header = "公司名称,联系人,手机,邮箱,微信"

// submit submits data as actor with options o, failing the test on error.
func (f *fixture) submit(actor gonghai.User, data []byte, o gonghai.ImportOptions) gonghai.Import {
	f.t.Helper()
	if o.PoolID == "" {
		o.PoolID = f.pool.ID
	}
	j, err := f.eng.Submit(f.ctx, actor, "客户.csv", data, o)
	if err != nil {
		f.t.Fatal(err)
	}
	return j
}

// run submits data for real and runs it to its end.
func (f *fixture) run(data []byte, o gonghai.ImportOptions) gonghai.Import {
	f.t.Helper()
	j := f.submit(f.admin, data, o)
	j, err := f.eng.Run(f.ctx, j.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if j.Status != gonghai.ImportDone {
		f.t.Fatalf("status %s (%s), want done", j.Status, j.Failure)
	}
	return j
}

// verdicts returns every dry-run verdict (or run error) of job id, by row.
func (f *fixture) verdicts(id string, run bool) map[int]gonghai.ImportRow {
	f.t.Helper()
	out := map[int]gonghai.ImportRow{}
	pg := gonghai.Page{Limit: 2}
	for {
		rows, next, err := f.db.ImportRows(f.ctx, f.admin, id, "", run, pg)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, r := range rows {
			out[r.Row] = r
		}
		if next == "" {
			return out
		}
		pg.After = next
	}
}

// customers counts every customer, and those whose company is company.
func (f *fixture) customers(company string) (all, named int) {
	f.t.Helper()
	pg := gonghai.Page{Limit: gonghai.MaxPageSize}
	for {
		page, err := f.db.Customers(f.ctx, f.admin, gonghai.ScopeFilter{}, pg)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, c := range page.Customers {
			all++
			if c.Company == company {
				named++
			}
		}
		if page.Next == "" {
			return all, named
		}
		pg.After = page.Next
	}
}

func (f *fixture) create(company, phone string) gonghai.Customer {
	f.t.Helper()
	c, err := f.db.CreateCustomer(f.ctx, f.admin, gonghai.NewCustomer{PoolID: f.pool.ID,
		CustomerFields: gonghai.CustomerFields{Company: company, Phone: phone}})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func counts(c gonghai.ImportCounts) string {
	return fmt.Sprintf("created=%d updated=%d skipped=%d conflicts=%d errors=%d", c.Created, c.Updated, c.Skipped, c.Conflicts, c.Errors)
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation(gonghai.DefaultTimeZone)
	if err != nil {
		panic(err)
	}
	return loc
}
