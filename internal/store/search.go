package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// A search text q finds the customers whose company holds it, or whose
// name, phone, email or WeChat id is it whole (names and contacts are
// sealed: they match through their blind indexes). Each of those has an
// index: the blind indexes, and for companies an index of every one- and
// two-character piece of the name (search_text.go). The candidates these
// indexes name are a few more than the text finds, never fewer, and the
// exact test, as it always was, picks from them.
//
// A search does not know in advance how many rows it finds, and no single
// plan is cheap for all of them: a rare text is best read through its
// candidates and sorted, a common one by walking the listing in its order
// and testing each row, which soon fills a page. So a search counts its
// candidates, up to searchProbe: that many or fewer, it reads them all.
// More, it walks the listing, but no further than searchBudget rows. If
// those fill no page, the text is common, but not where the listing looks
// (a town's name searched in another province): it counts, up to
// searchCount, both the candidates and the listing's rows left, and goes
// on whichever way reads fewer.
//
// On PostgreSQL the walk comes first when the planner's statistics say
// the text is common. Its index of pieces reads the whole list of rows
// that hold a piece before it can count one of them, which for a piece
// most companies hold ("公司") costs more than a page of the walk.

// searchProbe is the most candidates a search reads and sorts rather than
// walk the listing; searchBudget is how far the first walk goes;
// searchCount is how far a search counts before it chooses how to go on,
// weighing a candidate as candidateCost rows walked: a candidate is found,
// then read.
var (
	searchProbe   = 5000
	searchBudget  = 10000
	searchCount   = 100000
	candidateCost = 2
)

// searchPage returns up to n rows of listing l that hold q.
func (db *DB) searchPage(ctx context.Context, c conn, l *listing, q string, n int) ([]customerRow, error) {
	s := db.searchFor(q)
	matching := l.clone()
	matching.and(s.match, s.matchArgs...)
	walkFirst := false
	if db.dialect == Postgres {
		guess, err := s.estimate(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("estimate candidates: %w", err)
		}
		walkFirst = guess > searchProbe
	}
	if !walkFirst {
		if few, err := s.few(ctx, c); err != nil || few {
			return s.readUnless(ctx, c, matching, n, err)
		}
	}
	rows, bound, more, err := l.walk(ctx, c, s, searchBudget, n)
	if err != nil || !more || len(rows) == n {
		return rows, err
	}
	if walkFirst {
		if few, err := s.few(ctx, c); err != nil || few {
			return s.readUnless(ctx, c, matching, n, err)
		}
	}
	rest := matching.clone()
	rest.after(bound)
	left, err := rest.count(ctx, c, searchCount)
	if err != nil {
		return nil, fmt.Errorf("count the rest: %w", err)
	}
	all, err := s.count(ctx, c, searchCount)
	if err != nil {
		return nil, fmt.Errorf("count candidates: %w", err)
	}
	if candidateCost*all < left {
		return s.read(ctx, c, matching, n)
	}
	next, err := rest.rows(ctx, c, rest.table, n-len(rows))
	return append(rows, next...), err
}

// walk reads up to n rows of the listing that search s finds among the
// listing's next budget rows. more reports whether rows are left beyond
// those, and bound is then the key of the last of them.
func (l *listing) walk(ctx context.Context, c conn, s search, budget, n int) (rows []customerRow, bound gonghai.PageKey, more bool, err error) {
	if l.dialect == Postgres {
		return l.walkWindow(ctx, c, s, budget, n)
	}
	// SQLite reads the key of the budget-th row from the index alone,
	// then walks up to it.
	bound, more, err = l.nth(ctx, c, budget)
	if err != nil {
		return nil, bound, false, fmt.Errorf("bound the walk: %w", err)
	}
	walk := l.clone()
	walk.and(s.match, s.matchArgs...)
	if more {
		walk.upTo(bound)
	}
	rows, err = walk.rows(ctx, c, walk.table, n)
	return rows, bound, more, err
}

// walkWindow is walk in one query, for PostgreSQL: the listing's next
// budget rows, numbered, each tested; those found, and the last one
// whether found or not, so that the walk knows where it stopped.
// PostgreSQL stops reading as soon as n are found.
func (l *listing) walkWindow(ctx context.Context, c conn, s search, budget, n int) ([]customerRow, gonghai.PageKey, bool, error) {
	var bound gonghai.PageKey
	var ids []string
	q, args := l.walkSQL(s, budget, n)
	found, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, bound, false, err
	}
	defer found.Close()
	for found.Next() {
		key, hit, k := gonghai.PageKey{After: true}, false, 0
		if err := found.Scan(&key.ID, &key.Due, &hit, &k); err != nil {
			return nil, bound, false, err
		}
		if hit && len(ids) < n {
			ids = append(ids, key.ID)
		}
		if k == budget {
			bound = key
		}
	}
	if err := found.Err(); err != nil || len(ids) == 0 {
		return nil, bound, bound.After, err
	}
	these := &listing{dialect: l.dialect, urgent: l.urgent}
	these.and(`c.id = ANY(CAST(? AS TEXT[]))`, ids)
	rows, err := these.rows(ctx, c, `customers c`, n)
	return rows, bound, bound.After, err
}

func (l *listing) walkSQL(s search, budget, n int) (string, []any) {
	outer := `w.id DESC`
	if l.urgent {
		outer = `w.due, w.id`
	}
	return `SELECT w.id, w.due, w.found, w.k FROM (SELECT c.id, ` + due + ` AS due, COALESCE(` + s.match + `, FALSE) AS found,
			row_number() OVER (ORDER BY ` + l.order() + `) AS k
			FROM ` + l.table + ` WHERE ` + strings.Join(l.where, " AND ") + ` ORDER BY ` + l.order() + ` LIMIT ?) w
		WHERE w.found OR w.k = ? ORDER BY ` + outer + ` LIMIT ?`,
		append(append(slices.Clone(s.matchArgs), l.args...), budget, budget, n+1)
}

// nth returns the key of the listing's k-th row, false when it has fewer.
// It reads only the listing's keys, from one index, without the rows: it
// counts rows of the holder that the other conditions may then drop.
func (l *listing) nth(ctx context.Context, c conn, k int) (gonghai.PageKey, bool, error) {
	q, args := l.nthSQL(k)
	keys, err := collect(ctx, c, q, args, func(s scanner) (gonghai.PageKey, error) {
		key := gonghai.PageKey{After: true}
		return key, s.Scan(&key.Due, &key.ID)
	})
	if err != nil || len(keys) == 0 {
		return gonghai.PageKey{}, false, err
	}
	return keys[0], true, nil
}

func (l *listing) nthSQL(k int) (string, []any) {
	cols := `0, c.id`
	if l.urgent {
		cols = due + `, c.id`
	}
	return `SELECT ` + cols + ` FROM ` + l.table + ` WHERE ` + strings.Join(l.keys, " AND ") + ` ORDER BY ` + l.order() +
		` LIMIT 1 OFFSET ?`, append(slices.Clone(l.keyArgs), k-1)
}
