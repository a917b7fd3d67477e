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

// CreateUser adds a user. actor is nil for the command line, which runs
// with the operator's authority; through the API only admins create users.
func (db *DB) CreateUser(ctx context.Context, actor *gonghai.User, in gonghai.NewUser) (gonghai.User, error) {
	u := gonghai.User{ID: newID(), Login: strings.TrimSpace(in.Login), Name: strings.TrimSpace(in.Name), Role: in.Role,
		DepartmentID: in.DepartmentID, Level: strings.TrimSpace(in.Level), HoldingLimit: in.HoldingLimit, Active: true, Created: db.now()}
	if actor != nil {
		if err := gonghai.AdminOnly(*actor, "creates users"); err != nil {
			return u, err
		}
	}
	if err := u.Validate(); err != nil {
		return u, err
	}
	err := db.inTx(ctx, func(c conn) error {
		if u.DepartmentID != "" {
			d, err := getDepartment(ctx, c, u.DepartmentID)
			if err != nil {
				return gonghai.Invalid("department_id", "no such department")
			}
			u.DeptPath = d.Path
		}
		_, err := c.exec(ctx, `INSERT INTO users (id, login, name, role, department_id, level, holding_limit, active, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?)`,
			u.ID, u.Login, u.Name, string(u.Role), nullString(u.DepartmentID), u.Level, u.HoldingLimit, in.PasswordHash, micros(u.Created))
		if errors.Is(mapErr(err), errUnique) {
			return gonghai.Errorf(gonghai.ELoginTaken, "that login is taken")
		}
		if err != nil {
			return err
		}
		e := auditBy(actor, gonghai.AuditUserChange, "user", u.ID, u.Created)
		e.Detail = userChanges(nil, u)
		if err := audit(ctx, c, e); err != nil || in.PasswordHash == "" {
			return err
		}
		return audit(ctx, c, auditBy(actor, gonghai.AuditPasswordSet, "user", u.ID, u.Created))
	})
	if err != nil {
		return u, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

const userColumns = `u.id, u.login, u.name, u.role, u.department_id, COALESCE(d.path, ''), u.level, u.holding_limit, u.active, u.created_at, u.export_unmasked,
	u.away_until, u.assign_paused, u.daily_assign_cap`
const userFrom = ` FROM users u LEFT JOIN departments d ON d.id = u.department_id `

func scanUser(s scanner) (gonghai.User, error) {
	var u gonghai.User
	var dept sql.NullString
	var limit sql.NullInt64
	var created int64
	var away sql.NullInt64
	err := s.Scan(&u.ID, &u.Login, &u.Name, &u.Role, &dept, &u.DeptPath, &u.Level, &limit, &u.Active, &created, &u.ExportUnmasked,
		&away, &u.AssignPaused, &u.DailyAssignCap)
	u.DepartmentID, u.Created, u.AwayUntil = dept.String, fromMicros(created), nullMicros(away)
	if limit.Valid {
		n := int(limit.Int64)
		u.HoldingLimit = &n
	}
	return u, err
}

func getUser(ctx context.Context, c conn, id string) (gonghai.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`, id))
	return u, notFound(err, "user")
}

// User returns the user with id, if viewer may see them: admins see
// everyone, managers their department subtree, reps themselves.
func (db *DB) User(ctx context.Context, viewer gonghai.User, id string) (gonghai.User, error) {
	u, err := getUser(ctx, db.reader(), id)
	if err != nil {
		return u, err
	}
	if !gonghai.SeesUser(viewer, u) {
		return gonghai.User{}, gonghai.Errorf(gonghai.ENotFound, "no such user")
	}
	return u, nil
}

// UserByLogin returns the user with login.
func (db *DB) UserByLogin(ctx context.Context, login string) (gonghai.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+userFrom+`WHERE u.login = ?`, login))
	return u, notFound(err, "user")
}

// Users lists the users viewer may see, a page at a time in id order.
func (db *DB) Users(ctx context.Context, viewer gonghai.User, p gonghai.Page) ([]gonghai.User, string, error) {
	return db.FilterUsers(ctx, viewer, gonghai.UserFilter{}, p)
}

// FilterUsers lists the users viewer may see that match f, a page at a
// time in id order.
func (db *DB) FilterUsers(ctx context.Context, viewer gonghai.User, f gonghai.UserFilter, p gonghai.Page) ([]gonghai.User, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	where, args := "u.id > ?", []any{p.After}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		where += ` AND (LOWER(u.login) LIKE ? ESCAPE '\' OR LOWER(u.name) LIKE ? ESCAPE '\')`
		args = append(args, "%"+escapeLike(q)+"%", "%"+escapeLike(q)+"%")
	}
	for _, eq := range []struct{ col, v string }{{"u.role", string(f.Role)}, {"u.department_id", f.DepartmentID}} {
		if eq.v != "" {
			where, args = where+" AND "+eq.col+" = ?", append(args, eq.v)
		}
	}
	if f.Active != "" {
		where, args = where+" AND u.active = ?", append(args, f.Active == "true")
	}
	switch viewer.Role {
	case gonghai.RoleAdmin:
	case gonghai.RoleManager:
		if viewer.DeptPath == "" { // manages nobody: sees only themselves
			where += " AND u.id = ?"
			args = append(args, viewer.ID)
			break
		}
		where += " AND d.path LIKE ?"
		args = append(args, likePrefix(viewer.DeptPath))
	default:
		where += " AND u.id = ?"
		args = append(args, viewer.ID)
	}
	out, err := collect(ctx, db.reader(), `SELECT `+userColumns+userFrom+`WHERE `+where+` ORDER BY u.id LIMIT ?`, append(args, p.Size()+1), scanUser)
	if err != nil {
		return nil, "", fmt.Errorf("users: %w", err)
	}
	out, next := pageOf(out, p, func(u gonghai.User) string { return u.ID })
	return out, next, nil
}

// UserByID returns the user with id, active or not: for signing in, where
// no viewer asks.
func (db *DB) UserByID(ctx context.Context, id string) (gonghai.User, error) {
	return getUser(ctx, db.reader(), id)
}

// SetPassword stores a new password hash for login and records it. actor
// is nil for the command line; otherwise only admins set passwords.
func (db *DB) SetPassword(ctx context.Context, actor *gonghai.User, login, hash string) error {
	if actor != nil {
		if err := gonghai.AdminOnly(*actor, "sets passwords"); err != nil {
			return err
		}
	}
	if hash == "" {
		return gonghai.Invalid("password", "empty")
	}
	err := db.inTx(ctx, func(c conn) error {
		var id string
		err := c.queryRow(ctx, `UPDATE users SET password_hash = ? WHERE login = ? RETURNING id`, hash, login).Scan(&id)
		if err != nil {
			return notFound(err, "user")
		}
		// Whoever knew the old password is signed out everywhere, and the
		// tokens they may have made with it end too.
		if _, err := c.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		if _, err := endTokens(ctx, c, actor, id, "password_set", db.now()); err != nil {
			return err
		}
		return audit(ctx, c, auditBy(actor, gonghai.AuditPasswordSet, "user", id, db.now()))
	})
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// RehashPassword replaces user id's password hash old with hash, a hash
// of the same password with newer parameters, made when the user signed
// in. It is no new password: sessions and tokens stay, and the audit log
// records nothing. A hash changed meanwhile (a new password) is kept.
func (db *DB) RehashPassword(ctx context.Context, id, old, hash string) error {
	err := db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, hash, id, old)
		return err
	})
	if err != nil {
		return fmt.Errorf("rehash password: %w", err)
	}
	return nil
}

