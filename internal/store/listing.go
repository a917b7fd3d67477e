package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// PoolCustomers lists the unowned customers of a pool, newest first, for a
// viewer who may see the pool.
func (db *DB) PoolCustomers(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter, pg gonghai.Page) ([]gonghai.Customer, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	if _, err := db.visiblePool(ctx, viewer, poolID); err != nil {
		return nil, "", err
	}
	if f.Sort != gonghai.SortScore {
		f.Sort = gonghai.SortNewest
	}
	if gonghai.ContactShaped(f.Q) {
		// A phone or email matches whole, and each try is counted: a
		// masked phone must not be unmasked by trying its 10,000 forms.
		if err := db.lookedUp(ctx, viewer); err != nil {
			return nil, "", err
		}
	}
	l := db.poolListing(poolID)
	if f.Sort == gonghai.SortScore {
		l = db.poolScoreListing(poolID)
	}
	return db.listCustomers(ctx, viewer, l, f, pg)
}

// MyCustomers lists the viewer's private pool, filtered like a pool
// listing, newest or most urgent first. A search by phone or email here is
// no look-up: the owner sees these contacts in full anyway.
func (db *DB) MyCustomers(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFilter, pg gonghai.Page) ([]gonghai.Customer, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	return db.listCustomers(ctx, viewer, db.ownerListing(viewer.ID, f.Sort), f, pg)
}

// holder is who holds a customer: its owner ("u:" and the user's id), or
// its pool while it has none ("p:" and the pool's id). Every listing index
// but the urgent order's starts with it (migration 00005), so that one
// index per filter serves pools and private pools alike.
const holder = `COALESCE('u:' || c.owner_id, 'p:' || c.pool_id)`

// scoreKey is a customer's place in the score order, as its index has it:
// unscored as -1, last.
const scoreKey = `COALESCE(c.score, -1)`

// due is when a customer falls due in the urgent order, as its index has it.
var due = `COALESCE(c.recycle_at, ` + strconv.FormatInt(gonghai.NoDeadline, 10) + `)`

// listing is the query of a page of customers: the conditions its rows
// meet, and its order. Its keys are the conditions that one index answers
// alone, in the listing's order: the holder, one filter, the page's start.
type listing struct {
	dialect Dialect
	urgent  bool
	scored  bool   // a pool's, best-scored first
	every   bool   // every customer, of no one holder: no filter's index serves it
	table   string // customers c, and on SQLite the index to read it by
	where   []string
	args    []any
	keys    []string
	keyArgs []any
	// eachCol, equal to each of each in turn, splits a page's read by
	// holder (mergeSQL): a listing of many owners reads each one's first
	// rows through its own index range, and merges them.
	eachCol string
	each    []string
}

// poolListing starts the listing of pool poolID's unowned customers,
// newest first.
func (db *DB) poolListing(poolID string) *listing {
	l := &listing{dialect: db.dialect, table: `customers c`}
	l.key(holder+` = ?`, "p:"+poolID)
	return l
}

// poolScoreListing starts the listing of pool poolID's unowned customers,
// the best-scored first, by the score order's index (migration 00018).
func (db *DB) poolScoreListing(poolID string) *listing {
	l := &listing{dialect: db.dialect, scored: true, table: `customers c`}
	l.key(`c.pool_id = ? AND c.owner_id IS NULL`, poolID)
	return l
}

// ownerListing starts the listing of user userID's customers in order
// sort.
func (db *DB) ownerListing(userID, sort string) *listing {
	l := &listing{dialect: db.dialect, urgent: sort == gonghai.SortUrgent, table: `customers c`}
	if l.urgent {
		// The urgent order's index starts with the owner.
		l.key(`c.owner_id = ?`, userID)
		l.and(holder+` = ?`, "u:"+userID)
	} else {
		l.key(holder+` = ?`, "u:"+userID)
	}
	return l
}

// and adds a condition.
func (l *listing) and(cond string, args ...any) {
	l.where, l.args = append(l.where, cond), append(l.args, args...)
}

// key adds a condition that is one of the listing's keys.
func (l *listing) key(cond string, args ...any) {
	l.and(cond, args...)
	l.keys, l.keyArgs = append(l.keys, cond), append(l.keyArgs, args...)
}

// clone returns a copy of l that conditions added to it leave l without.
func (l *listing) clone() *listing {
	return &listing{dialect: l.dialect, urgent: l.urgent, scored: l.scored, every: l.every, table: l.table, where: slices.Clone(l.where), args: slices.Clone(l.args),
		keys: slices.Clone(l.keys), keyArgs: slices.Clone(l.keyArgs), eachCol: l.eachCol, each: l.each}
}

