package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	conf "github.com/gonghai/gonghai/internal/config"
	"github.com/gonghai/gonghai/internal/importer"
	"github.com/gonghai/gonghai/internal/store"
)

// importCommand imports a spreadsheet into a pool, inline: a job like the
// API's, run here in batches. Run again after it was killed, the same
// command (same file, same options) resumes the job it left, at the first
// row not written, once the killed run's lease has expired.
func (e *environment) importCommand(ctx context.Context, args []string) error {
	fs := e.flagSet("import")
	pool := fs.String("pool", "", "the pool to import into, by name or id (required)")
	owner := fs.String("owner", "", "the login of the rep who owns the imported customers, within their holding limits")
	policy := fs.String("on-duplicate", "skip", "what a row that matches an existing customer does: skip, update (fill empty fields) or conflict (create beside it)")
	dry := fs.Bool("dry-run", false, "check every row and print what the import would do; write no customer")
	channel := fs.String("channel", "", "a channel's key: the created customers are its leads (bulk intake)")
	encoding := fs.String("encoding", "", "a CSV's encoding: utf-8, utf-16le, utf-16be or gb18030 (default: detected)")
	as := fs.String("as", "", "the login of the admin the import is made as (default: the first admin made)")
	lease := fs.Duration("lease", 30*time.Second, "how long a killed run holds the job before a new run may resume it")
	batch := fs.Int("batch", importer.DefaultBatch, "rows per transaction")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("import: name one FILE")
	}
	if *pool == "" {
		return errors.New("import: --pool is required")
	}
	path := fs.Arg(0)
	data, err := readUpload(path, cfg)
	if err != nil {
		return err
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	actor, err := importActor(ctx, db, *as)
	if err != nil {
		return err
	}
	o := gonghai.ImportOptions{Policy: gonghai.ImportPolicy(*policy), Encoding: *encoding, DryRun: *dry}
	if o.PoolID, err = poolID(ctx, db, *pool); err != nil {
		return err
	}
	if *channel != "" {
		ch, err := db.ChannelByKey(ctx, *channel)
		if err != nil {
			return describe(err)
		}
		o.ChannelID = ch.ID
	}
	if *owner != "" {
		u, err := db.UserByLogin(ctx, *owner)
		if err != nil {
			return describe(err)
		}
		o.OwnerID = u.ID
	}
	eng := &importer.Engine{Store: db, Limits: limitsOf(cfg), Lease: *lease, Batch: *batch, Log: e.logger()}
	var j gonghai.Import
	if !*dry {
		j, err = e.resume(ctx, eng, db, actor, filepath.Base(path), data, o)
	} else {
		j, err = eng.Submit(ctx, actor, filepath.Base(path), data, o)
	}
	if err != nil {
		return describe(err)
	}
	c := j.Counts
	fmt.Fprintf(e.stdout, "created=%d updated=%d skipped=%d conflicts=%d errors=%d\n", c.Created, c.Updated, c.Skipped, c.Conflicts, c.Errors)
	if c.Errors > 0 {
		name, err := writeErrorFile(ctx, db, actor, j, path)
		if err != nil {
			return fmt.Errorf("error file: %w", err)
		}
		fmt.Fprintln(e.stdout, name)
	}
	switch j.Status {
	case gonghai.ImportDone, gonghai.ImportDryRunDone:
		return nil
	case gonghai.ImportFailed:
		return fmt.Errorf("import %s failed after %d of %d rows: %s", j.ID, j.Done, j.Total, j.Failure)
	default:
		return fmt.Errorf("import %s %s after %d of %d rows", j.ID, j.Status, j.Done, j.Total)
	}
}

// resume runs the unfinished job actor left for this file and these
// options, when there is one (waiting out the lease of the run that was
// killed), or else a new job.
func (e *environment) resume(ctx context.Context, eng *importer.Engine, db *store.DB, actor gonghai.User, name string, data []byte, o gonghai.ImportOptions) (gonghai.Import, error) {
	in, err := eng.Prepare(ctx, actor, name, data, o)
	if err != nil {
		return gonghai.Import{}, err
	}
	sum := sha256.Sum256(data)
	j, err := db.UnfinishedImport(ctx, actor, hex.EncodeToString(sum[:]), in.Options)
	switch {
	case gonghai.ErrorCode(err) == gonghai.ENotFound:
		if j, err = db.CreateImport(ctx, actor, in); err != nil {
			return j, err
		}
	case err != nil:
		return j, err
	default:
		fmt.Fprintf(e.stderr, "resuming import %s of this file: %d of %d rows done\n", j.ID, j.Done, j.Total)
	}
	for {
		done, err := eng.Run(ctx, j.ID)
		if gonghai.ErrorCode(err) != gonghai.ENotFound {
			return done, err
		}
		// Another run holds the job: a killed one until its lease ends,
		// or a live one (a server's runner), which ends it.
		if cur, err := db.Import(ctx, actor, j.ID); err != nil || cur.Status.Finished() {
			return cur, err
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// readUpload reads the file, refusing one over the size limit before
// reading it.
func readUpload(path string, cfg *conf.Config) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > limitsOf(cfg).MaxBytes {
		return nil, describe(gonghai.Errorf(gonghai.ETooLarge, "the file is larger than %d MB", cfg.ImportMaxMB))
	}
	return os.ReadFile(path)
}

// limitsOf returns the import limits cfg sets.
func limitsOf(cfg *conf.Config) gonghai.ImportLimits {
	return gonghai.ImportLimits{MaxRows: cfg.ImportMaxRows, MaxBytes: int64(cfg.ImportMaxMB) << 20}
}

// importActor is the admin an import from the command line is made as:
// login, or the first admin made. Imports are audited, and their
// customers' events name who made them: the command line acts as a person.
func importActor(ctx context.Context, db *store.DB, login string) (gonghai.User, error) {
	if login != "" {
		u, err := db.UserByLogin(ctx, login)
		if err != nil {
			return u, describe(err)
		}
		return u, nil
	}
	var first gonghai.User
	pg := gonghai.Page{Limit: gonghai.MaxPageSize}
	for {
		users, next, err := db.Users(ctx, system, pg)
		if err != nil {
			return first, err
		}
		for _, u := range users {
			if u.Role == gonghai.RoleAdmin && u.Active && (first.ID == "" || u.Created.Before(first.Created)) {
				first = u
			}
		}
		if next == "" {
			break
		}
		pg.After = next
	}
	if first.ID == "" {
		return first, errors.New("import: no active admin to import as: make one with gonghai user create --role admin, or name one with --as")
	}
	return first, nil
}

// poolID finds a pool by id or name.
func poolID(ctx context.Context, db *store.DB, ref string) (string, error) {
	pools, err := db.Pools(ctx, system)
	if err != nil {
		return "", err
	}
	for _, p := range pools {
		if p.ID == ref || p.Name == ref {
			return p.ID, nil
		}
	}
	return "", gonghai.Errorf(gonghai.ENotFound, "no pool %q", ref)
}

// writeErrorFile writes job j's error file beside the imported file, as
// FILE.errors.csv or .xlsx, and returns its path.
func writeErrorFile(ctx context.Context, db *store.DB, actor gonghai.User, j gonghai.Import, path string) (string, error) {
	var b bytes.Buffer
	f, err := importer.WriteErrors(ctx, db, actor, j.ID, &b)
	if err != nil {
		return "", err
	}
	name := strings.TrimSuffix(path, filepath.Ext(path)) + ".errors." + string(f)
	return name, os.WriteFile(name, b.Bytes(), 0o600)
}
