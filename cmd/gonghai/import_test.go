package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/vault"
)

// TestImportKillResume runs `gonghai import` as its own process, kills it
// with SIGKILL in the middle of the job, and runs the same command again:
// it resumes the job at its cursor, and every row is imported exactly once.
func TestImportKillResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		list := crypt.Generate()
		keys, err := vault.New(list)
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, dsn, gonghai.SystemClock{}, keys)
		admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss", Name: "王总", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		name := "华东公海"
		if _, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		const total = 3000
		lines := []string{"公司名称,联系人,手机"}
		for i := range total {
			lines = append(lines, fmt.Sprintf("第%d号商贸,联系人%d,139%08d", i, i, i))
		}
		file := filepath.Join(t.TempDir(), "客户.csv")
		if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		bin := buildBinary(t)
		args := []string{"import", "--pool", name, "--lease", "2s", "--batch", "20", file}
		env := append(os.Environ(), "GONGHAI_DB="+dsn, "GONGHAI_KEYS="+list)

		first := exec.Command(bin, args...)
		first.Env = env
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it once some batches are written and many are not.
		var killedAt int
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				first.Process.Kill()
				t.Fatal("the import wrote no batch in 60 s")
			}
			jobs, _, err := db.Imports(ctx, admin, gonghai.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) == 1 && jobs[0].Done >= 100 {
				if err := first.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killedAt = jobs[0].Done
				break
			}
		}
		first.Wait()
		jobs, _, err := db.Imports(ctx, admin, gonghai.Page{})
		if err != nil || len(jobs) != 1 || jobs[0].Status != gonghai.ImportRunning || jobs[0].Done >= total {
			t.Fatalf("after the kill: %v, %+v; want one job running, unfinished", err, jobs)
		}
		t.Logf("killed at %d rows, %d written", killedAt, jobs[0].Done)

		second := exec.Command(bin, args...)
		second.Env = env
		out, err := second.Output()
		if err != nil {
			t.Fatalf("the second run: %v\n%s", err, out)
		}
		if got, want := strings.TrimSpace(string(out)), fmt.Sprintf("created=%d updated=0 skipped=0 conflicts=0 errors=0", total); got != want {
			t.Errorf("printed %q, want %q", got, want)
		}
		jobs, _, err = db.Imports(ctx, admin, gonghai.Page{})
		if err != nil || len(jobs) != 1 || jobs[0].Status != gonghai.ImportDone || jobs[0].Done != total {
			t.Fatalf("after the second run: %v, %+v; the same job done", err, jobs)
		}
		page, err := db.Customers(ctx, admin, gonghai.ScopeFilter{}, gonghai.Page{Limit: 1})
		if err != nil || page.Total != total {
			t.Errorf("%d customers (%v), want %d: every row once", page.Total, err, total)
		}
		entries, _, err := db.Audit(ctx, admin, gonghai.AuditFilter{Action: gonghai.AuditImport}, gonghai.Page{})
		if err != nil || len(entries) != 1 {
			t.Errorf("%d audit entries (%v), want 1", len(entries), err)
		}
	})
}

// TestImportCommand: a dry run prints what the import would do and writes
// nothing; the import prints its summary line and the path of the error
// file it wrote beside the file, which holds the refused rows.
func TestImportCommand(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		list := crypt.Generate()
		keys, err := vault.New(list)
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, dsn, gonghai.SystemClock{}, keys)
		admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss", Name: "王总", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		name := "华东公海"
		if _, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name}); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "客户.csv")
		data := "公司名称,联系人,手机\n恒信科技,张伟,13800001111\n,,=1+1\n恒信科技,李娜,13800002222\n"
		if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		env := map[string]string{"GONGHAI_DB": dsn, "GONGHAI_KEYS": list}
		if got, want := cli(t, env, "import", "--pool", name, "--dry-run", file), "created=1 updated=0 skipped=1 conflicts=1 errors=1\n"+
			strings.TrimSuffix(file, ".csv")+".errors.csv"; got != want {
			t.Errorf("dry run printed %q, want %q", got, want)
		}
		if page, err := db.Customers(ctx, admin, gonghai.ScopeFilter{}, gonghai.Page{}); err != nil || page.Total != 0 {
			t.Errorf("the dry run wrote %d customers (%v)", page.Total, err)
		}
		got := cli(t, env, "import", "--pool", name, "--on-duplicate", "conflict", file)
		if want := "created=2 updated=0 skipped=0 conflicts=1 errors=1\n" + strings.TrimSuffix(file, ".csv") + ".errors.csv"; got != want {
			t.Errorf("import printed %q, want %q", got, want)
		}
		errs, err := os.ReadFile(strings.TrimSuffix(file, ".csv") + ".errors.csv")
		if want := "\uFEFF公司名称,联系人,手机,错误 / Error\n,,'=1+1,name: a customer needs a name or a company\n"; err != nil || string(errs) != want {
			t.Errorf("error file %q (%v), want %q", errs, err, want)
		}
	})
}