// order is the listing's ORDER BY: newest first, or the nearest deadline
// first and ties by id.
func (l *listing) order() string {
	switch {
	case l.urgent:
		return due + `, c.id`
	case l.scored:
		return scoreKey + ` DESC, c.id`
	}
	return `c.id DESC`
}

// after keeps the rows that come after key in the listing's order. In the
// urgent order that is a later deadline, or the same and a greater id:
// written with the deadline alone on one side, so that its index seeks
// to it (SQLite does not seek by a pair that holds an expression).
func (l *listing) after(key gonghai.PageKey) {
	switch {
	case !key.After:
	case l.urgent:
		l.key(due+` >= ? AND (`+due+` > ? OR c.id > ?)`, key.Due, key.Due, key.ID)
	case l.scored:
		l.key(scoreKey+` <= ? AND (`+scoreKey+` < ? OR c.id > ?)`, key.Due, key.Due, key.ID)
	default:
		l.key(`c.id < ?`, key.ID)
	}
}

// upTo keeps the rows that come no later than key: the bound of a walk.
func (l *listing) upTo(key gonghai.PageKey) {
	switch {
	case l.urgent:
		l.and(due+` <= ? AND (`+due+` < ? OR c.id <= ?)`, key.Due, key.Due, key.ID)
	case l.scored:
		l.and(scoreKey+` >= ? AND (`+scoreKey+` > ? OR c.id <= ?)`, key.Due, key.Due, key.ID)
	default:
		l.and(`c.id >= ?`, key.ID)
	}
}

// regionPart are the first one and two parts of a customer's region path
// ("广东省", "广东省/深圳市"), as their indexes have them: lower-cased on
// SQLite, whose LIKE ignores the case of ASCII letters.
var regionPart = map[Dialect][2]string{
	SQLite: {`lower(substr(c.region, 1, instr(c.region || '/', '/') - 1))`,
		`lower(substr(c.region, 1, instr(c.region || '/', '/') + instr(substr(c.region || '//', instr(c.region || '/', '/') + 1), '/') - 1))`},
	Postgres: {`substr(c.region, 1, strpos(c.region || '/', '/') - 1)`,
		`substr(c.region, 1, strpos(c.region || '/', '/') + strpos(substr(c.region || '//', strpos(c.region || '/', '/') + 1), '/') - 1)`},
}

// narrowing is a filter's condition that an index after the holder
// answers, newest first.
type narrowing struct {
	index string
	cond  string
	args  []any
}

// filter adds the conditions of filter f but its text, which search adds,
// and returns those that an index answers, for narrow to choose from.
func (l *listing) filter(f gonghai.CustomerFilter) []narrowing {
	var out []narrowing
	if f.Region != "" {
		// A region is a place and everything below it. The path's first
		// parts narrow it through an index; the exact test follows.
		arg := `?`
		if l.dialect == SQLite {
			arg = `lower(?)`
		}
		switch depth := strings.Count(f.Region, "/"); {
		case depth < 2:
			out = append(out, narrowing{fmt.Sprintf("customers_holder_region%d", depth+1), regionPart[l.dialect][depth] + ` = ` + arg, []any{f.Region}})
		case l.dialect == SQLite:
			// Every path that starts with it and a slash, which sorts
			// before 0.
			out = append(out, narrowing{"customers_holder_region", `lower(c.region) >= lower(?) AND lower(c.region) < lower(?)`, []any{f.Region, f.Region + "0"}})
		default:
			out = append(out, narrowing{"customers_holder_region", `c.region COLLATE "C" >= ? AND c.region COLLATE "C" < ?`, []any{f.Region, f.Region + "0"}})
		}
		l.and(`(c.region = ? OR c.region LIKE ? ESCAPE '\')`, f.Region, escapeLike(f.Region)+"/%")
	}
	// Leads are a share of a listing, not a narrow slice of it: a plain
	// condition on the rows the listing reads, no index of their own.
	if f.Lifecycle != "" {
		l.and(`c.lifecycle = ?`, f.Lifecycle)
	}
	if f.Size != "" {
		l.and(`c.size = ?`, f.Size)
	}
	for _, eq := range []struct{ col, v string }{
		{"industry", f.Industry}, {"product_line", f.ProductLine}, {"source", f.Source}, {"category", f.Category},
	} {
		if eq.v != "" {
			out = append(out, narrowing{"customers_holder_" + eq.col, "c." + eq.col + " = ?", []any{eq.v}})
		}
	}
	return out
}

