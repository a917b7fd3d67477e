package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// BulkCustomer is one row of a bulk load: a new customer and when it came.
type BulkCustomer struct {
	gonghai.NewCustomer
	// At is when the customer was created and, when it has an owner,
	// gained; the zero time means now. A load from an earlier system
	// carries its dates, and its deadlines follow from them.
	At time.Time
}

// bulkRows is how many customers one INSERT writes: 500 rows of 27 columns
// stay well under the parameters a statement may carry (32,766 on SQLite,
// 65,535 on PostgreSQL), and larger statements gain nothing measurable.
const bulkRows = 500

// bulkColumns are the columns BulkInsertCustomers writes besides the
// sealed ones, in the order bulkValues gives them.
var bulkColumns = []string{"id", "company", "company_key", "category", "industry", "region", "product_line", "source", "stage",
	"owner_id", "pool_id", "owned_since", "event_seq", "created_at", "updated_at", "recycle_at", "recycle_rule", "warn_at", "size"}

// bulkEventColumns are the columns of the created events, in the order
// BulkInsertCustomers gives them.
const bulkEventColumns = `id, customer_id, seq, kind, from_owner_id, to_owner_id, from_pool_id, to_pool_id, actor_id, reason, forced, at`

// BulkInsertCustomers is the store's bulk path: it writes many customers in
// one transaction, all of them or, on any error, none, and returns their
// ids in the order given. Each row is written as CreateCustomer writes one:
// its personal fields sealed beside their blind indexes, its "created"
// event with seq 1, and, with an owner, the deadline and reminder its
// pool's rules give it (invariants 3, 4 and 7); only the statements differ,
// many rows to each. Admins only. As with ImportCustomers, holding limits
// do not apply; unlike it, no row is looked up as a duplicate first: the
// unique blind indexes and the unique company key refuse a company or
// contact another customer has, and the whole load with it. Callers choose the transaction's size by what they pass.
func (db *DB) BulkInsertCustomers(ctx context.Context, actor gonghai.User, in []BulkCustomer) ([]string, error) {
	if actor.Role != gonghai.RoleAdmin {
		return nil, gonghai.Errorf(gonghai.EForbidden, "only an admin loads customers in bulk")
	}
	rows := make([]customerRow, len(in))
	now := db.now()
	for i, b := range in {
		f := b.Cleaned()
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		at := now
		if !b.At.IsZero() {
			at = b.At.UTC().Truncate(time.Microsecond)
		}
		// Ids are made before the transaction, which may run again.
		rows[i] = customerRow{Customer: gonghai.Customer{ID: newID(), Name: f.Name, Company: f.Company, Category: f.Category,
			Industry: f.Industry, Region: f.Region, ProductLine: f.ProductLine, Source: f.Source, Stage: f.Stage,
			Phone: f.Phone, Email: f.Email, WeChat: f.WeChat, OwnerID: b.OwnerID, PoolID: b.PoolID, Created: at, Updated: at, Size: f.Size}}
		if b.OwnerID != "" {
			rows[i].OwnedSince = &rows[i].Created
		}
	}
	if db.dialect == SQLite {
		// Every row lands at a random place in each blind index; with
		// SQLite's default 2 MB page cache nearly every insert reads its
		// index pages back from the file. And each statement keeps the
		// pages it changes in a statement journal, in case it fails
		// half-way: a temporary file, unless temporary storage is memory.
		// Both for the load, on the one write connection, and the defaults
		// again once it has committed.
		for _, pragma := range []string{`PRAGMA cache_size = -262144`, `PRAGMA temp_store = MEMORY`} {
			if _, err := db.write.ExecContext(ctx, pragma); err != nil {
				return nil, fmt.Errorf("bulk insert customers: %w", err)
			}
		}
		defer db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
		defer db.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = DEFAULT`)
	}
	err := db.inTx(ctx, func(c conn) error {
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		if err := bulkContactsFree(ctx, c, rows); err != nil {
			return err
		}
		pools := map[string]gonghai.Pool{}
		for lo := 0; lo < len(rows); lo += bulkRows {
			batch := rows[lo:min(lo+bulkRows, len(rows))]
			for i := range batch {
				if _, ok := pools[batch[i].PoolID]; !ok {
					p, err := lockPoolRules(ctx, c, batch[i].PoolID)
					if err != nil {
						return fmt.Errorf("row %d: %w", lo+i+1, invalidRef(err, "pool_id"))
					}
					pools[batch[i].PoolID] = p
				}
			}
			if err := insertBulk(ctx, c, actor.ID, batch, pools, s.Location()); err != nil {
				return fmt.Errorf("rows %d to %d: %w", lo+1, lo+len(batch), err)
			}
		}
		return nil
	})
	switch {
	case isUnique(err):
		err = gonghai.Errorf(gonghai.EConflict, "a company, phone, email or WeChat id of the load is another customer's already, or twice in it")
	case errors.Is(err, errForeignKey):
		err = gonghai.Invalid("owner_id", "no such id")
	}
	if err != nil {
		return nil, fmt.Errorf("bulk insert customers: %w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// insertBulk writes one statement's worth of customers and one of their
// created events. The deadlines are those reschedule would write after
// insertCustomer: gonghai.Schedule of the row as created.
func insertBulk(ctx context.Context, c conn, actorID string, batch []customerRow, pools map[string]gonghai.Pool, loc *time.Location) error {
	var cols []string
	args := make([]any, 0, len(batch)*(len(bulkColumns)+2*len(personalColumns)+1))
	events := make([]any, 0, 12*len(batch))
	moves := make([]gonghai.Event, len(batch))
	for i := range batch {
		r := &batch[i]
		sealedCols, sealed := c.sealed(r.ID, personalOf(&r.Customer))
		cols = sealedCols
		d, reminder, _ := gonghai.Schedule(r.Customer, pools[r.PoolID].Recycle, loc)
		at, rule := deadlineArgs(d)
		var ownedSince any
		if r.OwnedSince != nil {
			ownedSince = micros(*r.OwnedSince)
		}
		args = append(append(args, sealed...), r.ID, r.Company, companyKey(r.Company), r.Category, r.Industry, r.Region, r.ProductLine, r.Source, r.Stage,
			nullString(r.OwnerID), r.PoolID, ownedSince, 1, micros(r.Created), micros(r.Updated), at, rule, nullTime(reminder), r.Size)
		events = append(events, newID(), r.ID, 1, string(gonghai.EventCreated), nil, nullString(r.OwnerID),
			nil, r.PoolID, nullString(actorID), "", false, micros(r.Created))
		moves[i] = gonghai.Event{CustomerID: r.ID, Seq: 1, Kind: gonghai.EventCreated, ToOwnerID: r.OwnerID, ToPoolID: r.PoolID,
			ActorID: actorID, At: r.Created}
		// A customer created beside the one it duplicates (an import under
		// policy conflict) names it, and stays outside the unique indexes.
		args = append(args, nullString(r.duplicateOf))
	}
	cols = append(cols, bulkColumns...)
	cols = append(cols, "duplicate_of")
	_, err := c.exec(ctx, `INSERT INTO customers (`+strings.Join(cols, ", ")+`) VALUES `+valuesList(len(batch), len(cols)), args...)
	if err != nil {
		return fmt.Errorf("customers: %w", mapErr(err))
	}
	_, err = c.exec(ctx, `INSERT INTO ownership_events (`+bulkEventColumns+`) VALUES `+valuesList(len(batch), 12), events...)
	if err != nil {
		return fmt.Errorf("created events: %w", mapErr(err))
	}
	if err := recordMoves(ctx, c, moves, true); err != nil {
		return err
	}
	return countBatch(ctx, c, actorID, batch, loc)
}

// countBatch counts a batch's new customers by the month each was created.
func countBatch(ctx context.Context, c conn, actorID string, batch []customerRow, loc *time.Location) error {
	dept, err := departmentOf(ctx, c, actorID)
	if err != nil {
		return err
	}
	months := map[string]int{}
	first := map[string]time.Time{}
	for _, r := range batch {
		m := r.Created.In(loc).Format("2006-01")
		if months[m]++; months[m] == 1 {
			first[m] = r.Created
		}
	}
	for m, n := range months {
		if err := countMonth(ctx, c, dept, first[m], loc, n, 0); err != nil {
			return err
		}
	}
	return nil
}

// valuesList is "(?, …), (?, …)": rows tuples of width placeholders.
func valuesList(rows, width int) string {
	tuple := "(" + placeholders(width) + ")"
	return strings.TrimSuffix(strings.Repeat(tuple+", ", rows), ", ")
}
