package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/gonghai/gonghai"
)

// PoolCustomers lists the unowned customers of a pool, newest first, for a
// viewer who may see the pool.
func (db *DB) PoolCustomers(ctx context.Context, viewer gonghai.User, poolID string, f gonghai.CustomerFilter, pg gonghai.Page) ([]gonghai.Customer, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	c := db.reader()
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return nil, "", err
	}
	if !seesPool(ctx, c, viewer, p) {
		return nil, "", gonghai.Errorf(gonghai.ENotFound, "no such pool")
	}
	f.Sort = gonghai.SortNewest
	if gonghai.ContactShaped(f.Q) {
		// A phone or email matches whole, and each try is counted: a
		// masked phone must not be unmasked by trying its 10,000 forms.
		if err := db.lookedUp(ctx, viewer); err != nil {
			return nil, "", err
		}
	}
	return db.listCustomers(ctx, viewer, []string{"c.pool_id = ?", "c.owner_id IS NULL"}, []any{poolID}, f, pg)
}

// MyCustomers lists the viewer's private pool, filtered like a pool
// listing, newest or most urgent first. A search by phone or email here is
// no look-up: the owner sees these contacts in full anyway.
func (db *DB) MyCustomers(ctx context.Context, viewer gonghai.User, f gonghai.CustomerFilter, pg gonghai.Page) ([]gonghai.Customer, string, error) {
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	return db.listCustomers(ctx, viewer, []string{"c.owner_id = ?"}, []any{viewer.ID}, f, pg)
}

// noDeadline stands for "no rule takes it back" in the urgent order, so
// that those customers come last.
const noDeadline = int64(1<<63 - 1)

// listCustomers lists the customers that match where and filter f, a page
// at a time in f's order.
func (db *DB) listCustomers(ctx context.Context, viewer gonghai.User, where []string, args []any, f gonghai.CustomerFilter, pg gonghai.Page) ([]gonghai.Customer, string, error) {
	where, args = db.filter(where, args, f)
	order, key := `c.id DESC`, func(c gonghai.Customer) string { return c.ID }
	switch f.Sort {
	case gonghai.SortNewest, "":
		if strings.Contains(pg.After, ":") {
			// A cursor of the urgent order: it would page from nowhere here.
			return nil, "", gonghai.Invalid("cursor", "not a cursor of this order")
		}
		if pg.After != "" {
			where, args = append(where, "c.id < ?"), append(args, pg.After)
		}
	case gonghai.SortUrgent:
		due := `COALESCE(c.recycle_at, ` + strconv.FormatInt(noDeadline, 10) + `)`
		order = due + `, c.id`
		key = func(c gonghai.Customer) string {
			at := noDeadline
			if c.Recycle != nil {
				at = micros(c.Recycle.At)
			}
			return strconv.FormatInt(at, 10) + ":" + c.ID
		}
		if pg.After != "" {
			at, id, ok := strings.Cut(pg.After, ":")
			n, err := strconv.ParseInt(at, 10, 64)
			if !ok || err != nil {
				return nil, "", gonghai.Invalid("cursor", "not a cursor of this order")
			}
			where, args = append(where, `(`+due+` > ? OR (`+due+` = ? AND c.id > ?))`), append(args, n, n, id)
		}
	default:
		return nil, "", gonghai.Invalid("sort", "created or recycle_at")
	}
	c := db.reader()
	rows, err := collect(ctx, c, `SELECT `+customerColumns+customerFrom+`WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order+` LIMIT ?`, append(args, pg.Size()+1), scanCustomer)
	if err == nil {
		err = c.openRows(rows)
	}
	if err != nil {
		return nil, "", fmt.Errorf("list customers: %w", err)
	}
	out := make([]gonghai.Customer, len(rows))
	for i, r := range rows {
		out[i] = db.view(r, viewer)
	}
	out, next := pageOf(out, pg, key)
	return out, next, nil
}

// filter adds the conditions of filter f to where.
func (db *DB) filter(where []string, args []any, f gonghai.CustomerFilter) ([]string, []any) {
	for _, eq := range []struct{ col, v string }{
		{"c.category", f.Category}, {"c.industry", f.Industry}, {"c.product_line", f.ProductLine}, {"c.source", f.Source},
	} {
		if eq.v != "" {
			where, args = append(where, eq.col+" = ?"), append(args, eq.v)
		}
	}
	if f.Region != "" {
		where = append(where, `(c.region = ? OR c.region LIKE ? ESCAPE '\')`)
		args = append(args, f.Region, escapeLike(f.Region)+"/%")
	}
	q := strings.TrimSpace(f.Q)
	if q == "" {
		return where, args
	}
	// Names and contacts are sealed: they match whole, through their
	// blind indexes; companies match in part.
	where = append(where, `(c.company LIKE ? ESCAPE '\' OR c.name_key = ? OR c.phone_key = ? OR c.email_key = ? OR c.wechat_key = ?)`)
	args = append(args, "%"+escapeLike(q)+"%")
	for _, col := range personalColumns {
		args = append(args, db.keys.MatchKey(col, q))
	}
	return where, args
}

// escapeLike makes s match itself literally in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
