package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestScopePlans: a page of several owners' customers reads each owner's
// range of the index its order and filter need, and counting them reads
// the same indexes: a manager's subtree never reads the table whole.
func TestScopePlans(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		w := newPlanWorld(t, dsn)
		ctx := context.Background()
		owners := []string{w.rep.ID, "someone-else"}
		// PostgreSQL reads an owner that holds a third of the rows newest
		// first by id, testing each, as it does a private pool: it soon
		// fills a page (TestListingPlans).
		common := func(index string) string {
			if w.db.dialect == Postgres {
				return "customers_pkey"
			}
			return index
		}
		for _, tc := range []struct {
			f     gonghai.CustomerFilter
			key   gonghai.PageKey
			index string
		}{
			{gonghai.CustomerFilter{}, gonghai.PageKey{}, common("customers_holder")},
			{gonghai.CustomerFilter{}, gonghai.PageKey{After: true, ID: "seed-103000"}, common("customers_holder")},
			{gonghai.CustomerFilter{Industry: "行业7"}, gonghai.PageKey{}, "customers_holder_industry"},
			{gonghai.CustomerFilter{Category: "A", Source: "来源3"}, gonghai.PageKey{}, "customers_holder_source"},
			{gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, gonghai.PageKey{}, "customers_owner_due"},
			{gonghai.CustomerFilter{Sort: gonghai.SortUrgent}, gonghai.PageKey{After: true, Due: 3000, ID: "seed-103000"}, "customers_owner_due"},
		} {
			what := fmt.Sprintf("%+v after %+v", tc.f, tc.key)
			l := w.db.ownersListing(owners, tc.f.Sort)
			if err := l.apply(ctx, w.db.reader(), tc.f, tc.key); err != nil {
				t.Fatal(err)
			}
			q, args := l.pageSQL(l.table, 51)
			if !strings.Contains(q, "LATERAL") && !strings.Contains(q, "UNION ALL") {
				t.Fatalf("%s: the page is not read owner by owner:\n%s", what, q)
			}
			p := w.explain(t, q, args)
			p.wants(t, what+": a page", tc.index)
			if w.db.dialect == SQLite && tc.key.After && !strings.Contains(p.text, "id<?") && !strings.Contains(p.text, "<expr>>?") {
				t.Errorf("%s: the index does not seek to the page's start:\n%s", what, p.text)
			}
			// Counting: the owners' ranges of the same indexes, or (on
			// PostgreSQL, as above) the ids after the page's start.
			counted := l.clone()
			q = `SELECT COUNT(*) FROM (SELECT 1 FROM ` + counted.table + ` WHERE ` + strings.Join(counted.where, " AND ") + ` LIMIT 10001) p`
			p = w.explain(t, q, counted.args)
			if !slices.ContainsFunc(p.indexes, func(s string) bool {
				return strings.HasPrefix(s, "customers_holder") || s == "customers_owner_due" || s == "customers_owned" || s == common("")
			}) {
				t.Errorf("%s: counting reads %v:\n%s", what, p.indexes, p.text)
			}
			p.walks(t, what+": counting", common(""))
		}
	})
}

// TestScopeManyOwners: a listing of more owners than SQLite's union takes
// still answers, in order, on both databases.
func TestScopeManyOwners(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		w := newPlanWorld(t, dsn)
		owners := []string{w.rep.ID}
		for i := range 600 {
			owners = append(owners, fmt.Sprintf("nobody-%d", i))
		}
		for _, sort := range []string{gonghai.SortNewest, gonghai.SortUrgent} {
			l := w.db.ownersListing(owners, sort)
			rows, err := l.rows(context.Background(), w.db.reader(), l.table, 51)
			if err != nil || len(rows) != 51 || rows[0].OwnerID != w.rep.ID {
				t.Fatalf("%s: %d rows, %v", sort, len(rows), err)
			}
		}
	})
}
