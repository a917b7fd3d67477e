package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// insertConflict records k (its ID is made here when empty) and counts it
// for its actor's department and month: written in the transaction of the
// act that met it, or alone after a refusal, whose own transaction rolled
// back.
func insertConflict(ctx context.Context, c conn, k gonghai.Conflict, loc *time.Location) (gonghai.Conflict, error) {
	if k.ID == "" {
		k.ID = newID()
	}
	if k.Status == "" {
		k.Status = gonghai.ConflictOpen
	}
	dept, err := departmentOf(ctx, c, k.ActorID)
	if err != nil {
		return k, err
	}
	k.DepartmentID = dept
	_, err = c.exec(ctx, `INSERT INTO conflicts (id, kind, status, at, actor_id, department_id, field, company, matched_id,
		matched_owner_id, new_id, import_id, row_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, string(k.Kind), string(k.Status), micros(k.At), nullString(k.ActorID), nullString(dept), k.Field, k.Company,
		k.MatchedID, nullString(k.MatchedOwnerID), nullString(k.NewID), nullString(k.ImportID), k.Row)
	if err != nil {
		return k, fmt.Errorf("record conflict: %w", mapErr(err))
	}
	return k, countMonth(ctx, c, dept, k.At, loc, 0, 1)
}

// countNew counts n customers created by actorID at for the conflict rate.
func countNew(ctx context.Context, c conn, actorID string, at time.Time, loc *time.Location, n int) error {
	dept, err := departmentOf(ctx, c, actorID)
	if err != nil {
		return err
	}
	return countMonth(ctx, c, dept, at, loc, n, 0)
}

// countMonth adds to a department's month: new customers and conflicts.
func countMonth(ctx context.Context, c conn, dept string, at time.Time, loc *time.Location, created, conflicts int) error {
	_, err := c.exec(ctx, `INSERT INTO department_months (department_id, month, created, conflicts) VALUES (?, ?, ?, ?)
		ON CONFLICT (department_id, month) DO UPDATE SET created = department_months.created + excluded.created,
		conflicts = department_months.conflicts + excluded.conflicts`,
		dept, at.In(loc).Format("2006-01"), created, conflicts)
	if err != nil {
		return fmt.Errorf("count department month: %w", err)
	}
	return nil
}

// departmentOf returns user id's department, "" for none or no user.
func departmentOf(ctx context.Context, c conn, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	var dept sql.NullString
	if err := c.queryRow(ctx, `SELECT department_id FROM users WHERE id = ?`, id).Scan(&dept); err != nil {
		return "", fmt.Errorf("department of user: %w", notFound(err, "user"))
	}
	return dept.String, nil
}
