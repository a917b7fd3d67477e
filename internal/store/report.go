package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// A report is a run, which answers the report, and a drill, which answers
// the ids of the customers behind one of its numbers (the cell's Drill
// key, which the run wrote). Each report's file registers both in its
// init, under its name in gonghai.Reports.
type reportDef struct {
	run   func(ctx context.Context, c conn, r *reportReq) (gonghai.Report, error)
	drill func(ctx context.Context, c conn, r *reportReq, key string) ([]string, error)
}

var reportDefs = map[string]reportDef{}

func registerReport(name string, d reportDef) {
	if _, ok := gonghai.ReportNamed(name); !ok {
		panic("report " + name + " is not in gonghai.Reports")
	}
	reportDefs[name] = d
}

// reportReq is one asking of a report: by whom, for what, resolved.
type reportReq struct {
	Viewer gonghai.User
	Q      gonghai.ReportQuery
	Period gonghai.ReportPeriod
	Scope  gonghai.ReportScope
	// Paths are the department paths of Scope's subtree, when it is one.
	Paths []string
	Now   time.Time
}

// ScopeSQL is a condition keeping the rows a report may count, for a
// table whose department path column is pathCol and whose user column is
// userCol: the subtree's paths, or the one user, or everything. A subtree
// is the exact paths of its departments (they are never moved or
// deleted), so that each is one seek on an index led by the path; a LIKE
// on the prefix could use no index on SQLite, nor under a collation other
// than C on PostgreSQL.
func (r *reportReq) ScopeSQL(pathCol, userCol string) (string, []any) {
	switch {
	case r.Scope.UserID != "":
		return userCol + ` = ?`, []any{r.Scope.UserID}
	case r.Scope.DeptPath != "":
		if len(r.Paths) == 0 {
			return `1 = 0`, nil
		}
		return pathCol + ` IN (` + placeholders(len(r.Paths)) + `)`, anys(r.Paths)
	}
	return `1 = 1`, nil
}

// Micros are the period's bounds as stored: [start, end).
func (r *reportReq) Micros() (start, end int64) {
	return micros(r.Period.Start), micros(r.Period.End)
}

// Report answers report name for q to viewer: the period in the
// organisation's zone, counting whom ScopeReport lets viewer count, only
// pool q.PoolID (one viewer may see) and channel q.ChannelID when set.
func (db *DB) Report(ctx context.Context, viewer gonghai.User, name string, q gonghai.ReportQuery) (gonghai.Report, error) {
	info, def, r, err := db.reportReq(ctx, viewer, name, q)
	if err != nil {
		return gonghai.Report{}, err
	}
	rep, err := def.run(ctx, db.reader(), r)
	if err != nil {
		return gonghai.Report{}, fmt.Errorf("report %s: %w", name, err)
	}
	rep.Name, rep.Title, rep.From, rep.To, rep.Grain = info.Name, info.Title, r.Period.From, r.Period.To, r.Period.Grain
	if rep.Scope, err = db.scopeName(ctx, r.Scope); err != nil {
		return gonghai.Report{}, fmt.Errorf("report %s: %w", name, err)
	}
	if rep.Tables == nil {
		rep.Tables = []gonghai.ReportTable{}
	}
	if rep.Charts == nil {
		rep.Charts = []gonghai.ReportChart{}
	}
	if rep.Notes == nil {
		rep.Notes = []string{}
	}
	return rep, nil
}

// MaxDrill is the most customers a drill-down lists.
const MaxDrill = 500

