package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/dedup"
)

// errImportStopped: the job was cancelled, or another runner took it over
// after this one's lease expired; the batch wrote nothing.
var errImportStopped = gonghai.ErrImportStopped

// importRow is one row of a batch on its way through the batch: its
// cleaned fields, its match keys and the verdict reached.
type importRow struct {
	line    gonghai.ImportLine
	f       gonghai.CustomerFields
	keys    []matchKey
	ownerID string
	poolID  string // "" when the row's pool column names none it may go to
	v       gonghai.ImportRow
	matched bool
	// matchOwner owned the matched customer when the batch read it.
	matchOwner string
	pending    int // the index in the batch's creates of the customer a row makes or fills; -1 for none
}

// matchKey is one of a row's values a duplicate is found by: the column's
// name and the value's blind index (company: its normal form).
type matchKey struct{ field, key string }

func (k matchKey) id() string { return k.field + "\x00" + k.key }

// matchColumns are the columns a row is matched on, in the order a match
// is named by: the company first, as people say it.
var matchColumns = []string{"company", "phone", "email", "wechat"}

// existing is a customer an import row matched, as the batch's look-up read it.
type existing struct{ id, ownerID, poolID string }

// ImportBatch handles the next rows of job j, which node leases, in one
// transaction: rows is what follows j.Done in the file. A real run
// (status running) writes the batch's customers, updates and conflicts
// and its refused rows, and advances the cursor past them, all or
// nothing, so a runner killed in the middle leaves every row written once
// or not at all. A dry run (status dry_run) writes each row's verdict and
// nothing else; seen carries its duplicate keys to the next batch. Either
// renews the lease until lease from now. The counts are the batch's.
// IsImportStopped tells a cancelled or lost job.
func (db *DB) ImportBatch(ctx context.Context, node string, j gonghai.Import, rows []gonghai.ImportLine, seen gonghai.ImportSeen, lease time.Duration) (gonghai.ImportCounts, error) {
	var counts gonghai.ImportCounts
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		// A concurrent import of the same customers may commit first: the
		// unique indexes refuse this batch, and the next attempt finds them.
		trial := maps.Clone(seen)
		err = db.inTx(ctx, func(c conn) error {
			counts, err = db.importBatch(ctx, c, node, j, rows, trial, lease)
			return err
		})
		if err == nil {
			maps.Copy(seen, trial)
			return counts, nil
		}
		if !isUnique(err) {
			break
		}
	}
	return counts, fmt.Errorf("import %s rows after %d: %w", j.ID, j.Done, err)
}

