package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai"
)

// CreateDepartment adds a department under parentID ("" for a root);
// admins only.
func (db *DB) CreateDepartment(ctx context.Context, actor gonghai.User, name, parentID string) (gonghai.Department, error) {
	d := gonghai.Department{ID: newID(), ParentID: parentID, Created: db.now()}
	if err := gonghai.AdminOnly(actor, "creates departments"); err != nil {
		return d, err
	}
	var err error
	if d.Name, err = gonghai.CleanDepartmentName(name); err != nil {
		return d, err
	}
	err = db.inTx(ctx, func(c conn) error {
		parentPath := "/"
		if parentID != "" {
			p, err := getDepartment(ctx, c, parentID)
			if err != nil {
				var e *gonghai.Error
				if errors.As(err, &e) && e.Code == gonghai.ENotFound {
					return gonghai.Invalid("parent_id", "no such department")
				}
				return err
			}
			parentPath = p.Path
		}
		d.Path = parentPath + d.ID + "/"
		_, err := c.exec(ctx, `INSERT INTO departments (id, name, parent_id, path, created_at) VALUES (?, ?, ?, ?, ?)`,
			d.ID, d.Name, nullString(parentID), d.Path, micros(d.Created))
		return err
	})
	if err != nil {
		return d, fmt.Errorf("create department: %w", err)
	}
	return d, nil
}

// Departments lists every department, parents before children.
func (db *DB) Departments(ctx context.Context) ([]gonghai.Department, error) {
	out, err := collect(ctx, db.reader(), `SELECT id, name, parent_id, path, created_at FROM departments ORDER BY path`, nil, scanDepartment)
	if err != nil {
		return nil, fmt.Errorf("departments: %w", err)
	}
	return out, nil
}

func getDepartment(ctx context.Context, c conn, id string) (gonghai.Department, error) {
	d, err := scanDepartment(c.queryRow(ctx, `SELECT id, name, parent_id, path, created_at FROM departments WHERE id = ?`, id))
	return d, notFound(err, "department")
}

type scanner interface{ Scan(dest ...any) error }

func scanDepartment(s scanner) (gonghai.Department, error) {
	var d gonghai.Department
	var parent sql.NullString
	var created int64
	err := s.Scan(&d.ID, &d.Name, &parent, &d.Path, &created)
	d.ParentID, d.Created = parent.String, fromMicros(created)
	return d, err
}