// ReportCustomers answers the customers behind the number of report name
// whose drill key is key, for the same query: those viewer may see (with
// contacts as viewer may see them), at most MaxDrill, and how many the
// number counted.
func (db *DB) ReportCustomers(ctx context.Context, viewer gonghai.User, name string, q gonghai.ReportQuery, key string) ([]gonghai.Customer, int, error) {
	_, def, r, err := db.reportReq(ctx, viewer, name, q)
	if err != nil {
		return nil, 0, err
	}
	if key == "" || len(key) > 200 {
		return nil, 0, gonghai.Invalid("drill", "a drill key from the report")
	}
	ids, err := def.drill(ctx, db.reader(), r, key)
	if err != nil {
		return nil, 0, fmt.Errorf("report %s customers: %w", name, err)
	}
	ids = distinct(ids)
	out := []gonghai.Customer{}
	for _, id := range ids {
		if len(out) == MaxDrill {
			break
		}
		c, err := db.Customer(ctx, viewer, id)
		var ge *gonghai.Error
		switch {
		case errors.As(err, &ge) && (ge.Code == gonghai.ENotFound || ge.Code == gonghai.EForbidden || ge.Code == gonghai.EMerged):
			// Not the viewer's to see, or merged since into a customer the
			// drill names itself when it should count.
			continue
		case err != nil:
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, len(ids), nil
}

func (db *DB) reportReq(ctx context.Context, viewer gonghai.User, name string, q gonghai.ReportQuery) (gonghai.ReportInfo, reportDef, *reportReq, error) {
	info, ok := gonghai.ReportNamed(name)
	def, has := reportDefs[name]
	if !ok || !has {
		return info, def, nil, gonghai.Errorf(gonghai.ENotFound, "no such report")
	}
	loc := db.location()
	if q.From == "" && q.To == "" {
		d := gonghai.DefaultReportQuery(db.now(), loc)
		q.From, q.To = d.From, d.To
	}
	if q.Days == 0 {
		q.Days = 30
	}
	p, err := q.Period(loc)
	if err != nil {
		return info, def, nil, err
	}
	c := db.reader()
	var dept *gonghai.Department
	if q.DepartmentID != "" {
		d, err := getDepartment(ctx, c, q.DepartmentID)
		if err != nil {
			return info, def, nil, invalidRef(err, "department_id")
		}
		dept = &d
	}
	var user *gonghai.User
	if q.UserID != "" {
		u, err := getUser(ctx, c, q.UserID)
		if err != nil {
			return info, def, nil, invalidRef(err, "user_id")
		}
		user = &u
	}
	scope, err := gonghai.ScopeReport(viewer, dept, user)
	if err != nil {
		var ge *gonghai.Error
		if errors.As(err, &ge) && ge.Code == gonghai.ENotFound {
			field := "user_id"
			if user == nil {
				field = "department_id"
			}
			return info, def, nil, gonghai.Invalid(field, "no such id")
		}
		return info, def, nil, err
	}
	if q.PoolID != "" {
		pool, err := getPoolRules(ctx, c, q.PoolID)
		if err != nil || !seesPool(ctx, c, viewer, pool) {
			return info, def, nil, gonghai.Invalid("pool_id", "no such id")
		}
	}
	if q.ChannelID != "" {
		if _, err := getChannel(ctx, c, q.ChannelID, false); err != nil {
			return info, def, nil, gonghai.Invalid("channel_id", "no such id")
		}
	}
	req := &reportReq{Viewer: viewer, Q: q, Period: p, Scope: scope, Now: db.now()}
	if scope.DeptPath != "" {
		req.Paths, err = collect(ctx, c, `SELECT path FROM departments WHERE path LIKE ?`, []any{likePrefix(scope.DeptPath)},
			func(s scanner) (string, error) {
				var p string
				return p, s.Scan(&p)
			})
		if err != nil {
			return info, def, nil, fmt.Errorf("department paths: %w", err)
		}
	}
	return info, def, req, nil
}

// scopeName says whom a scope counts: 全部, a department's name, a user's.
func (db *DB) scopeName(ctx context.Context, s gonghai.ReportScope) (string, error) {
	c := db.reader()
	switch {
	case s.UserID != "":
		u, err := getUser(ctx, c, s.UserID)
		return u.Name, err
	case s.DeptPath != "":
		parts := strings.Split(strings.Trim(s.DeptPath, "/"), "/")
		d, err := getDepartment(ctx, c, parts[len(parts)-1])
		return d.Name, err
	}
	return "全部", nil
}