func (db *DB) importBatch(ctx context.Context, c conn, node string, j gonghai.Import, lines []gonghai.ImportLine, seen gonghai.ImportSeen, lease time.Duration) (gonghai.ImportCounts, error) {
	var counts gonghai.ImportCounts
	now := db.now()
	if err := holdLease(ctx, c, node, j); err != nil {
		return counts, err
	}
	dry := j.Status == gonghai.ImportDryRun
	actor, err := getUser(ctx, c, j.ActorID)
	if err != nil {
		return counts, err
	}
	s, err := getSettings(ctx, c)
	if err != nil {
		return counts, err
	}
	pools := map[string]gonghai.Pool{}
	getPool := getPoolRules
	if !dry {
		getPool = lockPoolRules
	}
	if pools[j.Options.PoolID], err = getPool(ctx, c, j.Options.PoolID); err != nil {
		return counts, err
	}
	rows := make([]importRow, 0, len(lines))
	for _, l := range lines {
		if l.Blank() {
			continue
		}
		r := importRow{line: l, f: l.Fields.Cleaned(), ownerID: j.Options.OwnerID, pending: -1,
			v: gonghai.ImportRow{Row: l.Row, Verdict: gonghai.VerdictCreate}}
		if err := r.f.Validate(); err != nil {
			r.v.Verdict = gonghai.VerdictError
			r.v.Field, r.v.Reason = gonghai.FirstProblem(err)
		}
		r.keys = rowKeys(c, r.f)
		rows = append(rows, r)
	}
	if err := importPools(ctx, c, actor, j, rows, pools, getPool); err != nil {
		return counts, err
	}
	owners, err := importOwners(ctx, c, s, actor, pools, rows, dry)
	if err != nil {
		return counts, err
	}
	if dry {
		// The earlier batches of a dry run wrote nothing: what they would
		// give each owner is carried in seen.
		counted := map[*int]bool{}
		for key, o := range owners {
			o.inPool += seen[plannedKey(key)]
			if id, _, _ := strings.Cut(key, "\x00"); !counted[o.overall] {
				counted[o.overall] = true
				*o.overall += seen[plannedKey(id)]
			}
		}
	}
	if !dry {
		// What the look-up finds is written after, under the contact keys' locks.
		if err := lockRowKeys(ctx, c, rows); err != nil {
			return counts, err
		}
	}
	found, err := lookUp(ctx, c, rows)
	if err != nil {
		return counts, err
	}
	b := importPlan{j: j, actor: actor, s: s, pools: pools, owners: owners, found: found, seen: seen, dry: dry}
	for i := range rows {
		b.decide(ctx, c, &rows[i])
		counts.Add(rows[i].v.Verdict, rows[i].matched)
	}
	if dry {
		err = writeVerdicts(ctx, c, j.ID, "dry", rows)
	} else {
		err = b.write(ctx, c, rows, pools, now)
	}
	if err != nil {
		return counts, err
	}
	res, err := c.exec(ctx, `UPDATE imports SET done = done + ?, n_created = n_created + ?, n_updated = n_updated + ?,
		n_skipped = n_skipped + ?, n_conflicts = n_conflicts + ?, n_errors = n_errors + ?, lease_until = ?, updated_at = ?
		WHERE id = ? AND lease_node = ? AND done = ?`,
		len(lines), counts.Created, counts.Updated, counts.Skipped, counts.Conflicts, counts.Errors,
		micros(now.Add(lease)), micros(now), j.ID, node, j.Done)
	if err := oneRow(res, err, ""); err != nil {
		return counts, errImportStopped
	}
	return counts, nil
}

// holdLease checks, holding the job's row until commit on PostgreSQL, that
// node still leases job j, which is still running (or dry running) with its
// cursor where the caller left it.
func holdLease(ctx context.Context, c conn, node string, j gonghai.Import) error {
	q := `SELECT status, done, COALESCE(lease_node, '') FROM imports WHERE id = ?`
	if c.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var status, holder string
	var done int
	if err := c.queryRow(ctx, q, j.ID).Scan(&status, &done, &holder); err != nil {
		return notFound(err, "import")
	}
	if holder != node || done != j.Done || (status != string(gonghai.ImportRunning) && status != string(gonghai.ImportDryRun)) {
		return errImportStopped
	}
	return nil
}

// rowKeys returns the match keys of f, in matchColumns' order.
func rowKeys(c conn, f gonghai.CustomerFields) []matchKey {
	var keys []matchKey
	for _, col := range matchColumns {
		var k string
		switch col {
		case "company":
			k = dedup.Company(f.Company)
		case "phone":
			k = c.keys.MatchKey(col, f.Phone)
		case "email":
			k = c.keys.MatchKey(col, f.Email)
		case "wechat":
			k = c.keys.MatchKey(col, f.WeChat)
		}
		if k != "" {
			keys = append(keys, matchKey{col, k})
		}
	}
	return keys
}

