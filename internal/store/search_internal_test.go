package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/vault"
	"github.com/google/go-cmp/cmp"
)

// searchWorld is a pool of customers whose companies, names and contacts
// share pieces in many ways, some of them claimed by a rep, to list and
// search.
type searchWorld struct {
	db          *DB
	clock       *gonghai.ManualClock
	admin, rep  gonghai.User
	pool, other string
}

func newSearchWorld(t *testing.T, dsn string) *searchWorld {
	t.Helper()
	ctx := context.Background()
	w := &searchWorld{clock: gonghai.NewManualClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))}
	w.db = openMigrated(t, dsn, w.clock)
	var err error
	if w.admin, err = w.db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "admin", Role: gonghai.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	if w.rep, err = w.db.CreateUser(ctx, nil, gonghai.NewUser{Login: "rep", Name: "rep", Role: gonghai.RoleRep}); err != nil {
		t.Fatal(err)
	}
	pool := func(name string, rules *gonghai.RecycleRules) string {
		p, err := w.db.CreatePool(ctx, w.admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &[]string{w.rep.ID}, Recycle: rules})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	w.pool = pool("公海", &gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 10}}})
	w.other = pool("别的公海", nil)
	companies := []string{"北京星辰科技有限公司", "深圳星辰网络科技", "星辰", "上海辰星贸易有限公司", "杭州恒信科技有限公司", "恒信",
		"北京鼎盛建筑工程有限公司", "广州天河贸易商行", "Acme Trading Co., Ltd.", "ACME Foods", "acme", "Nova Software", "增长100%科技",
		"a_b数据", "axb数据", "3M中国", "科技", "星", "公司", "有限公司北京分公司", ""}
	names := []string{"张伟", "王小明", "", "Li Lei", "张伟", ""}
	regions := []string{"广东省/深圳市/南山区", "广东省/广州市/天河区", "广东省", "广东省外", "北京市/北京市/朝阳区", "Guangdong/Shenzhen",
		"guangdong/shenzhen/Nanshan", "GUANGDONG", "广东省/深圳市", "广东省/深圳市/南山区/粤海街道", ""}
	for i := range 90 {
		// One company is one customer: each round of the names is numbered.
		company := companies[i%len(companies)]
		if round := i / len(companies); round > 0 && company != "" {
			company += strconv.Itoa(round)
		}
		in := gonghai.NewCustomer{PoolID: w.pool, AllowSimilar: true, CustomerFields: gonghai.CustomerFields{
			Company:     company,
			Name:        names[i%len(names)],
			Category:    []string{"A", "B", "C", ""}[i%4],
			Industry:    []string{"制造业", "零售", "软件"}[i%3],
			Region:      regions[i%len(regions)],
			ProductLine: []string{"ERP", "CRM"}[i%2],
			Source:      []string{"官网", "展会", "转介绍", "官网", "官网"}[i%5],
			Phone:       fmt.Sprintf("139%08d", i),
		}}
		if in.Company == "" && in.Name == "" {
			in.Name = "赵六"
		}
		if i%3 == 0 {
			in.Email = fmt.Sprintf("u%d@example.cn", i)
		}
		if i%4 == 1 {
			in.WeChat = fmt.Sprintf("wx_user%02d", i)
		}
		if i%9 == 8 {
			in.PoolID = w.other
		}
		if i%10 == 7 {
			in.PoolID, in.OwnerID = w.other, w.rep.ID // owned, and no rule takes it back
		}
		c, err := w.db.CreateCustomer(ctx, w.admin, in)
		if err != nil {
			t.Fatalf("customer %d: %v", i, err)
		}
		// Some are claimed, several at one instant: deadlines tie.
		if i%5 == 2 && in.PoolID == w.pool {
			if _, err := w.db.Claim(ctx, w.rep, c.ID, w.pool); err != nil {
				t.Fatal(err)
			}
		}
		if i%6 == 0 {
			w.clock.Advance(time.Hour)
		}
	}
	return w
}

