package store

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// planWorld is a store with a few thousand customers in three pools, and
// one with a phone, an email and a WeChat id, so that PostgreSQL plans as
// it would with many.
type planWorld struct {
	db         *DB
	admin, rep gonghai.User
	pool       string
}

func newPlanWorld(t *testing.T, dsn string) *planWorld {
	t.Helper()
	ctx := context.Background()
	db, admin, p := adminAndPool(t, dsn)
	w := &planWorld{db: db, admin: admin, pool: p.ID}
	var err error
	if w.rep, err = db.CreateUser(ctx, nil, gonghai.NewUser{Login: "rep", Name: "rep", Role: gonghai.RoleRep}); err != nil {
		t.Fatal(err)
	}
	name := "别的公海"
	other, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	// The rows are written by SQL, as a bulk load would: the triggers
	// index their companies all the same.
	numbers := `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 6000)`
	if db.dialect == Postgres {
		numbers = `WITH g(i) AS (SELECT generate_series(1, 6000))`
	}
	c := conn{q: db.write, dialect: db.dialect, keys: db.keys}
	_, err = c.exec(ctx, numbers+`
		INSERT INTO customers (id, company, category, industry, region, source, owner_id, owned_since, pool_id, event_seq, created_at, updated_at, recycle_at)
		SELECT 'seed-' || (100000 + i), '城市' || (i % 97) || '号' || CASE WHEN i % 50 = 0 THEN '星辰' ELSE '恒信' END || '科技有限公司',
			CASE i % 4 WHEN 0 THEN 'A' WHEN 1 THEN 'B' ELSE 'C' END, '行业' || (i % 40), '省' || (i % 30) || '/市' || (i % 7) || '/区' || (i % 3),
			'来源' || (i % 50), CASE WHEN i % 3 = 0 THEN ? END, CASE WHEN i % 3 = 0 THEN 1 END,
			CASE WHEN i % 3 = 1 THEN ? ELSE ? END, 0, i, i, CASE WHEN i % 6 = 0 THEN i END FROM g`, w.rep.ID, w.pool, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: w.pool, CustomerFields: gonghai.CustomerFields{
		Company: "北京星辰科技有限公司", Name: "林星辰", Phone: "13712348000", Email: "li@xingchen.cn", WeChat: "xingchen_li"}}); err != nil {
		t.Fatal(err)
	}
	if db.dialect == Postgres {
		if _, err := db.write.ExecContext(ctx, `ANALYZE`); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// plan is what a database plans for one statement: the indexes it reads
// and whether it reads a table whole.
type plan struct {
	text    string
	indexes []string
	scans   []string // tables read whole
}

// explain returns the plan of query: SQLite's EXPLAIN QUERY PLAN, or
// PostgreSQL's with sequential scans priced out, as a table of some size
// would have them.
func (w *planWorld) explain(t *testing.T, query string, args []any) plan {
	t.Helper()
	ctx := context.Background()
	var p plan
	if w.db.dialect == SQLite {
		rows, err := collect(ctx, w.db.reader(), `EXPLAIN QUERY PLAN `+query, args, func(s scanner) (string, error) {
			var id, parent, unused int
			var detail string
			return detail, s.Scan(&id, &parent, &unused, &detail)
		})
		if err != nil {
			t.Fatalf("%v\n%s", err, query)
		}
		p.text = strings.Join(rows, "\n")
		for _, m := range regexp.MustCompile(`INDEX (\w+)`).FindAllStringSubmatch(p.text, -1) {
			p.indexes = append(p.indexes, m[1])
		}
		for _, m := range regexp.MustCompile(`(?m)^SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?$`).FindAllStringSubmatch(p.text, -1) {
			if m[1] == "c" || m[1] == "customers" || m[1] == "s" || m[1] == "customer_search" {
				p.scans = append(p.scans, m[0])
			}
		}
		return p
	}
	tx, err := w.db.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	c := conn{q: tx, dialect: Postgres}
	if _, err := c.exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	if err := c.queryRow(ctx, `EXPLAIN (FORMAT JSON) `+query, args...).Scan(&p.text); err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	var tree []struct{ Plan map[string]any }
	if err := json.Unmarshal([]byte(p.text), &tree); err != nil || len(tree) == 0 {
		t.Fatalf("plan %q: %v", p.text, err)
	}
	var walk func(node map[string]any)
	walk = func(node map[string]any) {
		if name, ok := node["Index Name"].(string); ok {
			p.indexes = append(p.indexes, name)
		}
		switch table := fmt.Sprint(node["Relation Name"]); {
		case node["Node Type"] == "Seq Scan":
			p.scans = append(p.scans, table)
		case node["Index Name"] != nil && node["Index Cond"] == nil && (table == "customers" || table == "customer_search"):
			// An index read from end to end reads the table whole too.
			p.scans = append(p.scans, "INDEX "+node["Index Name"].(string))
		}
		children, _ := node["Plans"].([]any)
		for _, child := range children {
			walk(child.(map[string]any))
		}
	}
	walk(tree[0].Plan)
	return p
}

// wants fails unless p reads through every index of want, and reads no
// customer, nor the names of all, whole: but for a walk in the order of
// an index of want, which stops when its page is full.
func (p plan) wants(t *testing.T, what string, want ...string) {
	t.Helper()
	for _, idx := range want {
		if !slices.Contains(p.indexes, idx) {
			t.Errorf("%s: the plan reads %v, not %s:\n%s", what, p.indexes, idx, p.text)
		}
	}
	p.walks(t, what, want...)
}

// walks fails if p reads a customer, or the names of all, whole, but for
// a walk in the order of an index of in order, which stops when its page
// is full.
func (p plan) walks(t *testing.T, what string, in ...string) {
	t.Helper()
	for _, s := range p.scans {
		if !slices.Contains(in, strings.TrimPrefix(s, "INDEX ")) {
			t.Errorf("%s: the plan reads %s whole:\n%s", what, s, p.text)
		}
	}
}

// listingFor builds a pool's listing, or the rep's, as listCustomers does.
func (w *planWorld) listingFor(t *testing.T, mine bool, f gonghai.CustomerFilter, key gonghai.PageKey) *listing {
	t.Helper()
	l := w.db.poolListing(w.pool)
	if mine {
		l = w.db.ownerListing(w.rep.ID, f.Sort)
	}
	if err := l.apply(context.Background(), w.db.reader(), f, key); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSearchPlans: a search by phone, email or WeChat id reads its blind
// index and no customer besides; a search of companies reads the index of
// names; every way a search goes reads through indexes.
func TestSearchPlans(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		w := newPlanWorld(t, dsn)
		names := "customer_grams"
		if w.db.dialect == Postgres {
			names = "customer_search_grams"
		}
		for _, tc := range []struct {
			q, key string
		}{
			{"13712348000", "customers_phone_key"}, {"+86 137-1234-8000", "customers_phone_key"},
			{"LI@xingchen.cn", "customers_email_key"}, {"xingchen_li", "customers_wechat_key"}, {"林星辰", "customers_name_key"},
			{"星辰", ""}, {"星", ""}, {"星辰科技有限", ""},
		} {
			s := w.db.searchFor(tc.q)
			for _, st := range s.countSQL(searchProbe + 1) {
				p := w.explain(t, st.sql, st.args)
				if strings.Contains(st.sql, "_key = ?") {
					p.wants(t, tc.q+": counting by keys", slices.DeleteFunc([]string{tc.key}, func(s string) bool { return s == "" })...)
				} else if w.db.dialect == Postgres { // FTS5 names no index
					p.wants(t, tc.q+": counting by names", names)
				} else if !strings.Contains(p.text, "VIRTUAL TABLE") {
					t.Errorf("%s: counting by names reads no FTS index:\n%s", tc.q, p.text)
				}
			}
			l := w.listingFor(t, false, gonghai.CustomerFilter{Q: tc.q}, gonghai.PageKey{})
			matching := l.clone()
			matching.and(s.match, s.matchArgs...)
			through, from := s.through(matching)
			q, args := through.pageSQL(from, 51)
			p := w.explain(t, q, args)
			if tc.key != "" {
				p.wants(t, tc.q+": reading the candidates", tc.key)
			} else if w.db.dialect == Postgres {
				p.wants(t, tc.q+": reading the candidates", names)
			} else {
				p.wants(t, tc.q+": reading the candidates")
			}
			// The walk reads no further than searchBudget rows, in the
			// listing's order: on PostgreSQL newest first by id, if the
			// planner likes.
			q, args = l.walkSQL(s, searchBudget, 51)
			if w.db.dialect == SQLite {
				q, args = l.nthSQL(searchBudget)
			}
			w.explain(t, q, args).walks(t, tc.q+": walking", "customers_pkey")
		}
	})
}

