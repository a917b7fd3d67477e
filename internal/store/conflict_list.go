package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// conflictSelect reads a conflict as a list shows it, with the facts that
// decide who sees it: the department path of the actor's department then
// and that of the matched owner's department now.
const conflictSelect = `SELECT k.id, k.kind, k.status, k.at, k.actor_id, k.department_id, k.field, k.company,
	k.matched_id, k.matched_owner_id, k.new_id, k.import_id, k.row_number, k.resolved_by, k.resolved_at, k.note,
	COALESCE(au.name, ''), COALESCE(mc.company, ''), COALESCE(mo.name, ''), COALESCE(ru.name, ''),
	COALESCE(ad.path, ''), COALESCE(md.path, '')
	FROM conflicts k
	LEFT JOIN users au ON au.id = k.actor_id
	LEFT JOIN departments ad ON ad.id = k.department_id
	LEFT JOIN customers mc ON mc.id = k.matched_id
	LEFT JOIN users mo ON mo.id = k.matched_owner_id
	LEFT JOIN departments md ON md.id = mo.department_id
	LEFT JOIN users ru ON ru.id = k.resolved_by `

func scanConflict(s scanner) (gonghai.ConflictView, gonghai.ConflictFacts, error) {
	var v gonghai.ConflictView
	var f gonghai.ConflictFacts
	k := &v.Conflict
	var at int64
	var resolvedAt sql.NullInt64
	var actor, dept, owner, newID, importID, resolvedBy sql.NullString
	err := s.Scan(&k.ID, &k.Kind, &k.Status, &at, &actor, &dept, &k.Field, &k.Company, &k.MatchedID, &owner, &newID,
		&importID, &k.Row, &resolvedBy, &resolvedAt, &k.Note, &v.ActorName, &v.MatchedCompany, &v.MatchedOwnerName,
		&v.ResolvedByName, &f.ActorDeptPath, &f.OwnerDeptPath)
	k.At, k.ResolvedAt = fromMicros(at), nullMicros(resolvedAt)
	k.ActorID, k.DepartmentID, k.MatchedOwnerID, k.NewID = actor.String, dept.String, owner.String, newID.String
	k.ImportID, k.ResolvedBy = importID.String, resolvedBy.String
	f.Conflict = v.Conflict
	return v, f, err
}

// conflictScope returns the condition keeping the conflicts viewer sees
// (gonghai.SeesConflict), in SQL, with its arguments.
func conflictScope(viewer gonghai.User) (string, []any, error) {
	if err := gonghai.CanArbitrate(viewer); err != nil {
		return "", nil, err
	}
	if viewer.Role == gonghai.RoleAdmin {
		return `1 = 1`, nil, nil
	}
	if viewer.DeptPath == "" {
		return `1 = 0`, nil, nil // a manager of no department manages no one
	}
	sub := escapeLike(viewer.DeptPath) + "%"
	return `(ad.path LIKE ? ESCAPE '\' OR md.path LIKE ? ESCAPE '\')`, []any{sub, sub}, nil
}

