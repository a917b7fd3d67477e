package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/demo"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestDumpHoldsNoPlaintext seeds the demo organisation as `serve --demo`
// does, and customers with WeChat ids (the demo has none), then reads all
// the database holds: the bytes of the SQLite file once closed, and every
// value of every column of every table. None of the customers' names,
// phones (as stored, spaced or dashed), emails or WeChat ids is in it.
func TestDumpHoldsNoPlaintext(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 customers")
	}
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		env := keysEnv(t, dsn)
		cli(t, env, "migrate")
		db := following(t, dsn, env["GONGHAI_KEY_FILE"])
		quiet := &environment{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		if err := quiet.seedDemo(ctx, db, "http://127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		org := demo.Generate(1, demoCustomers+demoHistoryCustomers) // what seedDemo loaded
		admin, err := db.UserByLogin(ctx, demo.AdminLogin)
		if err != nil {
			t.Fatal(err)
		}
		// The demo sets only what it changes: stages and the reveal quota
		// keep their documented defaults.
		if s, err := db.Settings(ctx); err != nil || !slices.Equal(s.Stages, gonghai.DefaultStages) ||
			s.RevealDailyQuota != gonghai.DefaultRevealDailyQuota || !s.ExcludeWonFromHolding {
			t.Fatalf("the demo's settings: %+v %v", s, err)
		}
		pools, err := db.Pools(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		extra := []gonghai.CustomerFields{
			{Name: "欧阳明月", Company: "明月茶业", WeChat: "wxid_ouyangmy1988"},
			{Name: "司马长风", Company: "长风物流", WeChat: "changfeng_sima", Email: "sima.changfeng@changfeng56.cn"},
			{Name: "上官飞燕", Company: "飞燕服饰", WeChat: "feiyan-sg-0731", Phone: "19912340731"},
		}
		for _, f := range extra {
			if _, err := db.CreateCustomer(ctx, admin, gonghai.NewCustomer{PoolID: pools[0].ID, CustomerFields: f}); err != nil {
				t.Fatal(err)
			}
		}
		total := 0
		for _, n := range keyUse(t, db) {
			total += n
		}
		if total != len(org.Customers)+len(extra) {
			t.Fatalf("the database holds %d customers, want the demo's %d and %d more", total, len(org.Customers), len(extra))
		}
		db.Close()

		// What may be stored in clear: everything of the demo but its
		// customers' personal fields. A customer whose name also appears
		// there (a rep of the same name, a name inside a company name) is
		// not looked for.
		var clear strings.Builder
		for _, u := range org.Users {
			clear.WriteString(u.Name + "\x00")
		}
		for _, d := range org.Departments {
			clear.WriteString(d.Name + "\x00")
		}
		for _, p := range org.Pools {
			clear.WriteString(p.Name + "\x00")
		}
		for _, c := range org.Customers {
			clear.WriteString(strings.Join([]string{c.Company, c.Industry, c.Region, c.ProductLine, c.Source, c.Stage}, "\x00") + "\x00")
		}
		names := make([]string, len(org.Customers))
		for i, c := range org.Customers {
			names[i] = c.Name
		}
		inClear := map[string]bool{}
		newFinder(names, nil).each([]byte(clear.String()), func(name string, _ int) bool {
			inClear[name] = true
			return true
		})
		var secrets []string
		skipped := 0
		for _, c := range org.Customers {
			if inClear[c.Name] {
				skipped++
			} else {
				secrets = append(secrets, c.Name)
			}
			secrets = append(secrets, phoneForms(c.Phone)...)
			if c.Email != "" {
				secrets = append(secrets, c.Email)
			}
		}
		for _, f := range extra {
			secrets = append(secrets, f.Name, f.WeChat)
			if f.Email != "" {
				secrets = append(secrets, f.Email)
			}
			if f.Phone != "" {
				secrets = append(secrets, phoneForms(f.Phone)...)
			}
		}
		if skipped > len(org.Customers)/20 {
			t.Fatalf("%d of %d customer names also appear in clear text: the check would look for too few", skipped, len(org.Customers))
		}
		t.Logf("looking for %d strings (%d customer names skipped: they appear in clear text too)", len(secrets), skipped)

		values := everyValue(t, dsn)
		find := newFinder(secrets, values)
		if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
			for _, f := range []string{path, path + "-wal", path + "-journal"} {
				raw, err := os.ReadFile(f)
				if os.IsNotExist(err) && f != path {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s: %d bytes", filepath.Base(f), len(raw))
				for _, hit := range find.in(raw) {
					t.Errorf("%s holds %s", filepath.Base(f), hit)
				}
			}
		}
		var all bytes.Buffer
		for _, v := range values {
			all.Write(v)
			all.WriteByte(0)
		}
		t.Logf("%d values, %d bytes", len(values), all.Len())
		for _, hit := range find.in(all.Bytes()) {
			t.Errorf("a column holds %s", hit)
		}
	})
}