// narrowCount is how far narrow counts each filter's rows.
const narrowCount = 5000

// narrow adds the filters' conditions, one of them as a key: the one that
// keeps the fewest rows, whose index the listing then reads. PostgreSQL
// knows from its statistics which that is; SQLite, which keeps none,
// counts each filter's rows in its index, up to narrowCount. The urgent
// order's index has no filter, nor has a listing of every customer: none
// is a key there.
func (l *listing) narrow(ctx context.Context, c conn, filters []narrowing) error {
	if len(filters) == 0 {
		return nil
	}
	best, keyed := 0, !l.urgent && !l.scored && !l.every
	if len(filters) > 1 && l.dialect == SQLite && keyed {
		least := narrowCount + 1
		for i, f := range filters {
			one := l.clone()
			one.table = `customers c INDEXED BY ` + f.index
			one.key(f.cond, f.args...)
			n, err := one.count(ctx, c, narrowCount)
			if err != nil {
				return err
			}
			if n < least {
				best, least = i, n
			}
		}
		l.table = `customers c INDEXED BY ` + filters[best].index
	}
	for i, f := range filters {
		if i == best && keyed {
			l.key(f.cond, f.args...)
		} else {
			l.and(f.cond, f.args...)
		}
	}
	return nil
}

// count counts the listing's rows up to limit, by its keys alone: from
// its index, without reading the rows, and so a few more than it has.
func (l *listing) count(ctx context.Context, c conn, limit int) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+l.table+` WHERE `+strings.Join(l.keys, " AND ")+` LIMIT ?) p`,
		append(slices.Clone(l.keyArgs), limit)...).Scan(&n)
	return n, err
}

// rows reads up to n rows of the listing, in its order, through from:
// customers c, or c as the candidates of a search name them.
func (l *listing) rows(ctx context.Context, c conn, from string, n int) ([]customerRow, error) {
	q, args := l.pageSQL(from, n)
	return collect(ctx, c, q, args, scanCustomer)
}

// pageSQL is the query of rows. It finds the page's ids first and then
// reads those rows whole, so that a listing that must sort sorts ids, not
// rows.
func (l *listing) pageSQL(from string, n int) (string, []any) {
	page, args := `SELECT c.id FROM `+from+` WHERE `+strings.Join(l.where, " AND ")+` ORDER BY `+l.order()+` LIMIT ?`, append(slices.Clone(l.args), n)
	if len(l.each) > 1 && from == l.table && (l.dialect == Postgres || len(l.each) <= maxArms) {
		page, args = l.mergeSQL(n)
	}
	return `SELECT ` + customerColumns + strings.Replace(customerFrom, "FROM customers c", "FROM ("+page+") p CROSS JOIN customers c", 1) +
		`WHERE c.id = p.id ORDER BY ` + l.order(), args
}

// apply adds to listing l the page's start, key, and the conditions of
// filter f but its text.
func (l *listing) apply(ctx context.Context, c conn, f gonghai.CustomerFilter, key gonghai.PageKey) error {
	l.after(key)
	return l.narrow(ctx, c, l.filter(f))
}

// listCustomers lists a page of listing l that filter f keeps, in f's
// order.
func (db *DB) listCustomers(ctx context.Context, viewer gonghai.User, l *listing, f gonghai.CustomerFilter, pg gonghai.Page) ([]gonghai.Customer, string, error) {
	key, err := gonghai.ParsePageKey(f.Sort, pg.After)
	if err != nil {
		return nil, "", err
	}
	c := db.reader()
	if err := l.apply(ctx, c, f, key); err != nil {
		return nil, "", fmt.Errorf("list customers: %w", err)
	}
	var rows []customerRow
	if q := strings.TrimSpace(f.Q); q != "" {
		rows, err = db.searchPage(ctx, c, l, q, pg.Size()+1)
	} else {
		rows, err = l.rows(ctx, c, l.table, pg.Size()+1)
	}
	if err == nil {
		err = c.openRows(rows)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list customers: %w", err)
	}
	out := make([]gonghai.Customer, len(rows))
	for i, r := range rows {
		out[i] = db.view(r, viewer)
	}
	out, next := pageOf(out, pg, func(c gonghai.Customer) string { return gonghai.PageKeyOf(f.Sort, c) })
	return out, next, nil
}

// escapeLike makes s match itself literally in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
