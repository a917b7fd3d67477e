package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// Import jobs (imports, import_files, import_rows, import_mappings): an
// upload kept with its options, leased by one runner at a time, whose
// cursor (done) each batch advances in the transaction that writes the
// batch's rows. The batch itself is import_batch.go.

const importColumns = `id, actor_id, file_name, file_hash, file_size, format, encoding, header, options, status,
	total, done, n_created, n_updated, n_skipped, n_conflicts, n_errors, dry_counts, failure,
	created_at, updated_at, finished_at, expires_at`

// importOptions is how an import's options are stored, as JSON.
type importOptions struct {
	PoolID   string         `json:"pool_id"`
	OwnerID  string         `json:"owner_id,omitempty"`
	Policy   string         `json:"policy"`
	Mapping  map[string]int `json:"mapping"`
	Encoding string         `json:"encoding,omitempty"`
	Channel  string         `json:"channel_id,omitempty"`
}

func scanImport(s scanner) (gonghai.Import, error) {
	var j gonghai.Import
	var header, options, dry string
	var created, updated, expires int64
	var finished sql.NullInt64
	err := s.Scan(&j.ID, &j.ActorID, &j.FileName, &j.FileHash, &j.FileSize, &j.Format, &j.Encoding, &header, &options, &j.Status,
		&j.Total, &j.Done, &j.Counts.Created, &j.Counts.Updated, &j.Counts.Skipped, &j.Counts.Conflicts, &j.Counts.Errors,
		&dry, &j.Failure, &created, &updated, &finished, &expires)
	if err != nil {
		return j, err
	}
	j.Created, j.Updated, j.Finished, j.Expires = fromMicros(created), fromMicros(updated), nullMicros(finished), fromMicros(expires)
	var o importOptions
	if err := json.Unmarshal([]byte(options), &o); err != nil {
		return j, fmt.Errorf("import options: %w", err)
	}
	j.Options = gonghai.ImportOptions{PoolID: o.PoolID, OwnerID: o.OwnerID, Policy: gonghai.ImportPolicy(o.Policy),
		Mapping: o.Mapping, Encoding: o.Encoding, ChannelID: o.Channel, DryRun: j.Status == gonghai.ImportDryRun || j.Status == gonghai.ImportDryRunDone}
	if err := json.Unmarshal([]byte(header), &j.Header); err != nil {
		return j, fmt.Errorf("import header: %w", err)
	}
	if dry != "" {
		if err := json.Unmarshal([]byte(dry), &j.DryRun); err != nil {
			return j, fmt.Errorf("import dry counts: %w", err)
		}
	}
	return j, nil
}