// TestListingPlans: every filter, alone, with others or with a page's
// start, reads a pool or a private pool through an index that holds it.
func TestListingPlans(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		w := newPlanWorld(t, dsn)
		deep := gonghai.PageKey{After: true, ID: "seed-103000"}
		// PostgreSQL reads a listing that keeps a third or a twelfth of the
		// rows newest first by id, testing each: it soon fills a page.
		common := func(index string) string {
			if w.db.dialect == Postgres {
				return "customers_pkey"
			}
			return index
		}
		for _, tc := range []struct {
			mine  bool
			f     gonghai.CustomerFilter
			key   gonghai.PageKey
			index string
		}{
			{false, gonghai.CustomerFilter{}, gonghai.PageKey{}, common("customers_holder")},
			{false, gonghai.CustomerFilter{}, deep, common("customers_holder")},
			{false, gonghai.CustomerFilter{Category: "A"}, deep, common("customers_holder_category")},
			{false, gonghai.CustomerFilter{Industry: "行业7"}, gonghai.PageKey{}, "customers_holder_industry"},
			{false, gonghai.CustomerFilter{ProductLine: "ERP"}, gonghai.PageKey{}, "customers_holder_product_line"},
			{false, gonghai.CustomerFilter{Source: "来源3"}, deep, "customers_holder_source"},
			{false, gonghai.CustomerFilter{Region: "省3"}, gonghai.PageKey{}, "customers_holder_region1"},
			{false, gonghai.CustomerFilter{Region: "省3/市2"}, deep, "customers_holder_region2"},
			{false, gonghai.CustomerFilter{Region: "省3/市2/区1"}, gonghai.PageKey{}, "customers_holder_region"},
			{false, gonghai.CustomerFilter{Category: "A", Source: "来源3"}, gonghai.PageKey{}, "customers_holder_source"},
			{true, gonghai.CustomerFilter{}, deep, common("customers_holder")},
			{true, gonghai.CustomerFilter{Industry: "行业7"}, gonghai.PageKey{}, "customers_holder_industry"},
			{true, gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, gonghai.PageKey{}, "customers_owner_due"},
			{true, gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, gonghai.PageKey{After: true, Due: 3000, ID: "seed-103000"}, "customers_owner_due"},
		} {
			l := w.listingFor(t, tc.mine, tc.f, tc.key)
			q, args := l.pageSQL(l.table, 51)
			what := fmt.Sprintf("%+v mine %v after %+v", tc.f, tc.mine, tc.key)
			p := w.explain(t, q, args)
			p.wants(t, what, tc.index)
			if w.db.dialect == SQLite && tc.key.After && !strings.Contains(p.text, "id<?") && !strings.Contains(p.text, "<expr>>?") {
				t.Errorf("%s: the index does not seek to the page's start:\n%s", what, p.text)
			}
			if l.dialect == SQLite && len(l.keys) > 0 {
				q, args := l.nthSQL(searchBudget)
				if p := w.explain(t, q, args); !strings.Contains(p.text, "COVERING INDEX") {
					t.Errorf("%s: the walk's bound reads more than its index:\n%s", what, p.text)
				}
			}
		}
	})
}
