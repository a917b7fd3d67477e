package store

import (
	"context"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"modernc.org/sqlite"
)

// search is a search text: the test a customer c passes, and the
// subqueries of the candidates, a few more customers than pass it, never
// fewer: byKeys through the blind indexes, byCompany through the index of
// company names (countCompany counts those alone, without reading them).
type search struct {
	match                           string
	matchArgs                       []any
	byKeys, byCompany, countCompany string
	keyArgs, nameArgs, countArgs    []any
}

// few reports whether the search has searchProbe candidates or fewer.
func (s search) few(ctx context.Context, c conn) (bool, error) {
	found, err := s.count(ctx, c, searchProbe+1)
	if err != nil {
		return false, fmt.Errorf("count candidates: %w", err)
	}
	return found <= searchProbe, nil
}

// count counts candidates up to limit, from the indexes alone.
func (s search) count(ctx context.Context, c conn, limit int) (int, error) {
	total := 0
	for _, q := range s.countSQL(limit) {
		var n int
		if err := c.queryRow(ctx, q.sql, q.args...).Scan(&n); err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// statement is a query and its arguments.
type statement struct {
	sql  string
	args []any
}

func (s search) countSQL(limit int) []statement {
	var out []statement
	if s.byKeys != "" {
		out = append(out, statement{`SELECT COUNT(*) FROM (` + s.byKeys + ` LIMIT ?) p`, append(slices.Clone(s.keyArgs), limit)})
	}
	return append(out, statement{`SELECT COUNT(*) FROM (` + s.countCompany + ` LIMIT ?) p`, append(slices.Clone(s.countArgs), limit)})
}

// readUnless reads as read does, unless err.
func (s search) readUnless(ctx context.Context, c conn, l *listing, n int, err error) ([]customerRow, error) {
	if err != nil {
		return nil, err
	}
	return s.read(ctx, c, l, n)
}

// estimate returns the PostgreSQL planner's guess of how many companies
// the search's pieces find: from the statistics it keeps of the index of
// pieces, without reading it.
func (s search) estimate(ctx context.Context, c conn) (int, error) {
	var plan string
	if err := c.queryRow(ctx, `EXPLAIN (FORMAT JSON) `+s.countCompany, s.countArgs...).Scan(&plan); err != nil {
		return 0, err
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil {
		return 0, fmt.Errorf("read the plan: %w", err)
	}
	if len(out) == 0 {
		return 0, fmt.Errorf("read the plan: no plan")
	}
	return int(out[0].Plan.Rows), nil
}

// read reads up to n rows of listing l through the candidates: the
// customers they name first (SQLite keeps a CROSS JOIN's order), then the
// rest of the listing's test on each.
func (s search) read(ctx context.Context, c conn, l *listing, n int) ([]customerRow, error) {
	through, from := s.through(l)
	return through.rows(ctx, c, from, n)
}

func (s search) through(l *listing) (*listing, string) {
	cand, args := s.byCompany, slices.Clone(s.nameArgs)
	if s.byKeys != "" {
		cand, args = s.byKeys+" UNION ALL "+cand, append(slices.Clone(s.keyArgs), args...)
	}
	through := &listing{dialect: l.dialect, urgent: l.urgent, args: args}
	through.and(`c.id = m.id`)
	through.where, through.args = append(through.where, l.where...), append(through.args, l.args...)
	if s.byKeys == "" {
		// The index of names names each customer once.
		return through, `(` + cand + `) m CROSS JOIN customers c`
	}
	return through, `(SELECT DISTINCT id FROM (` + cand + `) u) m CROSS JOIN customers c`
}

// searchFor returns the search of text q.
func (db *DB) searchFor(q string) search {
	s := search{match: `(c.company LIKE ? ESCAPE '\' OR c.name_key = ? OR c.phone_key = ? OR c.email_key = ? OR c.wechat_key = ?)`}
	like := "%" + escapeLike(q) + "%"
	s.matchArgs = []any{like}
	var arms []string
	for _, col := range personalColumns {
		k := db.keys.MatchKey(col, q)
		s.matchArgs = append(s.matchArgs, k)
		if k != "" {
			arms, s.keyArgs = append(arms, `SELECT id FROM customers WHERE `+col+`_key = ?`), append(s.keyArgs, k)
		}
	}
	s.byKeys = strings.Join(arms, " UNION ALL ")
	if db.dialect == SQLite {
		// LIKE ignores the case of ASCII letters on SQLite; the index
		// holds the pieces of names lower-cased so.
		s.byCompany = `SELECT s.id FROM customer_grams JOIN customer_search s ON s.n = customer_grams.rowid WHERE customer_grams MATCH ?`
		s.countCompany = `SELECT rowid FROM customer_grams WHERE customer_grams MATCH ?`
		s.nameArgs = []any{strings.Join(hexWords(searchPieces(lowerASCII(q))), " ")}
		s.countArgs = s.nameArgs
	} else {
		s.byCompany = `SELECT id FROM customer_search WHERE search_grams(company) @> CAST(? AS TEXT[]) AND company LIKE ? ESCAPE '\'`
		s.nameArgs = []any{searchPieces(q), like}
		// Counting reads the index alone: no row, no exact test.
		s.countCompany = `SELECT 1 FROM customer_search WHERE search_grams(company) @> CAST(? AS TEXT[])`
		s.countArgs = s.nameArgs[:1]
	}
	return s
}

// searchPieces returns the pieces of q that every text holding q holds:
// q itself when it is one character, else its two-character pieces.
func searchPieces(q string) []string {
	r := []rune(q)
	if len(r) < 2 {
		return []string{q}
	}
	var out []string
	for i := range len(r) - 1 {
		if p := string(r[i : i+2]); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// companyPieces returns every one- and two-character piece of a company's
// name: what the index holds of it (search_grams).
func companyPieces(company string) []string {
	r := []rune(company)
	out := make([]string, 0, 2*len(r))
	for i := range r {
		out = append(out, string(r[i]))
		if i+1 < len(r) {
			out = append(out, string(r[i:i+2]))
		}
	}
	return out
}

// hexWords writes each piece as a hex word: the FTS5 tokenizer splits text
// at spaces and punctuation, which pieces may hold, but never a hex word.
func hexWords(pieces []string) []string {
	out := make([]string, len(pieces))
	for i, p := range pieces {
		out[i] = hex.EncodeToString([]byte(p))
	}
	return out
}

// lowerASCII lower-cases the ASCII letters of s and nothing else, as
// SQLite's lower() and LIKE do.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// search_grams is the SQLite function the triggers of migration 00005
// index a company's name with: its pieces, lower-cased, as hex words.
// PostgreSQL has its own, in SQL; the same in SQLite would be compiled
// again with every statement that inserts a customer, at some cost.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("search_grams", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		company, _ := args[0].(string)
		return strings.Join(hexWords(companyPieces(lowerASCII(company))), " "), nil
	})
}
