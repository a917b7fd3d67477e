package store

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestCountAsListed: a listing's total is the number of rows its pages
// hold, for every search and filter, in a pool and in a private pool,
// whichever way a search counts; past the cap it says "more" and the cap.
func TestCountAsListed(t *testing.T) {
	// Alone: it changes the package's count settings.
	pgtest.EachDatabaseAlone(t, func(t *testing.T, dsn string) {
		w := newSearchWorld(t, dsn)
		ctx := context.Background()
		queries := []string{"", "星辰", "星", "科技", "有限公司", "acme", "a_b", "100%", "不存在", "13900000005", "u3@example.cn",
			"wx_user01", "张伟"}
		filters := []gonghai.CustomerFilter{{}, {Category: "A"}, {Region: "广东省"}, {Region: "广东省/深圳市/南山区"},
			{Industry: "软件", Source: "官网"}, {Category: "B", Region: "广东省", ProductLine: "ERP"}}
		// Reading every row it must, and reading no more than a few.
		for _, path := range []struct {
			name          string
			read          int
			capped, exact bool
		}{{"reading all", 100000, false, true}, {"reading 5 rows", 5, false, false}, {"capped", 100000, true, true}} {
			wasRead, wasCap := countRead, countCap
			countRead = path.read
			if path.capped {
				countCap = 3
			}
			for _, q := range queries {
				for _, fl := range filters {
					fl.Q = q
					for _, mine := range []bool{false, true} {
						want := len(w.oldListing(t, mine, fl))
						var n int
						var more bool
						var err error
						if mine {
							n, more, err = w.db.CountMyCustomers(ctx, w.rep, fl)
						} else {
							n, more, err = w.db.CountPoolCustomers(ctx, w.admin, w.pool, fl)
						}
						if err != nil {
							t.Fatalf("%s: %+v: %v", path.name, fl, err)
						}
						switch {
						case want > countCap:
							if n != countCap || !more {
								t.Errorf("%s: %+v mine %v: counted %d, more %v; want the cap %d and more", path.name, fl, mine, n, more, countCap)
							}
						case path.exact:
							if n != want || more {
								t.Errorf("%s: %+v mine %v: counted %d, more %v; want %d", path.name, fl, mine, n, more, want)
							}
						case n > want || (n < want && !more):
							// Past the rows it tests, a floor that says so.
							t.Errorf("%s: %+v mine %v: counted %d, more %v; want at most %d, more if fewer", path.name, fl, mine, n, more, want)
						}
					}
				}
			}
			countRead, countCap = wasRead, wasCap
		}
		if _, _, err := w.db.CountPoolCustomers(ctx, w.rep, w.other, gonghai.CustomerFilter{}); err != nil {
			t.Errorf("a member counts their pool: %v", err)
		}
		outsider, err := w.db.CreateUser(ctx, nil, gonghai.NewUser{Login: "outsider", Name: "outsider", Role: gonghai.RoleRep})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.db.CountPoolCustomers(ctx, outsider, w.pool, gonghai.CustomerFilter{}); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Errorf("an outsider counts a pool they cannot see: %v", err)
		}
	})
}
