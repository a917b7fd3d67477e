package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// importBench measures `gonghai import`: files of each size, as XLSX and
// as GB18030 CSV (what Excel and WPS save in China), each imported by the
// binary as an operator runs it, into a fresh SQLite database, with its
// duplicate look-ups, sealed personal fields, events, deadlines and job;
// against its floor, a bare batched INSERT of the same rows (FloorInsert)
// in the same run. The import's peak resident set (the child's maxrss) is
// reported at each size: streamed, it must not grow with the file beyond
// the file itself, which the job keeps in the database and reads whole.
func (env Env) importBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("gonghai bench import", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	sizes := fs.String("rows", "10000,100000", "comma-separated file sizes, in data rows")
	bin := fs.String("bin", "", "the gonghai binary to run (default: this one)")
	keep := fs.String("keep", "", "write the files and databases here and keep them (default: a temporary directory, removed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var rows []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("bench import: --rows %q: want sizes such as 10000,100000", *sizes)
		}
		rows = append(rows, n)
	}
	if *bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		*bin = exe
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "gonghai-bench-import-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	fmt.Fprintf(env.Stdout, "import: each file imported by %s import (batches of 500, duplicate look-ups, sealed fields) "+
		"into a fresh SQLite database; floor: a bare batched INSERT of the same rows\n", filepath.Base(*bin))
	for _, n := range rows {
		data := importRows(n)
		for _, format := range []string{"xlsx", "csv"} {
			file := filepath.Join(dir, fmt.Sprintf("customers-%d.%s", n, format))
			if err := writeImportFile(file, format, data); err != nil {
				return err
			}
			took, rss, err := env.importOnce(ctx, *bin, dir, file, n)
			if err != nil {
				return fmt.Errorf("bench import %s %d rows: %w", format, n, err)
			}
			floor, err := importFloor(ctx, dir, data)
			if err != nil {
				return err
			}
			label := "XLSX"
			if format == "csv" {
				label = "CSV (GB18030)"
			}
			fmt.Fprintf(env.Stdout, "%-14s %7d rows: import %8s (%s rows/s), peak RSS %5.0f MB | floor %8s (%s rows/s) | import/floor %.2f\n",
				label, n, dur(took), rate(int64(n), took), mb(rss), dur(floor), rate(int64(n), floor), floor.Seconds()/took.Seconds())
		}
	}
	return nil
}

// importRows makes n customers, each with its own company, name, phone and
// email: every one is looked up as a duplicate and created.
func importRows(n int) [][4]string {
	out := make([][4]string, n)
	for i := range out {
		out[i] = [4]string{fmt.Sprintf("宏达%d号商贸有限公司", i), fmt.Sprintf("联系人%d", i),
			fmt.Sprintf("139%08d", i), fmt.Sprintf("buyer%d@example.com", i)}
	}
	return out
}

var importHeader = []string{"公司名称", "联系人", "手机", "邮箱"}

// writeImportFile writes the rows as another program would save them: XLSX
// through excelize's stream writer, or CSV in GB18030.
func writeImportFile(path, format string, rows [][4]string) error {
	if format == "xlsx" {
		x := excelize.NewFile()
		defer x.Close()
		sw, err := x.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		cells := make([]any, 4)
		for i := -1; i < len(rows); i++ {
			for j := range cells {
				if i < 0 {
					cells[j] = importHeader[j]
				} else {
					cells[j] = rows[i][j]
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return x.SaveAs(path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b := bufio.NewWriter(simplifiedchinese.GB18030.NewEncoder().Writer(f))
	w := csv.NewWriter(b)
	w.UseCRLF = true
	w.Write(importHeader)
	for _, r := range rows {
		w.Write(r[:])
	}
	w.Flush()
	if err := errors.Join(w.Error(), b.Flush()); err != nil {
		return err
	}
	return f.Close()
}

// newImportDB makes a fresh SQLite database in dir with an admin and a
// pool, sealed with keys list, and closes it for the child to open.
func newImportDB(ctx context.Context, dir, list string) (string, *store.DB, error) {
	path := filepath.Join(dir, fmt.Sprintf("import-%d.db", time.Now().UnixNano()))
	keys, err := vault.New(list)
	if err != nil {
		return "", nil, err
	}
	db, _, err := openEmptyKeys(ctx, "sqlite:"+path, gonghai.SystemClock{}, keys)
	if err != nil {
		return "", nil, err
	}
	admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "admin", Name: "管理员", Role: gonghai.RoleAdmin})
	if err == nil {
		name := "导入公海"
		_, err = db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name})
	}
	if err != nil {
		db.Close()
		return "", nil, err
	}
	return path, db, nil
}

// importOnce imports file into a fresh database with the binary and
// returns how long it took and the child's peak resident set.
func (env Env) importOnce(ctx context.Context, bin, dir, file string, n int) (time.Duration, int64, error) {
	list := crypt.Generate()
	path, db, err := newImportDB(ctx, dir, list)
	if err != nil {
		return 0, 0, err
	}
	db.Close()
	cmd := exec.CommandContext(ctx, bin, "import", "--db", "sqlite:"+path, "--pool", "导入公海", file)
	cmd.Env = childEnv("GONGHAI_KEYS=" + list)
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("%w: %s", err, exit.Stderr)
		}
		return took, 0, err
	}
	if want := fmt.Sprintf("created=%d ", n); !strings.HasPrefix(string(out), want) {
		return took, 0, fmt.Errorf("the import printed %q, want %s…", out, want)
	}
	var rss int64
	if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = u.Maxrss << 10 // kilobytes on Linux
	}
	return took, rss, nil
}

// importFloor times the floor: the same rows by FloorInsert into a fresh
// database of the same durability.
func importFloor(ctx context.Context, dir string, rows [][4]string) (time.Duration, error) {
	_, db, err := newImportDB(ctx, dir, crypt.Generate())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	pools, err := db.Pools(ctx, gonghai.User{Role: gonghai.RoleAdmin})
	if err != nil || len(pools) != 1 {
		return 0, fmt.Errorf("floor pool: %v", err)
	}
	start := time.Now()
	err = db.FloorInsert(ctx, pools[0].ID, slices.Clone(rows))
	return time.Since(start), err
}
