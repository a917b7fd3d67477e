package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// A listing's total is counted to countCap and no further: past it a page
// says "10,000+". An exact count reads every entry of the listing's index:
// about 50 ms for a pool of 333,000 on SQLite (warm, through the Go
// driver; measured on a synthetic table of a million), three times that
// for a pool of a million, on every page view. Counting to the cap takes
// about 1 ms; nobody pages through ten thousand rows, and a filter or a
// search that narrows the pool below the cap is counted exactly.
var countCap = 10000

// CountPoolCustomers counts the customers PoolCustomers lists for the same
// viewer, pool and filter, up to countCap: more reports that there are
// more than n. It counts no contact look-up: the listing it goes with has.
func (db *DB) CountPoolCustomers(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter) (n int, more bool, err error) {
	if err := f.Validate(); err != nil {
		return 0, false, err
	}
	if _, err := db.visiblePool(ctx, viewer, poolID); err != nil {
		return 0, false, err
	}
	return db.countCustomers(ctx, db.poolListing(poolID), f)
}

// CountMyCustomers counts the customers MyCustomers lists for the same
// viewer and filter, up to countCap, as CountPoolCustomers does.
func (db *DB) CountMyCustomers(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFilter) (n int, more bool, err error) {
	if err := f.Validate(); err != nil {
		return 0, false, err
	}
	// In any order the same rows: the newest order's indexes narrow by a
	// filter, the urgent one's does not.
	return db.countCustomers(ctx, db.ownerListing(viewer.ID, gonghai.SortNewest), f)
}

// visiblePool reads pool poolID's rules, and refuses a viewer who may not
// see it as if it did not exist.
func (db *DB) visiblePool(ctx context.Context, viewer gonghai.User, poolID string) (gonghai.Pool, error) {
	return db.poolFor(ctx, viewer, poolID, getPoolRules)
}

// poolFor reads pool id with get, for a viewer who may see it: to anyone
// else it does not exist.
func (db *DB) poolFor(ctx context.Context, viewer gonghai.User, id string, get func(context.Context, conn, string) (gonghai.Pool, error)) (gonghai.Pool, error) {
	c := db.reader()
	p, err := get(ctx, c, id)
	if err != nil {
		return p, err
	}
	if !seesPool(ctx, c, viewer, p) {
		return gonghai.Pool{}, gonghai.Errorf(gonghai.ENotFound, "no such pool")
	}
	return p, nil
}

// countRead is the most rows a count reads from the table, beyond what
// an index answers alone: a condition no index holds (a second filter, a
// region's exact test, a search's text) is tested row by row, and past
// countRead rows the count says how many it found in them, and that there
// are more to look at. Read row by row to the cap, the count of
// region=广东省 source=官网注册 took 0.7 s in a pool of 33,000 (gonghai
// bench page, 100,000 customers, on a busy machine), where the page
// itself takes milliseconds.
var countRead = 5000

// countCustomers counts listing l's rows that filter f keeps, up to
// countCap, through the index the listing itself would read; more
// reports that there may be more than n.
func (db *DB) countCustomers(ctx context.Context, l *listing, f gonghai.CustomerFilter) (n int, more bool, err error) {
	c := db.reader()
	if err := l.apply(ctx, c, f, gonghai.PageKey{}); err != nil {
		return 0, false, fmt.Errorf("count customers: %w", err)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		n, more, err = db.countSearch(ctx, c, l, q)
	} else {
		n, more, err = l.countBounded(ctx, c)
	}
	if err != nil {
		return 0, false, fmt.Errorf("count customers: %w", err)
	}
	if n > countCap {
		return countCap, true, nil
	}
	return n, more, nil
}

// countBounded counts the listing's rows up to countCap+1, reading no
// more than countRead of them: from its index alone when its keys are
// all its conditions; else exactly when its keys name countRead rows or
// fewer, and otherwise the rows found among the first countRead, more.
func (l *listing) countBounded(ctx context.Context, c conn) (int, bool, error) {
	if len(l.where) == len(l.keys) {
		n, err := l.count(ctx, c, countCap+1)
		return n, false, err
	}
	keyed, err := l.count(ctx, c, countRead+1)
	if err != nil || keyed <= countRead {
		n, aerr := l.countAll(ctx, c, l.table, countCap+1)
		return n, false, errors.Join(err, aerr)
	}
	var n int
	err = c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT (`+strings.Join(l.where, " AND ")+`) AS ok FROM `+l.table+` WHERE `+
		strings.Join(l.keys, " AND ")+` LIMIT ?) w WHERE w.ok`, append(append(slices.Clone(l.args), l.keyArgs...), countRead)...).Scan(&n)
	return n, true, err
}

// countAll counts the rows of the listing, read through from, up to
// limit: unlike count, it tests every condition, not just the keys.
func (l *listing) countAll(ctx context.Context, c conn, from string, limit int) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+strings.Join(l.where, " AND ")+` LIMIT ?) p`,
		append(slices.Clone(l.args), limit)...).Scan(&n)
	return n, err
}

// countSearch counts the rows of listing l that hold q, as searchPage
// finds them: through the search's candidates when there are countRead
// or fewer, each read and tested, else down the listing as countBounded
// does, the text one more condition to test.
func (db *DB) countSearch(ctx context.Context, c conn, l *listing, q string) (int, bool, error) {
	s := db.searchFor(q)
	all, err := s.count(ctx, c, countRead+1)
	if err != nil {
		return 0, false, fmt.Errorf("count candidates: %w", err)
	}
	matching := l.clone()
	matching.and(s.match, s.matchArgs...)
	if all <= countRead {
		through, from := s.through(matching)
		n, err := through.countAll(ctx, c, from, countCap+1)
		return n, false, err
	}
	return matching.countBounded(ctx, c)
}