// oldListing is the listing as the store wrote it before its indexes:
// every condition tested row by row. It is the oracle the listings are
// held to.
func (w *searchWorld) oldListing(t *testing.T, mine bool, f gonghai.CustomerFilter) []string {
	t.Helper()
	where, args := []string{"c.pool_id = ?", "c.owner_id IS NULL"}, []any{w.pool}
	order := `c.id DESC`
	if mine {
		where, args = []string{"c.owner_id = ?"}, []any{w.rep.ID}
		if f.Sort == gonghai.SortUrgent {
			order = `COALESCE(c.recycle_at, 9223372036854775807), c.id`
		}
	}
	for _, eq := range []struct{ col, v string }{
		{"c.category", f.Category}, {"c.industry", f.Industry}, {"c.product_line", f.ProductLine}, {"c.source", f.Source},
	} {
		if eq.v != "" {
			where, args = append(where, eq.col+" = ?"), append(args, eq.v)
		}
	}
	if f.Region != "" {
		where = append(where, `(c.region = ? OR c.region LIKE ? ESCAPE '\')`)
		args = append(args, f.Region, escapeLike(f.Region)+"/%")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, `(c.company LIKE ? ESCAPE '\' OR c.name_key = ? OR c.phone_key = ? OR c.email_key = ? OR c.wechat_key = ?)`)
		args = append(args, "%"+escapeLike(q)+"%")
		for _, col := range personalColumns {
			args = append(args, w.db.keys.MatchKey(col, q))
		}
	}
	ids, err := collect(context.Background(), w.db.reader(), `SELECT c.id FROM customers c WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order, args, func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// listed reads every page of the pool's listing, or of the rep's
// customers, in pages of size rows.
func (w *searchWorld) listed(t *testing.T, mine bool, f gonghai.CustomerFilter, size int) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	pg := gonghai.Page{Limit: size}
	for range 1000 {
		l, viewer := w.db.poolListing(w.pool), w.admin
		if mine {
			l, viewer = w.db.ownerListing(w.rep.ID, f.Sort), w.rep
		}
		cs, next, err := w.db.listCustomers(ctx, viewer, l, f, pg)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
		if next == "" {
			return ids
		}
		pg.After = next
	}
	t.Fatalf("%+v: the pages do not end", f)
	return nil
}

// searchPaths sets how a search proceeds (search.go), each way it may.
var searchPaths = []struct {
	name                          string
	probe, budget, count, costFor int
}{
	{"candidates", 5000, 10000, 100000, 2},
	{"walk", -1, 1000, 100000, 2},
	{"walk, then candidates", -1, 3, 100000, 0},
	{"walk, then the rest", -1, 3, 100000, 1 << 30},
	{"walk, then candidates, counting little", -1, 2, 1, 0},
}

// TestSearchAsBefore: every search, alone or with filters, in a pool or a
// private pool, in either order and in pages of any size, finds the rows
// the row-by-row listing found, in its order, whichever way it goes.
func TestSearchAsBefore(t *testing.T) {
	// Alone: setSearchPath changes the package's search settings, which
	// every parallel test's searches read.
	pgtest.EachDatabaseAlone(t, func(t *testing.T, dsn string) {
		w := newSearchWorld(t, dsn)
		queries := []string{"", "星辰", "星", "辰", "辰科", "星辰科技", "北京星辰科技有限公司", "科技", "有限公司", "公司", "acme", "ACME",
			"Acme Trading", "cme", "a", "a_b", "_", "100%", "%", `\`, "3M", "不存在", " 恒信 ",
			"13900000005", "139 0000 0005", "+86 139-0000-0005", "１３９０００００００５", "U3@EXAMPLE.CN", "u3@example.cn",
			"wx_user01", "WX_USER05", "张伟", "张 伟", "王小明", "li lei", "赵六"}
		filters := []gonghai.CustomerFilter{{}, {Category: "A"}, {Region: "广东省"}, {Region: "guangdong"}, {Region: "广东省/深圳市"},
			{Region: "广东省/深圳市/南山区"}, {Region: "Guangdong/Shenzhen"}, {Industry: "软件", Source: "官网"},
			{Category: "B", Region: "广东省", ProductLine: "ERP"}}
		for i, path := range searchPaths {
			setSearchPath(t, i)
			if i > 0 {
				// The other paths, with fewer filters: the first holds them all.
				filters = []gonghai.CustomerFilter{{}, {Region: "广东省"}, {Category: "B", Region: "广东省", ProductLine: "ERP"}}
			}
			for _, q := range queries {
				for _, fl := range filters {
					fl.Q = q
					for _, scope := range []struct {
						mine bool
						sort string
					}{{false, ""}, {true, ""}, {true, gonghai.SortUrgent}} {
						fl.Sort = scope.sort
						want := w.oldListing(t, scope.mine, fl)
						sizes := []int{200}
						if len(want) > 2 && (q == "" || q == "星" || q == "科技" || q == "张伟") {
							sizes = append(sizes, 2)
						}
						for _, size := range sizes {
							if got := w.listed(t, scope.mine, fl, size); !slices.Equal(got, want) {
								t.Fatalf("%s: %+v mine %v, pages of %d:\n%s", path.name, fl, scope.mine, size, cmp.Diff(want, got))
							}
						}
					}
				}
			}
		}
	})
}

// setSearchPath has searches go the i-th of searchPaths until the test
// ends.
func setSearchPath(t *testing.T, i int) {
	was := []int{searchProbe, searchBudget, searchCount, candidateCost}
	p := searchPaths[i]
	searchProbe, searchBudget, searchCount, candidateCost = p.probe, p.budget, p.count, p.costFor
	t.Cleanup(func() { searchProbe, searchBudget, searchCount, candidateCost = was[0], was[1], was[2], was[3] })
}

// TestSearchAfterUpgrade: a database from before the index of names gets
// it filled when it migrates: its customers are found by part of their
// company at once, and kept track of after.
func TestSearchAfterUpgrade(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := Open(ctx, dsn, gonghai.SystemClock{}, vault.Ephemeral())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		p, err := db.migrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 4); err != nil {
			t.Fatal(err)
		}
		c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
		if _, err := c.exec(ctx, `INSERT INTO pools (id, name, created_at, updated_at) VALUES ('p1', '公海', 1, 1)`); err != nil {
			t.Fatal(err)
		}
		for i, company := range []string{"北京星辰科技有限公司", "上海恒信贸易", "Acme Trading"} {
			if _, err := c.exec(ctx, `INSERT INTO customers (id, company, pool_id, created_at, updated_at) VALUES (?, ?, 'p1', 1, 1)`,
				fmt.Sprintf("old-%d", i), company); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		admin := gonghai.User{ID: "admin", Role: gonghai.RoleAdmin}
		find := func(q string) []string {
			t.Helper()
			cs, _, err := db.listCustomers(ctx, admin, db.poolListing("p1"), gonghai.CustomerFilter{Q: q}, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			return ids
		}
		for q, want := range map[string][]string{"星辰": {"old-0"}, "星": {"old-0"}, "恒信贸易": {"old-1"}, "Trading": {"old-2"}, "科技有限公司": {"old-0"}} {
			if got := find(q); !slices.Equal(got, want) {
				t.Errorf("after the upgrade %q finds %v, want %v", q, got, want)
			}
		}
		if _, err := c.exec(ctx, `UPDATE customers SET company = '广州星光' WHERE id = 'old-0'`); err != nil {
			t.Fatal(err)
		}
		if got := find("星辰"); len(got) != 0 {
			t.Errorf("a company's old name still finds %v", got)
		}
		if got := find("星光"); !slices.Equal(got, []string{"old-0"}) {
			t.Errorf("a company's new name finds %v", got)
		}
	})
}
