// Package importer runs imports (导入): it reads an uploaded spreadsheet
// through internal/sheet, maps its columns to customer fields, and hands
// the store the rows a batch at a time. It has no SQL of its own: the store
// writes each batch, with the job's cursor, in one transaction, and leases
// each job to one runner at a time, so a runner killed in the middle is
// resumed by the next one (on any node) at the first row not written, and
// every row is imported exactly once.
package importer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/sheet"
)

// Store is what the importer needs of the database.
type Store interface {
	CreateImport(ctx context.Context, actor gonghai.User, in gonghai.NewImport) (gonghai.Import, error)
	ImportMapping(ctx context.Context, viewer gonghai.User, header []string) (map[string]int, error)
	ImportFile(ctx context.Context, id string) ([]byte, error)
	LeaseImport(ctx context.Context, node, id string, lease time.Duration) (gonghai.Import, error)
	ImportBatch(ctx context.Context, node string, j gonghai.Import, rows []gonghai.ImportLine, seen gonghai.ImportSeen, lease time.Duration) (gonghai.ImportCounts, error)
	FinishImport(ctx context.Context, node string, j gonghai.Import, failure string) (gonghai.Import, error)
	DeleteExpiredImports(ctx context.Context) (int, error)
}

// Engine prepares and runs imports against one store.
type Engine struct {
	Store  Store
	Limits gonghai.ImportLimits // zero fields: gonghai.DefaultImportLimits
	// Node names this runner in the jobs it leases; "" takes a random name
	// at first use.
	Node string
	// Lease is how long a job stays this runner's after each batch: a
	// runner dead for longer loses it to the next. 0 means a minute.
	Lease time.Duration
	// Batch is how many rows one transaction writes; 0 means 500.
	Batch int
	Log   *slog.Logger
	// Counted, when set, is told the rows each batch of a run wrote, by
	// verdict, once they are committed: serve counts them in /metrics.
	Counted func(gonghai.ImportCounts)
}

// DefaultBatch is how many rows one transaction of a run writes.
const DefaultBatch = 500

func (e *Engine) limits() gonghai.ImportLimits {
	l := e.Limits
	if l.MaxRows <= 0 {
		l.MaxRows = gonghai.DefaultImportLimits.MaxRows
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = gonghai.DefaultImportLimits.MaxBytes
	}
	return l
}

func (e *Engine) node() string {
	if e.Node == "" {
		b := make([]byte, 8)
		rand.Read(b)
		e.Node = hex.EncodeToString(b)
	}
	return e.Node
}

func (e *Engine) lease() time.Duration {
	if e.Lease <= 0 {
		return time.Minute
	}
	return e.Lease
}

func (e *Engine) options(encoding string) sheet.Options {
	l := e.limits()
	return sheet.Options{Encoding: encoding, Limits: sheet.Limits{MaxRows: l.MaxRows, MaxBytes: l.MaxBytes}}
}

// Prepare reads an upload far enough to store it as a job: its format,
// encoding and header, and its rows counted (true progress, and a file
// over the limits refused, ETooLarge, before any row is written). Without a
// mapping in o, the columns map as actor last mapped this header, else by
// their header texts (sheet.AutoMap).
func (e *Engine) Prepare(ctx context.Context, actor gonghai.User, name string, data []byte, o gonghai.ImportOptions) (gonghai.NewImport, error) {
	if l := e.limits(); int64(len(data)) > l.MaxBytes {
		return gonghai.NewImport{}, gonghai.Errorf(gonghai.ETooLarge, "the file is larger than %d MB", l.MaxBytes>>20)
	}
	if o.Encoding != "" && !slices.Contains([]string{"utf-8", "utf-16le", "utf-16be", "gb18030"}, o.Encoding) {
		return gonghai.NewImport{}, gonghai.Invalid("encoding", "one of utf-8, utf-16le, utf-16be, gb18030")
	}
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), e.options(o.Encoding))
	if err != nil {
		return gonghai.NewImport{}, err
	}
	defer rd.Close()
	in := gonghai.NewImport{FileName: name, Data: data, Format: string(rd.Format()), Encoding: rd.Encoding(),
		Header: rd.Header(), Total: rd.Rows(), Options: o}
	if in.Options.Mapping == nil {
		if in.Options.Mapping, err = e.Store.ImportMapping(ctx, actor, in.Header); err != nil {
			return in, err
		}
	}
	if in.Options.Mapping == nil {
		in.Options.Mapping = map[string]int{}
		for f, col := range sheet.AutoMap(in.Header) {
			in.Options.Mapping[string(f)] = col
		}
	}
	return in, checkMapping(in.Options.Mapping)
}

// checkMapping refuses a mapping to a field no import fills, and one that
// maps neither company nor name: no row could make a customer.
func checkMapping(m map[string]int) error {
	for f := range m {
		if !slices.Contains(sheet.Fields(), sheet.Field(f)) {
			return gonghai.Invalid("mapping", "no field "+f+": map columns to "+fieldList())
		}
	}
	if _, ok := m[string(sheet.FieldCompany)]; !ok {
		if _, ok := m[string(sheet.FieldName)]; !ok {
			return gonghai.Invalid("mapping", "map a column to company or name: a customer needs one of them")
		}
	}
	return nil
}

func fieldList() string {
	var b bytes.Buffer
	for i, f := range sheet.Fields() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f))
	}
	return b.String()
}