// likePrefix returns a LIKE pattern matching strings that start with s;
// department paths hold only ids and slashes, which LIKE treats literally.
func likePrefix(s string) string { return s + "%" }

// UpdateUser changes a user; admins only. An admin cannot demote or
// deactivate themselves, so an organisation always keeps an admin who can
// undo a mistake.
func (db *DB) UpdateUser(ctx context.Context, actor gonghai.User, id string, p gonghai.UserPatch) (gonghai.User, error) {
	var u gonghai.User
	if err := gonghai.CanChangeUser(actor, id, p); err != nil {
		// Who may not see the user learns nothing of them.
		if _, serr := db.User(ctx, actor, id); serr != nil {
			return u, serr
		}
		return u, err
	}
	err := db.inTx(ctx, func(c conn) error {
		var err error
		if u, err = getUser(ctx, c, id); err != nil {
			return err
		}
		before := u
		p.Apply(&u)
		err = u.Validate()
		if p.DepartmentID != nil && u.DepartmentID != "" {
			if _, derr := getDepartment(ctx, c, u.DepartmentID); derr != nil {
				err = withField(err, "invalid user", "department_id", "no such department")
			}
		}
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `UPDATE users SET name = ?, role = ?, department_id = ?, level = ?, holding_limit = ?, active = ?,
			export_unmasked = ? WHERE id = ?`,
			u.Name, string(u.Role), nullString(u.DepartmentID), u.Level, u.HoldingLimit, u.Active, u.ExportUnmasked, id)
		if err != nil {
			return err
		}
		if u, err = getUser(ctx, c, id); err != nil {
			return err
		}
		if before.Active && !u.Active {
			// Deactivation ends sessions and tokens for good: reactivating
			// brings none back.
			if _, err := c.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
			if _, err := endTokens(ctx, c, &actor, id, "deactivated", db.now()); err != nil {
				return err
			}
		}
		if changed := userChanges(&before, u); len(changed) > 0 {
			e := auditBy(&actor, gonghai.AuditUserChange, "user", id, db.now())
			e.Detail = changed
			return audit(ctx, c, e)
		}
		return nil
	})
	if err != nil {
		return u, fmt.Errorf("update user %s: %w", id, err)
	}
	return u, nil
}

// userChanges is the audit detail of a user's change from before (nil for
// a new user) to after: "old->new" for role, department, level, limit and
// active flag, and only "changed" for the name, which is personal data. The
// login never changes and is never logged.
func userChanges(before *gonghai.User, after gonghai.User) map[string]string {
	limit := func(u gonghai.User) string {
		if u.HoldingLimit == nil {
			return "none"
		}
		return strconv.Itoa(*u.HoldingLimit)
	}
	fields := func(u gonghai.User) [][2]string {
		return [][2]string{{"role", string(u.Role)}, {"department_id", u.DepartmentID}, {"level", u.Level},
			{"holding_limit", limit(u)}, {"active", strconv.FormatBool(u.Active)}}
	}
	out := map[string]string{}
	if before == nil {
		for _, f := range fields(after) {
			out[f[0]] = f[1]
		}
		return out
	}
	old := fields(*before)
	for i, f := range fields(after) {
		if f[1] != old[i][1] {
			out[f[0]] = old[i][1] + "->" + f[1]
		}
	}
	if before.Name != after.Name {
		out["name"] = "changed"
	}
	// A new user never holds the export permission: only its grant and
	// withdrawal are news.
	if before.ExportUnmasked != after.ExportUnmasked {
		out["export_unmasked"] = strconv.FormatBool(before.ExportUnmasked) + "->" + strconv.FormatBool(after.ExportUnmasked)
	}
	return out
}