// phoneForms returns a mobile number as stored and as people write it.
func phoneForms(p string) []string {
	return []string{p, p[:3] + " " + p[3:7] + " " + p[7:], p[:3] + "-" + p[3:7] + "-" + p[7:]}
}

// everyValue returns every value of every column of every table of the
// database at dsn, as bytes.
func everyValue(t *testing.T, dsn string) [][]byte {
	t.Helper()
	driver, source, columns := "pgx", dsn,
		`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, source = "sqlite", "file:"+path+"?mode=ro"
		columns = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid`
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(columns)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	tables := map[string]bool{}
	for _, c := range cols {
		tables[c[0]] = true
		rows, err := db.Query(`SELECT "` + c[1] + `" FROM "` + c[0] + `"`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v []byte
			if err := rows.Scan(&v); err != nil {
				t.Fatalf("%s.%s: %v", c[0], c[1], err)
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if !tables["customers"] || !tables["audit_log"] {
		t.Fatalf("read tables %v", tables)
	}
	return out
}

// finder looks for many strings in a text in one pass, by their first
// four bytes.
type finder struct {
	byPrefix map[[4]byte][]string
	// opaque are the database's random-looking hex values (ids, blind
	// indexes, hashes): an 11-digit phone may turn up inside one by chance,
	// which is no leak.
	opaque  map[string]bool
	lengths []int
}

func newFinder(terms []string, values [][]byte) *finder {
	f := &finder{byPrefix: map[[4]byte][]string{}, opaque: map[string]bool{}}
	for _, s := range terms {
		if len(s) < 4 {
			panic("term too short: " + s)
		}
		if k := [4]byte([]byte(s[:4])); !slices.Contains(f.byPrefix[k], s) {
			f.byPrefix[k] = append(f.byPrefix[k], s)
		}
	}
	for _, v := range values {
		if len(v) >= 20 && len(bytes.Trim(v, "0123456789abcdef-")) == 0 {
			if !f.opaque[string(v)] && !slices.Contains(f.lengths, len(v)) {
				f.lengths = append(f.lengths, len(v))
			}
			f.opaque[string(v)] = true
		}
	}
	return f
}

// each calls found with every term in data and where it starts, until
// found returns false.
func (f *finder) each(data []byte, found func(term string, at int) bool) {
	for i := 0; i+4 <= len(data); i++ {
		for _, s := range f.byPrefix[[4]byte(data[i:i+4])] {
			if bytes.HasPrefix(data[i:], []byte(s)) && !f.insideOpaque(data, i, len(s)) && !found(s, i) {
				return
			}
		}
	}
}

// in returns what it found in data, each with a little context, at most
// ten.
func (f *finder) in(data []byte) []string {
	var hits []string
	f.each(data, func(s string, at int) bool {
		lo, hi := max(0, at-40), min(len(data), at+len(s)+40)
		hits = append(hits, fmt.Sprintf("%q at %d: %q", s, at, data[lo:hi]))
		return len(hits) < 10
	})
	return hits
}

func (f *finder) insideOpaque(data []byte, at, n int) bool {
	for _, l := range f.lengths {
		for start := max(0, at+n-l); start <= at && start+l <= len(data); start++ {
			if f.opaque[string(data[start:start+l])] {
				return true
			}
		}
	}
	return false
}
