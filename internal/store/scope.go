package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gonghai/gonghai"
)

// Customers lists the customers viewer may list, filtered, newest or most
// urgent first, with how many the whole listing holds. Whose they are is
// the root package's decision: every customer for those who list every
// customer (gonghai.ListsEveryCustomer), else the customers owned by the
// users viewer sees (gonghai.SeesUser, as Users reads them); a pool's
// unowned customers for those who see the pool.
func (db *DB) Customers(ctx context.Context, viewer gonghai.User, f gonghai.ScopeFilter, pg gonghai.Page) (gonghai.CustomerPage, error) {
	var out gonghai.CustomerPage
	if err := f.Validate(); err != nil {
		return out, err
	}
	c := db.reader()
	l, own, err := db.scopeListing(ctx, c, viewer, &f)
	if err != nil {
		return out, err
	}
	if f.PoolID != "" && !f.Unowned {
		l.and(`c.pool_id = ?`, f.PoolID)
	}
	if f.DueDays > 0 {
		// A countdown of n days or fewer (gonghai.DaysLeft) is a deadline
		// before the start of the day after the n-th; the overdue, not yet
		// taken back, are among them.
		bound := micros(gonghai.AddDays(db.now(), f.DueDays+1, db.location()))
		if l.urgent && !l.every {
			l.key(due+` < ?`, bound) // the urgent order's index reads the owner's by deadline
		} else {
			l.and(due+` < ?`, bound)
		}
	}
	if !own && gonghai.ContactShaped(f.Q) {
		// As in a pool's listing: a masked phone must not be unmasked by
		// trying its 10,000 forms.
		if err := db.lookedUp(ctx, viewer); err != nil {
			return out, err
		}
	}
	if out.Total, out.More, err = db.total(ctx, c, l, f.CustomerFilter); err != nil {
		return out, fmt.Errorf("count customers: %w", err)
	}
	out.Customers, out.Next, err = db.listCustomers(ctx, viewer, l, f.CustomerFilter, pg)
	return out, err
}

// scopeListing starts the listing of the customers viewer may list that
// filter f keeps by owner or pool, and reports whether they are all
// viewer's own. A listing of a pool's unowned customers is newest first:
// f's order becomes that.
func (db *DB) scopeListing(ctx context.Context, c conn, viewer gonghai.User, f *gonghai.ScopeFilter) (*listing, bool, error) {
	switch {
	case f.Unowned:
		f.Sort = gonghai.SortNewest
		if f.PoolID == "" {
			if !gonghai.ListsEveryCustomer(viewer) {
				return nil, false, gonghai.Invalid("pool_id", "required with unowned")
			}
			l := db.everyListing(f.Sort)
			l.and(`c.owner_id IS NULL`)
			return l, false, nil
		}
		p, err := getPoolRules(ctx, c, f.PoolID)
		if err != nil {
			return nil, false, err
		}
		if !seesPool(ctx, c, viewer, p) {
			return nil, false, gonghai.Errorf(gonghai.ENotFound, "no such pool")
		}
		return db.poolListing(p.ID), false, nil
	case f.OwnerID != "":
		// A user viewer may not see is no user to them, as elsewhere.
		u, err := getUser(ctx, c, f.OwnerID)
		if err != nil || !gonghai.SeesUser(viewer, u) {
			return nil, false, invalidRef(orNotFound(err), "owner_id")
		}
		return db.ownerListing(u.ID, f.Sort), u.ID == viewer.ID, nil
	case gonghai.ListsEveryCustomer(viewer):
		return db.everyListing(f.Sort), false, nil
	}
	ids, err := db.seenUsers(ctx, viewer)
	if err != nil {
		return nil, false, fmt.Errorf("list customers: %w", err)
	}
	return db.ownersListing(ids, f.Sort), len(ids) == 1 && ids[0] == viewer.ID, nil
}

// orNotFound is err, or a not-found error when there is none: for a user
// read but not seen.
func orNotFound(err error) error {
	if err == nil {
		return gonghai.Errorf(gonghai.ENotFound, "no such user")
	}
	return err
}

// SeenUsers returns every user viewer sees, in the order Users pages
// them: a manager's department subtree, an admin's everyone, a rep
// themselves; the leavers among them, whose customers wait to be handed
// over.
func (db *DB) SeenUsers(ctx context.Context, viewer gonghai.User) ([]gonghai.User, error) {
	var out []gonghai.User
	pg := gonghai.Page{Limit: gonghai.MaxPageSize}
	for {
		us, next, err := db.Users(ctx, viewer, pg)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
		if next == "" {
			return out, nil
		}
		pg.After = next
	}
}

// seenUsers returns the ids of SeenUsers.
func (db *DB) seenUsers(ctx context.Context, viewer gonghai.User) ([]string, error) {
	us, err := db.SeenUsers(ctx, viewer)
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids, err
}