// CreateImport stores a parsed upload as a job, after checking that actor
// may import into its pool (gonghai.CanImport) and give its customers to
// its owner, if any (gonghai.CanOwn, as an assignment). A dry run is made
// in status dry_run, for the caller to check at once (ImportBatch with
// dry); any other is queued for a runner. The header's mapping is
// remembered for actor.
func (db *DB) CreateImport(ctx context.Context, actor gonghai.User, in gonghai.NewImport) (gonghai.Import, error) {
	var out gonghai.Import
	o := in.Options
	if o.Policy == "" {
		o.Policy = gonghai.ImportSkip
	}
	if !o.Policy.Valid() {
		return out, gonghai.Invalid("on_duplicate", "one of skip, update, conflict")
	}
	if !mapsIdentity(o.Mapping, len(in.Header)) {
		return out, gonghai.Invalid("mapping", "each field to a column of the header, and a column to one field at most")
	}
	if p := gonghai.TextProblem(in.FileName, false); p != "" || len(in.FileName) > 255 {
		in.FileName = "upload"
	}
	now := db.now()
	sum := sha256.Sum256(in.Data)
	out = gonghai.Import{ID: newID(), ActorID: actor.ID, FileName: in.FileName, FileHash: hex.EncodeToString(sum[:]),
		FileSize: int64(len(in.Data)), Format: in.Format, Encoding: in.Encoding, Header: in.Header, Options: o,
		Status: gonghai.ImportQueued, Total: in.Total, Created: now, Updated: now, Expires: now.Add(gonghai.ImportKeep)}
	if o.DryRun {
		out.Status = gonghai.ImportDryRun
	}
	header, _ := json.Marshal(in.Header)
	options, _ := json.Marshal(importOptions{PoolID: o.PoolID, OwnerID: o.OwnerID, Policy: string(o.Policy), Mapping: o.Mapping,
		Encoding: o.Encoding, Channel: o.ChannelID})
	err := db.inTx(ctx, func(c conn) error {
		if err := mayImport(ctx, db, c, actor, o); err != nil {
			return err
		}
		if o.ChannelID != "" {
			if _, err := getChannel(ctx, c, o.ChannelID, false); err != nil {
				return invalidRef(err, "channel")
			}
		}
		_, err := c.exec(ctx, `INSERT INTO imports (id, actor_id, file_name, file_hash, file_size, format, encoding, header, options,
			status, total, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.ID, actor.ID, out.FileName, out.FileHash, out.FileSize, out.Format, out.Encoding, string(header), string(options),
			string(out.Status), out.Total, micros(now), micros(now), micros(out.Expires))
		if err != nil {
			return mapErr(err)
		}
		if _, err := c.exec(ctx, `INSERT INTO import_files (import_id, data) VALUES (?, ?)`, out.ID, in.Data); err != nil {
			return mapErr(err)
		}
		mapping, _ := json.Marshal(o.Mapping)
		_, err = c.exec(ctx, `INSERT INTO import_mappings (user_id, signature, mapping, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, signature) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at`,
			actor.ID, headerSignature(in.Header), string(mapping), micros(now))
		return err
	})
	if err != nil {
		return gonghai.Import{}, fmt.Errorf("create import: %w", err)
	}
	return out, nil
}

// mayImport checks that actor may import into o's pool, and to o's owner.
func mayImport(ctx context.Context, db *DB, c conn, actor gonghai.User, o gonghai.ImportOptions) error {
	p, err := getPoolRules(ctx, c, o.PoolID)
	var archive bool
	if err == nil {
		// No one imports into the archive, which no pool list shows.
		err = c.queryRow(ctx, `SELECT archive FROM pools WHERE id = ?`, o.PoolID).Scan(&archive)
	}
	if err != nil || archive {
		return gonghai.Invalid("pool", "no such pool")
	}
	m, err := membershipOf(ctx, c, p.ID, actor)
	if err != nil {
		return err
	}
	if err := gonghai.CanImport(actor, p, m); err != nil {
		if gonghai.ErrorCode(err) == gonghai.ENotFound {
			return gonghai.Invalid("pool", "no such pool")
		}
		return err
	}
	if o.OwnerID == "" {
		return nil
	}
	owner, err := getUser(ctx, c, o.OwnerID)
	if err != nil || !gonghai.SeesUser(actor, owner) {
		return gonghai.Invalid("owner", "no such user")
	}
	r := gonghai.Receiver{User: owner}
	if r.Membership, err = membershipOf(ctx, c, p.ID, owner); err != nil {
		return err
	}
	if r.ActorMembership, err = membershipOf(ctx, c, p.ID, actor); err != nil {
		return err
	}
	return gonghai.CanOwn(actor, p, r, false, false, false)
}

// mapsIdentity reports whether mapping names each column of a header of n
// columns at most once, and only columns that exist.
func mapsIdentity(mapping map[string]int, n int) bool {
	used := map[int]bool{}
	for _, col := range mapping {
		if col < 0 || col >= n || used[col] {
			return false
		}
		used[col] = true
	}
	return true
}

// headerSignature names a header by its texts, trimmed and case-folded: the
// same spreadsheet exported again maps the same way.
func headerSignature(header []string) string {
	h := sha256.New()
	for _, t := range header {
		h.Write([]byte(strings.ToLower(strings.TrimSpace(t))))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// ImportMapping returns the mapping viewer last chose for a file with this
// header, nil when they have none.
func (db *DB) ImportMapping(ctx context.Context, viewer gonghai.User, header []string) (map[string]int, error) {
	var mapping string
	err := db.reader().queryRow(ctx, `SELECT mapping FROM import_mappings WHERE user_id = ? AND signature = ?`,
		viewer.ID, headerSignature(header)).Scan(&mapping)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("import mapping: %w", err)
	}
	var m map[string]int
	if err := json.Unmarshal([]byte(mapping), &m); err != nil || !mapsIdentity(m, len(header)) {
		return nil, nil
	}
	return m, nil
}

// getImport reads job id; the viewer checks are the caller's.
func getImport(ctx context.Context, c conn, id string) (gonghai.Import, error) {
	j, err := scanImport(c.queryRow(ctx, `SELECT `+importColumns+` FROM imports WHERE id = ?`, id))
	return j, notFound(err, "import")
}

// seenImport reads job id as viewer may see it: its importer and admins
// do; to anyone else it does not exist.
func seenImport(ctx context.Context, c conn, viewer gonghai.User, id string) (gonghai.Import, error) {
	j, err := getImport(ctx, c, id)
	if err == nil && !seesImport(viewer, j) {
		err = gonghai.Errorf(gonghai.ENotFound, "no such import")
	}
	return j, err
}

// Import returns job id to its importer or an admin; to anyone else it does
// not exist.
func (db *DB) Import(ctx context.Context, viewer gonghai.User, id string) (gonghai.Import, error) {
	j, err := seenImport(ctx, db.reader(), viewer, id)
	if err != nil {
		return j, fmt.Errorf("import %s: %w", id, err)
	}
	return j, nil
}

func seesImport(viewer gonghai.User, j gonghai.Import) bool {
	return viewer.Role == gonghai.RoleAdmin || viewer.ID == j.ActorID
}

// Imports lists viewer's own imports, newest first.
func (db *DB) Imports(ctx context.Context, viewer gonghai.User, pg gonghai.Page) ([]gonghai.Import, string, error) {
	q, args := `SELECT `+importColumns+` FROM imports WHERE actor_id = ?`, []any{viewer.ID}
	if pg.After != "" {
		q, args = q+` AND id < ?`, append(args, pg.After)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY id DESC LIMIT ?`, append(args, pg.Size()+1), scanImport)
	if err != nil {
		return nil, "", fmt.Errorf("imports: %w", err)
	}
	out, next := pageOf(out, pg, func(j gonghai.Import) string { return j.ID })
	return out, next, nil
}

// ImportRows lists the verdicts of job id's dry run in row order, only
// those of verdict when it is set; the error rows of its real run when
// run is true.
func (db *DB) ImportRows(ctx context.Context, viewer gonghai.User, id string, verdict gonghai.ImportVerdict, run bool, pg gonghai.Page) ([]gonghai.ImportRow, string, error) {
	if _, err := db.Import(ctx, viewer, id); err != nil {
		return nil, "", err
	}
	phase := "dry"
	if run {
		phase = "run"
	}
	q, args := `SELECT row_number, verdict, field, reason, COALESCE(matched_id, ''), in_file_row FROM import_rows
		WHERE import_id = ? AND phase = ?`, []any{id, phase}
	if verdict != "" {
		q, args = q+` AND verdict = ?`, append(args, string(verdict))
	}
	if pg.After != "" {
		after, err := strconv.Atoi(pg.After)
		if err != nil {
			return nil, "", gonghai.Invalid("after", "not a cursor of this listing")
		}
		q, args = q+` AND row_number > ?`, append(args, after)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY row_number LIMIT ?`, append(args, pg.Size()+1), func(s scanner) (gonghai.ImportRow, error) {
		var r gonghai.ImportRow
		err := s.Scan(&r.Row, &r.Verdict, &r.Field, &r.Reason, &r.MatchedID, &r.InFileRow)
		return r, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("import rows: %w", err)
	}
	out, next := pageOf(out, pg, func(r gonghai.ImportRow) string { return strconv.Itoa(r.Row) })
	return out, next, nil
}

// StartImport queues a job whose dry run is done, for a runner: the real
// run starts at the first row. Its importer, still allowed to import into
// the pool, or an admin may.
func (db *DB) StartImport(ctx context.Context, actor gonghai.User, id string) (gonghai.Import, error) {
	var out gonghai.Import
	err := db.inTx(ctx, func(c conn) error {
		j, err := seenImport(ctx, c, actor, id)
		if err != nil {
			return err
		}
		if j.Status != gonghai.ImportDryRunDone {
			return gonghai.Errorf(gonghai.EConflict, "only an import whose dry run is done can be started; this one is %s", j.Status)
		}
		if err := mayImport(ctx, db, c, actor, j.Options); err != nil {
			return err
		}
		now := db.now()
		res, err := c.exec(ctx, `UPDATE imports SET status = 'queued', done = 0, dry_counts = ?, n_created = 0, n_updated = 0,
			n_skipped = 0, n_conflicts = 0, n_errors = 0, updated_at = ? WHERE id = ? AND status = 'dry_run_done'`,
			countsJSON(j.Counts), micros(now), id)
		if err := oneRow(res, err, "the import changed meanwhile; reload"); err != nil {
			return err
		}
		out, err = getImport(ctx, c, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("start import %s: %w", id, err)
	}
	return out, nil
}

// CancelImport stops job id between two batches: the rows written stay,
// the rest are not imported. A finished job cannot be cancelled.
func (db *DB) CancelImport(ctx context.Context, actor gonghai.User, id string) (gonghai.Import, error) {
	var out gonghai.Import
	err := db.inTx(ctx, func(c conn) error {
		j, err := seenImport(ctx, c, actor, id)
		if err != nil {
			return err
		}
		if j.Status.Finished() {
			return gonghai.Errorf(gonghai.EConflict, "the import has ended already: %s", j.Status)
		}
		now := db.now()
		res, err := c.exec(ctx, `UPDATE imports SET status = 'cancelled', lease_node = NULL, lease_until = NULL, updated_at = ?,
			finished_at = ? WHERE id = ? AND status = ?`, micros(now), micros(now), id, string(j.Status))
		if err := oneRow(res, err, "the import changed meanwhile; reload"); err != nil {
			return err
		}
		if j.Status == gonghai.ImportRunning || j.Status == gonghai.ImportQueued {
			j.Status = gonghai.ImportCancelled
			if err := auditImport(ctx, c, j, now); err != nil {
				return err
			}
		}
		out, err = getImport(ctx, c, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("cancel import %s: %w", id, err)
	}
	return out, nil
}

// oneRow turns an update that changed no row into a conflict.
func oneRow(res sql.Result, err error, msg string) error {
	if err != nil {
		return mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return gonghai.Errorf(gonghai.EConflict, "%s", msg)
	}
	return nil
}

func countsJSON(c gonghai.ImportCounts) string {
	b, _ := json.Marshal(c)
	return string(b)
}

// auditImport writes the one audit entry of an import run: its file's
// name and hash and what it did.
func auditImport(ctx context.Context, c conn, j gonghai.Import, now time.Time) error {
	e := auditBy(&gonghai.User{ID: j.ActorID}, gonghai.AuditImport, "import", j.ID, now)
	e.Detail = map[string]string{"file_name": j.FileName, "sha256": j.FileHash, "status": string(j.Status),
		"pool_id": j.Options.PoolID, "policy": string(j.Options.Policy),
		"rows": strconv.Itoa(j.Total), "created": strconv.Itoa(j.Counts.Created), "updated": strconv.Itoa(j.Counts.Updated),
		"skipped": strconv.Itoa(j.Counts.Skipped), "conflicts": strconv.Itoa(j.Counts.Conflicts), "errors": strconv.Itoa(j.Counts.Errors)}
	if j.Options.OwnerID != "" {
		e.Detail["owner_id"] = j.Options.OwnerID
	}
	return audit(ctx, c, e)
}
