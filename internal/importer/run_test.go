package importer_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/importer"
)

// rows is a CSV of customers from to to (inclusive), each with its own
// company and phone.
func rows(from, to int) []byte {
	lines := []string{header}
	for i := from; i <= to; i++ {
		lines = append(lines, fmt.Sprintf("第%d号商贸,联系人%d,139%08d,,", i, i, i))
	}
	return csv(lines...)
}

// Two imports of overlapping files at once create each customer once.
func TestConcurrentOverlappingImports(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		a := f.submit(f.admin, rows(1, 30), gonghai.ImportOptions{})
		b := f.submit(f.admin, rows(11, 40), gonghai.ImportOptions{})
		var wg sync.WaitGroup
		results := make([]gonghai.Import, 2)
		errs := make([]error, 2)
		for i, id := range []string{a.ID, b.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = f.engine(fmt.Sprintf("node-%d", i)).Run(f.ctx, id)
			}()
		}
		wg.Wait()
		created, skipped := 0, 0
		for i := range results {
			if errs[i] != nil || results[i].Status != gonghai.ImportDone {
				t.Fatalf("import %d: %v, %s", i, errs[i], results[i].Status)
			}
			created += results[i].Counts.Created
			skipped += results[i].Counts.Skipped
		}
		if all, _ := f.customers(""); all != 40 || created != 40 || skipped != 20 {
			t.Errorf("%d customers, %d created, %d skipped; want 40, 40, 20", all, created, skipped)
		}
	})
}

// A file over the limits is refused before any row is written.
func TestOverLimitRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		f.eng.Limits = gonghai.ImportLimits{MaxRows: 3, MaxBytes: 1 << 20}
		_, err := f.eng.Submit(f.ctx, f.admin, "big.csv", rows(1, 4), gonghai.ImportOptions{PoolID: f.pool.ID})
		if gonghai.ErrorCode(err) != gonghai.ETooLarge {
			t.Errorf("4 rows of at most 3: %v, want too_large", err)
		}
		f.eng.Limits = gonghai.ImportLimits{MaxRows: 100, MaxBytes: 100}
		_, err = f.eng.Submit(f.ctx, f.admin, "big.csv", rows(1, 4), gonghai.ImportOptions{PoolID: f.pool.ID})
		if gonghai.ErrorCode(err) != gonghai.ETooLarge {
			t.Errorf("over 100 bytes: %v, want too_large", err)
		}
		jobs, _, err := f.db.Imports(f.ctx, f.admin, gonghai.Page{})
		if all, _ := f.customers(""); err != nil || len(jobs) != 0 || all != 0 {
			t.Errorf("refused files left %d jobs, %d customers (%v)", len(jobs), all, err)
		}
	})
}

// stepStore hands each batch to the store, then calls after with the
// number of batches written so far.
type stepStore struct {
	importer.Store
	mu    sync.Mutex
	n     int
	after func(n int)
}

func (s *stepStore) ImportBatch(ctx context.Context, node string, j gonghai.Import, rows []gonghai.ImportLine, seen gonghai.ImportSeen, lease time.Duration) (gonghai.ImportCounts, error) {
	c, err := s.Store.ImportBatch(ctx, node, j, rows, seen, lease)
	if err == nil {
		s.mu.Lock()
		s.n++
		n := s.n
		s.mu.Unlock()
		s.after(n)
	}
	return c, err
}

// A cancelled import stops between two batches: the rows of the batches
// before stay, no other row is written, and the import is audited.
func TestCancelBetweenBatches(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		j := f.submit(f.admin, rows(1, 6), gonghai.ImportOptions{})
		f.eng.Store = &stepStore{Store: f.db, after: func(n int) {
			if n == 1 {
				if _, err := f.db.CancelImport(f.ctx, f.admin, j.ID); err != nil {
					t.Error(err)
				}
			}
		}}
		if _, err := f.eng.Run(f.ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		j, err := f.db.Import(f.ctx, f.admin, j.ID)
		if err != nil || j.Status != gonghai.ImportCancelled || j.Done != 2 || j.Counts.Created != 2 {
			t.Fatalf("%v: %s, %d rows done, %d created; want cancelled after 2", err, j.Status, j.Done, j.Counts.Created)
		}
		if all, _ := f.customers(""); all != 2 {
			t.Errorf("%d customers, want 2", all)
		}
		entries, _, err := f.db.Audit(f.ctx, f.admin, gonghai.AuditFilter{Action: gonghai.AuditImport}, gonghai.Page{})
		if err != nil || len(entries) != 1 || entries[0].Detail["status"] != "cancelled" {
			t.Errorf("audit: %v, %+v", err, entries)
		}
		if _, err := f.db.CancelImport(f.ctx, f.admin, j.ID); gonghai.ErrorCode(err) != gonghai.EConflict {
			t.Errorf("cancelled twice: %v", err)
		}
	})
}

// A runner that stops in the middle keeps its lease until it expires;
// then another runner resumes at the cursor and every row is imported
// once.
func TestResumeAfterLeaseExpires(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		j := f.submit(f.admin, rows(1, 7), gonghai.ImportOptions{})
		ctx, stop := context.WithCancel(f.ctx)
		defer stop()
		f.eng.Store = &stepStore{Store: f.db, after: func(n int) {
			if n == 2 {
				stop()
			}
		}}
		if _, err := f.eng.Run(ctx, j.ID); err == nil {
			t.Fatal("the stopped runner ended the job")
		}
		other := f.engine("node-b")
		if _, err := other.Run(f.ctx, j.ID); gonghai.ErrorCode(err) != gonghai.ENotFound {
			t.Fatalf("taken over under a live lease: %v", err)
		}
		f.clock.Advance(2 * time.Minute)
		j, err := other.Run(f.ctx, j.ID)
		if err != nil || j.Status != gonghai.ImportDone || j.Done != 7 || j.Counts.Created != 7 {
			t.Fatalf("resumed: %v, %s, %d rows, %d created; want done, 7, 7", err, j.Status, j.Done, j.Counts.Created)
		}
		if all, _ := f.customers(""); all != 7 {
			t.Errorf("%d customers, want 7", all)
		}
	})
}

// Only admins and a pool's admins import into it; a remembered mapping is
// offered for the next file with the same header.
func TestWhoImportsAndMapping(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		_, err := f.eng.Submit(f.ctx, f.rep, "a.csv", rows(1, 1), gonghai.ImportOptions{PoolID: f.pool.ID})
		if gonghai.ErrorCode(err) != gonghai.EForbidden {
			t.Errorf("a rep imported: %v", err)
		}
		m := map[string]int{"company": 0, "phone": 2}
		f.submit(f.admin, rows(1, 1), gonghai.ImportOptions{Mapping: m, DryRun: true})
		got, err := f.db.ImportMapping(f.ctx, f.admin, []string{"公司名称", "联系人", "手机", "邮箱", "微信"})
		if err != nil || len(got) != 2 || got["company"] != 0 || got["phone"] != 2 {
			t.Errorf("remembered mapping %v (%v), want %v", got, err, m)
		}
		j := f.submit(f.admin, rows(1, 1), gonghai.ImportOptions{DryRun: true})
		if len(j.Options.Mapping) != 2 {
			t.Errorf("the next import mapped %v, want the remembered %v", j.Options.Mapping, m)
		}
	})
}