// ownersListing starts the listing of the customers users ids own, in
// order sort. Counted, searched or walked, it reads the owners' ranges of
// the holder's indexes (the urgent order's, by owner); a page of it reads
// each owner's first rows alone and merges them (mergeSQL), so that it
// costs the owners' number, not their customers'.
func (db *DB) ownersListing(ids []string, sort string) *listing {
	if len(ids) == 1 {
		return db.ownerListing(ids[0], sort)
	}
	l := &listing{dialect: db.dialect, urgent: sort == gonghai.SortUrgent, table: `customers c`}
	col, prefix := holder, "u:" // the listing's indexes start with the holder
	if l.urgent {
		col, prefix = `c.owner_id`, "" // the urgent order's, with the owner
	}
	l.eachCol, l.each = col, make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		l.each[i], args[i] = prefix+id, prefix+id
	}
	l.key(col+` IN (`+placeholders(len(ids))+`)`, args...)
	return l
}

// maxArms is the most arms SQLite's union of mergeSQL takes: it refuses a
// compound of more than 500. A listing of more owners reads their ranges
// and sorts them, as PostgreSQL would without the lateral join.
const maxArms = 200

// mergeSQL is the query of the ids of a page of n rows of listing l, one
// holder at a time: each holder's first n rows in the listing's order,
// read through its index range, then merged in order. Each holder takes
// the place of the list of them, the listing's first condition
// (ownersListing). PostgreSQL reads them in one lateral join, planned
// once; SQLite, which has none, in one arm of a union each.
func (l *listing) mergeSQL(n int) (string, []any) {
	sortKey, outer := `c.id`, `m.k DESC`
	if l.urgent {
		sortKey, outer = due, `m.k, m.id`
	}
	rest, restArgs := l.where[1:], l.args[len(l.each):]
	arm := func(holder string) string {
		return `SELECT c.id, ` + sortKey + ` AS k FROM ` + l.table + ` WHERE ` + strings.Join(append([]string{l.eachCol + ` = ` + holder}, rest...), " AND ") +
			` ORDER BY ` + l.order() + ` LIMIT ?`
	}
	if l.dialect == Postgres {
		args := append(append([]any{l.each}, restArgs...), n, n)
		return `SELECT m.id FROM unnest(CAST(? AS TEXT[])) h(v) CROSS JOIN LATERAL (` + arm(`h.v`) + `) m ORDER BY ` + outer + ` LIMIT ?`, args
	}
	var arms []string
	var args []any
	for i, v := range l.each {
		arms = append(arms, fmt.Sprintf(`SELECT * FROM (%s) a%d`, arm(`?`), i))
		args = append(append(append(args, v), restArgs...), n)
	}
	return `SELECT m.id FROM (` + strings.Join(arms, ` UNION ALL `) + `) m ORDER BY ` + outer + ` LIMIT ?`, append(args, n)
}

// everyListing starts the listing of every customer, owned or not, in
// order sort.
func (db *DB) everyListing(sort string) *listing {
	l := &listing{dialect: db.dialect, urgent: sort == gonghai.SortUrgent, every: true, table: `customers c`}
	// A condition every row meets keeps the listing's queries whole: they
	// join their conditions and keys with AND.
	l.key(`c.id IS NOT NULL`)
	return l
}

// total counts the rows of listing l that filter f keeps, from its first,
// up to gonghai.MaxCount, and reports whether there are more. A search
// counts through its candidates when they are few, as it reads them.
func (db *DB) total(ctx context.Context, c conn, l *listing, f gonghai.CustomerFilter) (int, bool, error) {
	t := l.clone()
	if err := t.narrow(ctx, c, t.filter(f)); err != nil {
		return 0, false, err
	}
	from := t.table
	if q := strings.TrimSpace(f.Q); q != "" {
		s := db.searchFor(q)
		t.and(s.match, s.matchArgs...)
		few, err := db.fewCandidates(ctx, c, s)
		if err != nil {
			return 0, false, err
		}
		if few {
			t, from = s.through(t)
		}
	}
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+from+` WHERE `+strings.Join(t.where, " AND ")+` LIMIT ?) p`,
		append(slices.Clone(t.args), gonghai.MaxCount+1)...).Scan(&n)
	return min(n, gonghai.MaxCount), n > gonghai.MaxCount, err
}

// fewCandidates reports whether search s has few enough candidates to be
// read through them, as searchPage decides: on PostgreSQL, when the
// planner does not expect many, since counting the many costs more than
// walking.
func (db *DB) fewCandidates(ctx context.Context, c conn, s search) (bool, error) {
	if db.dialect == Postgres {
		guess, err := s.estimate(ctx, c)
		if err != nil || guess > searchProbe {
			return false, err
		}
	}
	return s.few(ctx, c)
}