// Conflicts lists the conflicts viewer sees (admins all, managers their
// subtree's; reps none: forbidden), filtered, newest first, with the
// number of open ones among all viewer sees.
func (db *DB) Conflicts(ctx context.Context, viewer gonghai.User, f gonghai.ConflictFilter, pg gonghai.Page) (gonghai.ConflictPage, error) {
	var out gonghai.ConflictPage
	if err := f.Validate(); err != nil {
		return out, err
	}
	scope, args, err := conflictScope(viewer)
	if err != nil {
		return out, err
	}
	c := db.reader()
	if out.Open, err = db.openConflicts(ctx, c, scope, args); err != nil {
		return out, err
	}
	where := []string{scope}
	if f.Status != "" {
		where, args = append(where, `k.status = ?`), append(args, string(f.Status))
	}
	if f.Kind != "" {
		where, args = append(where, `k.kind = ?`), append(args, string(f.Kind))
	}
	if f.DepartmentID != "" {
		var path string
		err := c.queryRow(ctx, `SELECT path FROM departments WHERE id = ?`, f.DepartmentID).Scan(&path)
		if err != nil {
			return out, invalidRef(notFound(err, "department"), "department_id")
		}
		where, args = append(where, `ad.path LIKE ? ESCAPE '\'`), append(args, escapeLike(path)+"%")
	}
	if !f.From.IsZero() {
		where, args = append(where, `k.at >= ?`), append(args, micros(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, `k.at < ?`), append(args, micros(f.To))
	}
	if pg.After != "" {
		// The key is "at:id": newest first, ties by id.
		at, id, ok := strings.Cut(pg.After, ":")
		n, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil {
			return out, gonghai.Invalid("cursor", "not a cursor from this API")
		}
		where, args = append(where, `(k.at < ? OR (k.at = ? AND k.id < ?))`), append(args, n, n, id)
	}
	rows, err := collect(ctx, c, conflictSelect+`WHERE `+strings.Join(where, " AND ")+` ORDER BY k.at DESC, k.id DESC LIMIT ?`,
		append(args, pg.Size()+1), func(s scanner) (gonghai.ConflictView, error) {
			v, _, err := scanConflict(s)
			return v, err
		})
	if err != nil {
		return out, fmt.Errorf("list conflicts: %w", err)
	}
	out.Conflicts, out.Next = pageOf(rows, pg, func(v gonghai.ConflictView) string {
		return fmt.Sprintf("%d:%s", micros(v.At), v.ID)
	})
	return out, nil
}

// OpenConflicts counts the open conflicts viewer sees, up to
// gonghai.MaxCount: the badge of the conflicts' nav entry. Reps see none.
func (db *DB) OpenConflicts(ctx context.Context, viewer gonghai.User) (int, error) {
	scope, args, err := conflictScope(viewer)
	if err != nil {
		return 0, nil // a rep has no conflicts to arbitrate: no badge
	}
	return db.openConflicts(ctx, db.reader(), scope, args)
}

func (db *DB) openConflicts(ctx context.Context, c conn, scope string, args []any) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM conflicts k
		LEFT JOIN departments ad ON ad.id = k.department_id
		LEFT JOIN users mo ON mo.id = k.matched_owner_id
		LEFT JOIN departments md ON md.id = mo.department_id
		WHERE k.status = 'open' AND `+scope+` LIMIT ?) n`, append(append([]any{}, args...), gonghai.MaxCount)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count open conflicts: %w", err)
	}
	return n, nil
}

// getConflict reads conflict id with the facts about it; for update, on
// PostgreSQL, with its row locked until commit.
func getConflict(ctx context.Context, c conn, id string, forUpdate bool) (gonghai.ConflictView, gonghai.ConflictFacts, error) {
	q := conflictSelect + `WHERE k.id = ?`
	if forUpdate && c.dialect == Postgres {
		q += ` FOR UPDATE OF k`
	}
	v, f, err := scanConflict(c.queryRow(ctx, q, id))
	if err != nil {
		return v, f, notFound(err, "conflict")
	}
	return v, f, nil
}

// Conflict returns conflict id with both its customers as viewer may see
// them. A conflict viewer does not see is not found; so is a customer of
// it viewer does not see (left nil, the company still named).
func (db *DB) Conflict(ctx context.Context, viewer gonghai.User, id string) (gonghai.ConflictDetail, error) {
	var out gonghai.ConflictDetail
	if err := gonghai.CanArbitrate(viewer); err != nil {
		return out, err
	}
	c := db.reader()
	v, f, err := getConflict(ctx, c, id, false)
	if err != nil {
		return out, err
	}
	if !gonghai.SeesConflict(viewer, f) {
		return out, gonghai.Errorf(gonghai.ENotFound, "no such conflict")
	}
	out.ConflictView = v
	var merged *gonghai.Error
	switch m, err := db.Customer(ctx, viewer, v.MatchedID); {
	case err == nil:
		out.Matched = &m
	case errors.As(err, &merged) && merged.Code == gonghai.EMerged:
		out.MatchedMergedInto = merged.MergedInto
	case gonghai.ErrorCode(err) != gonghai.ENotFound:
		return out, err
	}
	if v.NewID != "" {
		switch n, err := db.Customer(ctx, viewer, v.NewID); {
		case err == nil:
			out.New = &n
		case errors.As(err, &merged) && merged.Code == gonghai.EMerged:
			out.NewMergedInto = merged.MergedInto
		case gonghai.ErrorCode(err) != gonghai.ENotFound:
			return out, err
		}
	}
	out.MatchedSeq, err = eventSeq(ctx, c, v.MatchedID)
	if err == nil && v.NewID != "" {
		out.NewSeq, err = eventSeq(ctx, c, v.NewID)
	}
	return out, err
}

// eventSeq reads customer id's latest ownership event number.
func eventSeq(ctx context.Context, c conn, id string) (int, error) {
	var n int
	if err := c.queryRow(ctx, `SELECT event_seq FROM customers WHERE id = ?`, id).Scan(&n); err != nil {
		return 0, notFound(err, "customer")
	}
	return n, nil
}

// ConflictRates returns the months from and to (YYYY-MM, both included)
// of the departments viewer arbitrates for: new customers and conflicts,
// from which gonghai.DepartmentMonth.Rate computes the conflict rate.
// Admins read every department (and "" for users in none), managers their
// subtree's; months without either are absent.
func (db *DB) ConflictRates(ctx context.Context, viewer gonghai.User, from, to string) ([]gonghai.DepartmentMonth, error) {
	if err := gonghai.CanArbitrate(viewer); err != nil {
		return nil, err
	}
	for _, x := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if !validMonth(x.v) {
			return nil, gonghai.Invalid(x.name, "a month, YYYY-MM")
		}
	}
	q, args := `SELECT m.department_id, COALESCE(d.name, ''), m.month, m.created, m.conflicts FROM department_months m
		LEFT JOIN departments d ON d.id = m.department_id WHERE m.month >= ? AND m.month <= ?`, []any{from, to}
	if viewer.Role != gonghai.RoleAdmin {
		if viewer.DeptPath == "" {
			return []gonghai.DepartmentMonth{}, nil
		}
		q, args = q+` AND d.path LIKE ? ESCAPE '\'`, append(args, escapeLike(viewer.DeptPath)+"%")
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY m.month, COALESCE(d.path, ''), m.department_id`, args,
		func(s scanner) (gonghai.DepartmentMonth, error) {
			var d gonghai.DepartmentMonth
			err := s.Scan(&d.DepartmentID, &d.DepartmentName, &d.Month, &d.Created, &d.Conflicts)
			return d, err
		})
	if err != nil {
		return nil, fmt.Errorf("conflict rates: %w", err)
	}
	return out, nil
}

// validMonth reports whether m is a month as department_months keys it.
func validMonth(m string) bool {
	if len(m) != 7 || m[4] != '-' {
		return false
	}
	y, err1 := strconv.Atoi(m[:4])
	mo, err2 := strconv.Atoi(m[5:])
	return err1 == nil && err2 == nil && y >= 2000 && mo >= 1 && mo <= 12
}