// lookUp finds, in one query per column and chunk, the customers that hold
// any of the rows' match keys. Customers created beside a duplicate
// (duplicate_of) are not matched: the customer they duplicate is.
func lookUp(ctx context.Context, c conn, rows []importRow) (map[string]existing, error) {
	byCol := map[string][]any{}
	for _, r := range rows {
		if r.v.Verdict == gonghai.VerdictError {
			continue
		}
		for _, k := range r.keys {
			byCol[k.field] = append(byCol[k.field], k.key)
		}
	}
	found := map[string]existing{}
	for _, col := range matchColumns {
		keys := byCol[col]
		for lo := 0; lo < len(keys); lo += bulkRows {
			chunk := keys[lo:min(lo+bulkRows, len(keys))]
			q := `SELECT id, COALESCE(owner_id, ''), pool_id, ` + col + `_key FROM customers
				WHERE ` + col + `_key IN (` + placeholders(len(chunk)) + `) AND duplicate_of IS NULL`
			if col != "company" {
				// A customer's further contacts match as its own do.
				q += ` UNION ALL SELECT c.id, COALESCE(c.owner_id, ''), c.pool_id, k.` + col + `_key FROM contacts k
					JOIN customers c ON c.id = k.customer_id WHERE k.` + col + `_key IN (` + placeholders(len(chunk)) + `)`
				chunk = append(slices.Clip(chunk), chunk...)
			}
			rs, err := c.query(ctx, q, chunk...)
			if err != nil {
				return nil, fmt.Errorf("import look-up: %w", err)
			}
			for rs.Next() {
				var e existing
				var key string
				if err := rs.Scan(&e.id, &e.ownerID, &e.poolID, &key); err != nil {
					rs.Close()
					return nil, err
				}
				if _, ok := found[matchKey{col, key}.id()]; !ok {
					found[matchKey{col, key}.id()] = e
				}
			}
			if err := errors.Join(rs.Err(), rs.Close()); err != nil {
				return nil, err
			}
		}
	}
	return found, nil
}

// importOwner is a user the batch's customers of one pool go to, with
// their holding as the batch adds to it, or why they may not have them.
type importOwner struct {
	user    gonghai.User
	pool    gonghai.Pool
	overall *int // the user's holding in all pools, shared by their importOwners
	inPool  int
	err     error
}

// holding is o's holding as the limits count it.
func (o *importOwner) holding() gonghai.Holding {
	return gonghai.Holding{Overall: *o.overall, InPool: o.inPool}
}

// ownerKey names an owner in one pool.
func ownerKey(ownerID, poolID string) string { return ownerID + "\x00" + poolID }

// importOwners reads the owners of the batch's rows: the job's target
// owner, or a row's own (its owner column, by login), in the row's pool.
// Each is checked as an assignment is (gonghai.CanOwn) and, in a real run,
// locked as a claim locks its rep (lockHolder: their claim_seq), in id
// order, before their holding is counted: the counts stay true until
// commit and no concurrent claim or import takes them past their limits.
func importOwners(ctx context.Context, c conn, s gonghai.Settings, actor gonghai.User, pools map[string]gonghai.Pool, rows []importRow, dry bool) (map[string]*importOwner, error) {
	var logins []any
	for _, r := range rows {
		if r.line.Owner != "" {
			logins = append(logins, r.line.Owner)
		}
	}
	byLogin, err := namedIDs(ctx, c, `SELECT login, id FROM users WHERE login IN `, logins)
	if err != nil {
		return nil, err
	}
	owners := map[string]*importOwner{}
	for i := range rows {
		r := &rows[i]
		if r.line.Owner != "" {
			r.ownerID = byLogin[r.line.Owner]
			if r.ownerID == "" && r.v.Verdict != gonghai.VerdictError {
				r.v.Verdict, r.v.Field, r.v.Reason = gonghai.VerdictError, "owner", "no user with this login"
			}
		}
		if r.ownerID != "" && r.poolID != "" && owners[ownerKey(r.ownerID, r.poolID)] == nil {
			owners[ownerKey(r.ownerID, r.poolID)] = &importOwner{pool: pools[r.poolID]}
		}
	}
	type holder struct {
		user    gonghai.User
		overall int
		locked  bool
		err     error
	}
	holders := map[string]*holder{}
	for _, key := range slices.Sorted(maps.Keys(owners)) {
		o := owners[key]
		id, _, _ := strings.Cut(key, "\x00")
		h := holders[id]
		if h == nil {
			u, err := getUser(ctx, c, id)
			if err != nil {
				return nil, err
			}
			h = &holder{user: u}
			holders[id] = h
		}
		o.user, o.overall = h.user, &h.overall
		rcv := gonghai.Receiver{User: h.user}
		if rcv.Membership, err = membershipOf(ctx, c, o.pool.ID, h.user); err != nil {
			return nil, err
		}
		if rcv.ActorMembership, err = membershipOf(ctx, c, o.pool.ID, actor); err != nil {
			return nil, err
		}
		if o.err = gonghai.CanOwn(actor, o.pool, rcv, false, false, false); o.err != nil {
			continue
		}
		if !h.locked {
			// Once per user, before anything counts their customers.
			h.locked = true
			if !dry {
				h.err = lockHolder(ctx, c, &h.user)
			} else if !h.user.Active {
				h.err = gonghai.Errorf(gonghai.EUserInactive, "the user is not active")
			}
			if h.err == nil {
				hold, err := holding(ctx, c, s, id, o.pool.ID)
				if err != nil {
					return nil, err
				}
				h.overall = hold.Overall
			}
		}
		if o.user, o.err = h.user, h.err; o.err != nil {
			continue
		}
		hold, err := holding(ctx, c, s, id, o.pool.ID)
		if err != nil {
			return nil, err
		}
		o.inPool = hold.InPool
	}
	return owners, nil
}

