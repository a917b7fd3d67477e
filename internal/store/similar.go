package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/dedup"
)

// A company like an existing one (dedup.Similar: 星晨科技 beside 星辰科技)
// is shown to its creator, who may go on. Its candidates come from the
// index of company pieces the search reads (search_text.go), never from a
// scan: the customers that hold the rarest pieces of the normal form, up
// to similarCandidates of them, each scored on its stored normal form.
// A like name that shares only common pieces (科技, 公司) with the new one
// may be missed at a million customers; one that shares a rarer piece is
// found.

// similarCandidates bounds the customers scored for one company;
// similarShown is how many like companies an answer names, best first.
var (
	similarCandidates = 500
	similarShown      = 5
)

// similarHit is a like company and its owner's id, for a conflict's record.
type similarHit struct {
	gonghai.DuplicateMatch
	ownerID string
}

// similarTo returns the customers other than exceptID whose company is
// like company but not the same, best first, as viewer may know them.
func (db *DB) similarTo(ctx context.Context, c conn, viewer gonghai.User, company, exceptID string) ([]similarHit, error) {
	key := dedup.Company(company)
	if key == "" {
		return nil, nil
	}
	pieces, err := db.rarePieces(ctx, c, key)
	if err != nil || len(pieces) == 0 {
		return nil, err
	}
	q := `SELECT c.id, c.company_key FROM (SELECT id FROM customer_search WHERE search_grams(company) && CAST(? AS TEXT[]) LIMIT ?) m
		JOIN customers c ON c.id = m.id`
	var arg any = pieces
	if db.dialect == SQLite {
		q = `SELECT c.id, c.company_key FROM (SELECT s.id FROM customer_grams JOIN customer_search s ON s.n = customer_grams.rowid
			WHERE customer_grams MATCH ? LIMIT ?) m CROSS JOIN customers c ON c.id = m.id`
		arg = strings.Join(hexWords(pieces), " OR ")
	}
	type scored struct {
		id    string
		score float64
	}
	found, err := collect(ctx, c, q+` WHERE c.company_key IS NOT NULL AND c.merged_into IS NULL AND c.id <> ?`,
		[]any{arg, similarCandidates, exceptID}, func(s scanner) (scored, error) {
			var x scored
			var other string
			err := s.Scan(&x.id, &other)
			if other != key {
				x.score = dedup.Similarity(key, other)
			}
			return x, err
		})
	if err != nil {
		return nil, fmt.Errorf("similar companies: %w", err)
	}
	found = slices.DeleteFunc(found, func(x scored) bool { return x.score < dedup.SimilarThreshold || x.score >= 1 })
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.id, b.id))
	})
	out := make([]similarHit, 0, min(len(found), similarShown))
	for _, x := range found[:min(len(found), similarShown)] {
		m, owner, err := describe(ctx, c, viewer, x.id, "similar")
		if err != nil {
			return nil, err
		}
		m.Score = x.score
		out = append(out, similarHit{m, owner})
	}
	return out, nil
}

// rarePieces returns the pieces of normal form key (its characters and
// pairs of characters, as the index holds them) that name the fewest
// customers, as many as name about similarCandidates together. SQLite
// counts each piece's customers in the index, up to that many; PostgreSQL
// asks its planner's statistics, since its index reads a piece's whole
// list before it can count any of it.
func (db *DB) rarePieces(ctx context.Context, c conn, key string) ([]string, error) {
	type piece struct {
		text string
		n    int
	}
	var all []piece
	// A name's first characters are enough to find its like: a name
	// longer than any company's costs no more.
	for _, p := range companyPieces(string([]rune(key)[:min(len([]rune(key)), 32)])) {
		if slices.ContainsFunc(all, func(x piece) bool { return x.text == p }) || strings.TrimSpace(p) != p {
			continue
		}
		s := search{countCompany: `SELECT 1 FROM customer_search WHERE search_grams(company) @> CAST(? AS TEXT[])`, countArgs: []any{[]string{p}}}
		var n int
		var err error
		if db.dialect == SQLite {
			s.countCompany, s.countArgs = `SELECT rowid FROM customer_grams WHERE customer_grams MATCH ?`, []any{hexWords([]string{p})[0]}
			n, err = s.count(ctx, c, similarCandidates+1)
		} else {
			n, err = s.estimate(ctx, c)
		}
		if err != nil {
			return nil, fmt.Errorf("count company pieces: %w", err)
		}
		all = append(all, piece{p, n})
	}
	slices.SortStableFunc(all, func(a, b piece) int { return a.n - b.n })
	var out []string
	total := 0
	for _, p := range all {
		if total >= similarCandidates {
			break
		}
		if p.n == 0 {
			continue
		}
		out, total = append(out, p.text), total+p.n
	}
	if db.dialect == Postgres {
		// PostgreSQL's pieces keep the case a name was typed in.
		for _, p := range out {
			if u := strings.ToUpper(p); u != p {
				out = append(out, u)
			}
		}
	}
	return out, nil
}

// similarError refuses a create whose company is like others'.
func similarError(hits []similarHit) error {
	e := &gonghai.Error{Code: gonghai.ESimilar, Message: fmt.Sprintf(
		"the company is like %d existing customers'; look at them, and create it anyway only if it is another company", len(hits))}
	for _, h := range hits {
		e.Similar = append(e.Similar, h.DuplicateMatch)
	}
	return e
}

// Matches checks f as CreateCustomer would, and changes nothing: what a
// form shows while its user types. The duplicates come one per field that
// matched, contacts first. Every match is named as viewer may
// know it (describe); one that tells that a contact exists counts as a
// look-up, which past the day's quota is refused instead.
func (db *DB) Matches(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFields) (gonghai.Matches, error) {
	var out gonghai.Matches
	f = f.Cleaned()
	c := db.reader()
	keys := c.matchKeys(f)
	contact := false
	for _, col := range duplicateColumns {
		id, field, err := matchOf(ctx, c, keys, []string{col}, "")
		if err != nil {
			return out, fmt.Errorf("matches: %w", err)
		}
		if id == "" || slices.ContainsFunc(out.Duplicates, func(m gonghai.DuplicateMatch) bool { return m.CustomerID == id }) {
			continue
		}
		m, _, err := describe(ctx, c, viewer, id, field)
		if err != nil {
			return out, fmt.Errorf("matches: %w", err)
		}
		out.Duplicates, contact = append(out.Duplicates, m), contact || field != "company"
	}
	if contact {
		if err := db.lookedUp(ctx, viewer); err != nil {
			return gonghai.Matches{}, err
		}
	}
	if !slices.ContainsFunc(out.Duplicates, func(m gonghai.DuplicateMatch) bool { return m.Field == "company" }) {
		hits, err := db.similarTo(ctx, c, viewer, f.Company, "")
		if err != nil {
			return out, fmt.Errorf("matches: %w", err)
		}
		for _, h := range hits {
			out.Similar = append(out.Similar, h.DuplicateMatch)
		}
	}
	return out, nil
}
