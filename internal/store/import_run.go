package store

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/gonghai/gonghai"
)

// The runner's side of import jobs: the file, the lease, the end, the
// resume of the command line, and the sweep of expired jobs.

// ImportFile returns job id's file, for its runner or its error file.
func (db *DB) ImportFile(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	err := db.reader().queryRow(ctx, `SELECT data FROM import_files WHERE import_id = ?`, id).Scan(&data)
	if err != nil {
		return nil, fmt.Errorf("import file %s: %w", id, notFound(err, "import file"))
	}
	return data, nil
}

// DeleteExpiredImports deletes the jobs, with their files and rows, made
// longer ago than gonghai.ImportKeep and no longer running, and returns
// how many.
func (db *DB) DeleteExpiredImports(ctx context.Context) (int, error) {
	var n int64
	err := db.inTx(ctx, func(c conn) error {
		now := micros(db.now())
		where := `SELECT id FROM imports WHERE expires_at < ? AND status NOT IN ('queued', 'running')`
		// SQLite's foreign keys cascade only with the pragma on; both
		// tables are emptied by hand either way.
		for _, table := range []string{"import_rows", "import_files"} {
			if _, err := c.exec(ctx, `DELETE FROM `+table+` WHERE import_id IN (`+where+`)`, now); err != nil {
				return err
			}
		}
		res, err := c.exec(ctx, `DELETE FROM imports WHERE expires_at < ? AND status NOT IN ('queued', 'running')`, now)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired imports: %w", err)
	}
	return int(n), nil
}

// LeaseImport claims job id for node until lease from now, with one
// conditional write: the job must be waiting (queued), running under an
// expired lease (its runner died) or node's own, or a dry run likewise.
// With id "" it claims the oldest such job that is not a dry run. A dry
// run taken over starts again at its first row: the duplicates it had
// seen inside the file died with its runner. ENotFound when there is none
// to claim.
func (db *DB) LeaseImport(ctx context.Context, node, id string, lease time.Duration) (gonghai.Import, error) {
	now := db.now()
	ids := []string{id}
	if id == "" {
		var err error
		ids, err = queryStrings(ctx, db.reader(), `SELECT id FROM imports WHERE status IN ('queued', 'running')
			AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at, id LIMIT 10`, micros(now))
		if err != nil {
			return gonghai.Import{}, fmt.Errorf("lease import: %w", err)
		}
	}
	for _, id := range ids {
		var j gonghai.Import
		err := db.inTx(ctx, func(c conn) error {
			res, err := c.exec(ctx, `UPDATE imports SET lease_node = ?, lease_until = ?, updated_at = ?,
				status = CASE WHEN status = 'queued' THEN 'running' ELSE status END
				WHERE id = ? AND status IN ('queued', 'running', 'dry_run')
				AND (lease_node IS NULL OR lease_until < ? OR lease_node = ?)`,
				node, micros(now.Add(lease)), micros(now), id, micros(now), node)
			if err := oneRow(res, err, "no such import to run"); err != nil {
				return err
			}
			if j, err = getImport(ctx, c, id); err != nil {
				return err
			}
			if j.Status == gonghai.ImportDryRun && j.Done > 0 {
				if _, err := c.exec(ctx, `DELETE FROM import_rows WHERE import_id = ? AND phase = 'dry'`, id); err != nil {
					return err
				}
				_, err := c.exec(ctx, `UPDATE imports SET done = 0, n_created = 0, n_updated = 0, n_skipped = 0, n_conflicts = 0,
					n_errors = 0 WHERE id = ?`, id)
				j.Done, j.Counts = 0, gonghai.ImportCounts{}
				return err
			}
			return nil
		})
		if err == nil {
			return j, nil
		}
		if gonghai.ErrorCode(err) != gonghai.EConflict {
			return j, fmt.Errorf("lease import %s: %w", id, err)
		}
	}
	return gonghai.Import{}, gonghai.Errorf(gonghai.ENotFound, "no import to run")
}

// FinishImport ends job j, which node leases: a dry run as dry_run_done, a
// real run as done or, with a failure (a message safe to show), failed,
// with the run's one audit entry.
func (db *DB) FinishImport(ctx context.Context, node string, j gonghai.Import, failure string) (gonghai.Import, error) {
	var out gonghai.Import
	err := db.inTx(ctx, func(c conn) error {
		if err := holdLease(ctx, c, node, j); err != nil {
			return err
		}
		now := db.now()
		status := gonghai.ImportDone
		switch {
		case j.Status == gonghai.ImportDryRun:
			status = gonghai.ImportDryRunDone
		case failure != "":
			status = gonghai.ImportFailed
		}
		_, err := c.exec(ctx, `UPDATE imports SET status = ?, failure = ?, lease_node = NULL, lease_until = NULL, updated_at = ?,
			finished_at = ? WHERE id = ?`, string(status), failure, micros(now), micros(now), j.ID)
		if err != nil {
			return err
		}
		if out, err = getImport(ctx, c, j.ID); err != nil {
			return err
		}
		if status == gonghai.ImportDryRunDone {
			// A dry run is not an import: it is audited when started and run.
			return nil
		}
		return auditImport(ctx, c, out, now)
	})
	if err != nil {
		return out, fmt.Errorf("finish import %s: %w", j.ID, err)
	}
	return out, nil
}

// UnfinishedImport returns actor's job for a file of this hash with these
// options that has not ended (the command line resumes it rather than
// import the file again); ENotFound when there is none.
func (db *DB) UnfinishedImport(ctx context.Context, actor gonghai.User, hash string, o gonghai.ImportOptions) (gonghai.Import, error) {
	jobs, err := collect(ctx, db.reader(), `SELECT `+importColumns+` FROM imports WHERE actor_id = ? AND file_hash = ?
		AND status IN ('queued', 'running') ORDER BY id`, []any{actor.ID, hash}, scanImport)
	if err != nil {
		return gonghai.Import{}, fmt.Errorf("unfinished import: %w", err)
	}
	for _, j := range jobs {
		if j.Options.PoolID == o.PoolID && j.Options.OwnerID == o.OwnerID && j.Options.Policy == o.Policy &&
			j.Options.Encoding == o.Encoding && j.Options.ChannelID == o.ChannelID && maps.Equal(j.Options.Mapping, o.Mapping) {
			return j, nil
		}
	}
	return gonghai.Import{}, gonghai.Errorf(gonghai.ENotFound, "no unfinished import of this file")
}