// Submit stores an upload as a job (Prepare, then the store's
// CreateImport). A dry run is run at once, here, and returned with its
// verdicts done; any other job is returned queued, for Run or a runner's
// Loop.
func (e *Engine) Submit(ctx context.Context, actor gonghai.User, name string, data []byte, o gonghai.ImportOptions) (gonghai.Import, error) {
	in, err := e.Prepare(ctx, actor, name, data, o)
	if err != nil {
		return gonghai.Import{}, err
	}
	j, err := e.Store.CreateImport(ctx, actor, in)
	if err != nil || !o.DryRun {
		return j, err
	}
	return e.Run(ctx, j.ID)
}

// Run leases job id (any waiting job, with id "") and runs it to its end,
// from its cursor: the rows before it were written by an earlier runner.
// A cancelled job stops between two batches; the job is returned as it
// ended. ENotFound when the job is not there to run: ended, or another
// runner's under a live lease.
func (e *Engine) Run(ctx context.Context, id string) (gonghai.Import, error) {
	j, err := e.Store.LeaseImport(ctx, e.node(), id, e.lease())
	if err != nil {
		return j, err
	}
	ferr := e.run(ctx, &j)
	switch {
	case ferr == nil:
		return e.Store.FinishImport(ctx, e.node(), j, "")
	case errors.Is(ferr, gonghai.ErrImportStopped):
		// Cancelled, or taken over after this runner stalled: the job
		// is another's to end.
		return j, nil
	case ctx.Err() != nil:
		// Stopping: the job stays leased until its lease expires, then
		// the next runner resumes it.
		return j, ctx.Err()
	case gonghai.ErrorCode(ferr) == gonghai.EInternal:
		if e.Log != nil {
			e.Log.Error("import_failed", "import_id", j.ID, "err", ferr.Error())
		}
		fj, err := e.Store.FinishImport(context.WithoutCancel(ctx), e.node(), j, "the import stopped on an internal error; the rows before it are imported")
		return fj, errors.Join(ferr, err)
	default:
		return e.Store.FinishImport(context.WithoutCancel(ctx), e.node(), j, gonghai.ErrorMessage(ferr))
	}
}

// run reads j's file from its cursor and hands the store its rows a batch
// at a time, advancing j as each commits.
func (e *Engine) run(ctx context.Context, j *gonghai.Import) error {
	data, err := e.Store.ImportFile(ctx, j.ID)
	if err != nil {
		return err
	}
	rd, err := sheet.Open(bytes.NewReader(data), int64(len(data)), e.options(j.Encoding))
	if err != nil {
		return err
	}
	defer rd.Close()
	m := sheet.Mapping{}
	for f, col := range j.Options.Mapping {
		m[sheet.Field(f)] = col
	}
	// The rows before the cursor are written: read past them.
	for i := 0; i < j.Done; i++ {
		if _, _, err := rd.Next(); err != nil {
			return fmt.Errorf("import %s: the file ends before row %d of its cursor: %w", j.ID, j.Done, err)
		}
	}
	size := e.Batch
	if size <= 0 {
		size = DefaultBatch
	}
	seen := gonghai.ImportSeen{}
	batch := make([]gonghai.ImportLine, 0, size)
	for {
		batch = batch[:0]
		var end bool
		for len(batch) < size {
			cells, line, err := rd.Next()
			if err == io.EOF {
				end = true
				break
			}
			if err != nil {
				return err
			}
			batch = append(batch, Line(m, cells, line))
		}
		if len(batch) > 0 {
			n, err := e.Store.ImportBatch(ctx, e.node(), *j, batch, seen, e.lease())
			if err != nil {
				return err
			}
			if e.Counted != nil {
				e.Counted(n)
			}
			j.Done += len(batch)
			j.Counts.Created += n.Created
			j.Counts.Updated += n.Updated
			j.Counts.Skipped += n.Skipped
			j.Counts.Conflicts += n.Conflicts
			j.Counts.Errors += n.Errors
		}
		if end {
			return nil
		}
	}
}

// Line maps one row's cells to an import line.
func Line(m sheet.Mapping, cells []string, row int) gonghai.ImportLine {
	v := m.Row(cells)
	return gonghai.ImportLine{Row: row, Owner: v[sheet.FieldOwner], Pool: v[sheet.FieldPool], Fields: gonghai.CustomerFields{
		Name: v[sheet.FieldName], Company: v[sheet.FieldCompany], Category: v[sheet.FieldCategory],
		Industry: v[sheet.FieldIndustry], Region: v[sheet.FieldRegion], ProductLine: v[sheet.FieldProductLine],
		Source: v[sheet.FieldSource], Stage: v[sheet.FieldStage], Phone: v[sheet.FieldPhone], Email: v[sheet.FieldEmail],
		WeChat: v[sheet.FieldWeChat], Size: gonghai.ParseSize(v[sheet.FieldSize])}}
}

// Loop runs waiting jobs, one at a time, until ctx ends: whenever one is
// queued, or running under a lease that expired (its runner died), and
// otherwise every interval; and deletes the jobs past their keep
// (gonghai.ImportKeep) with their files. Any number of nodes may loop:
// each job is leased to one at a time.
func (e *Engine) Loop(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			j, err := e.Run(ctx, "")
			if err != nil {
				if gonghai.ErrorCode(err) != gonghai.ENotFound && ctx.Err() == nil && e.Log != nil {
					e.Log.Error("import_run_failed", "err", err.Error())
				}
				break
			}
			if e.Log != nil {
				e.Log.Info("import_ended", "import_id", j.ID, "status", string(j.Status), "rows", j.Done)
			}
		}
		if n, err := e.Store.DeleteExpiredImports(ctx); err != nil && ctx.Err() == nil && e.Log != nil {
			e.Log.Error("delete_expired_imports_failed", "err", err.Error())
		} else if n > 0 && e.Log != nil {
			e.Log.Info("expired_imports_deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