// namedIDs maps names to ids by q, which ends in "IN " and selects a name
// and an id, for the distinct names given.
func namedIDs(ctx context.Context, c conn, q string, names []any) (map[string]string, error) {
	out := map[string]string{}
	seen := map[any]bool{}
	var args []any
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			args = append(args, n)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	rs, err := c.query(ctx, q+`(`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	for rs.Next() {
		var name, id string
		if err := rs.Scan(&name, &id); err != nil {
			rs.Close()
			return nil, err
		}
		out[name] = id
	}
	return out, errors.Join(rs.Err(), rs.Close())
}

// importPools sets each row's pool: its pool column's, by name, or the
// job's. A row's pool must be one the actor may import into
// (gonghai.CanImport), else the row is refused. The pools are read into
// pools, with get (locked, in a real run).
func importPools(ctx context.Context, c conn, actor gonghai.User, j gonghai.Import, rows []importRow, pools map[string]gonghai.Pool,
	get func(context.Context, conn, string) (gonghai.Pool, error)) error {
	var names []any
	for _, r := range rows {
		if r.line.Pool != "" {
			names = append(names, r.line.Pool)
		}
	}
	byName, err := namedIDs(ctx, c, `SELECT name, id FROM pools WHERE NOT archive AND name IN `, names)
	if err != nil {
		return err
	}
	allowed := map[string]bool{j.Options.PoolID: true}
	for _, id := range slices.Sorted(maps.Values(byName)) {
		if _, ok := pools[id]; ok {
			continue
		}
		p, err := get(ctx, c, id)
		if err != nil {
			return err
		}
		m, err := membershipOf(ctx, c, id, actor)
		if err != nil {
			return err
		}
		pools[id], allowed[id] = p, gonghai.CanImport(actor, p, m) == nil
	}
	for i := range rows {
		r := &rows[i]
		r.poolID = j.Options.PoolID
		if r.line.Pool == "" || r.line.Pool == pools[j.Options.PoolID].Name {
			continue
		}
		r.poolID = byName[r.line.Pool]
		if !allowed[r.poolID] {
			r.poolID = ""
			if r.v.Verdict != gonghai.VerdictError {
				r.v.Verdict, r.v.Field, r.v.Reason = gonghai.VerdictError, "pool", "no pool of this name that you may import into"
			}
		}
	}
	return nil
}
