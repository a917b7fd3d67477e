package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gonghai/gonghai/internal/pgtest"
)

// tinySeed is how many customers the tests seed: enough for every list
// case but the rarest to find rows.
const tinySeed = 3000

// inMeasuredPool counts the seeded rows of the measured pool that c selects.
func inMeasuredPool(c listCase, n int) int {
	count := 0
	for i := range n {
		if poolOf(i) == 0 && c.match(traitsOf(i)) {
			count++
		}
	}
	return count
}

// TestSeed: the seeded organisation holds what the benches count on: every
// list case selects, in the database, exactly the rows its draws say, and
// a second open finds the seed instead of seeding again.
func TestSeed(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		env := Env{Stdout: io.Discard, Stderr: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		keys := filepath.Join(t.TempDir(), "seed.keys")
		ctx := context.Background()
		s, err := env.openSeeded(ctx, dsn, keys, tinySeed)
		if err != nil {
			t.Fatal(err)
		}
		pool := s.pools[0].ID
		if got, want := s.inPool(0), tinySeed/3; got != want {
			t.Errorf("inPool(0) = %d, want %d", got, want)
		}
		for _, c := range listCases {
			ids, err := s.db.FloorList(ctx, pool, c.f, "", tinySeed)
			if err != nil {
				t.Fatal(err)
			}
			if want := inMeasuredPool(c, tinySeed); len(ids) != want {
				t.Errorf("%s selects %d rows of the pool, the draws say %d", c.name, len(ids), want)
			}
		}
		for _, target := range searchedFor(tinySeed) {
			if ids, err := s.db.FloorLookup(ctx, pool, "phone", target.Phone, 2); err != nil || len(ids) != 1 {
				t.Errorf("phone of a customer searched for: %d found (%v), want 1", len(ids), err)
			}
		}
		s.db.Close()

		again, err := env.openSeeded(ctx, dsn, keys, tinySeed)
		if err != nil {
			t.Fatalf("the seed was not found again: %v", err)
		}
		defer again.db.Close()
		if again.admin.ID != s.admin.ID || again.pools[0].ID != pool {
			t.Errorf("found another organisation: admin %s pool %s, seeded %s %s", again.admin.ID, again.pools[0].ID, s.admin.ID, pool)
		}
		if _, err := env.openSeeded(ctx, dsn, keys, tinySeed-1); err == nil || !strings.Contains(err.Error(), "neither empty nor") {
			t.Errorf("a seed of another size was taken: %v", err)
		}
	})
}

// TestList runs the list bench on each database: a line for every case
// and page, each with the rows the case selects and a verdict, or saying
// why there is no deep page, and the summary; a second run with the same
// --keep reuses the seed.
func TestList(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		label := "sqlite"
		args := []string{"list", "--customers", fmt.Sprint(tinySeed), "--depth", "300", "--page", "20", "--rounds", "3", "--keep", t.TempDir()}
		if strings.HasPrefix(dsn, "postgres") {
			label, args = "postgres", append(args, "--postgres", dsn)
		}
		for run1 := range 2 {
			out := run(t, args...)
			t.Log("\n" + out)
			if seeded := strings.Contains(out, label+": seeded"); seeded != (run1 == 0) {
				t.Errorf("run %d: seeded = %v", run1+1, seeded)
			}
			cases := 0
			for _, c := range listCases {
				rows := inMeasuredPool(c, tinySeed)
				cases++
				if rows > 300 {
					cases++
				}
				head := `(?m)^` + label + `\s+` + regexp.QuoteMeta(c.name) + `\s+` + fmt.Sprint(c.filters) + `\s+\S+\s+` + fmt.Sprint(rows) + `\s+`
				figures := `\s+[0-9.]+ ms\s+[0-9.]+ ms\s+[0-9.]+\s+(PASS|FAIL)$`
				deep := head + `300 deep` + figures
				if rows <= 300 {
					deep = head + `300 deep\s+-\s+-\s+-\s+\(fewer than 301 rows\)$`
				}
				for _, want := range []string{head + `first` + figures, deep} {
					if !regexp.MustCompile(want).MatchString(out) {
						t.Errorf("no line matching %s", want)
					}
				}
			}
			summary := `(?m)^` + label + `\s+goal HTTP/bare ≤ 2× at every selectivity: (PASS|FAIL) \(\d+ of ` + fmt.Sprint(cases) + ` cases within\)$`
			if !regexp.MustCompile(summary).MatchString(out) {
				t.Errorf("no line matching %s", summary)
			}
		}
	})
}

// TestSearch runs the search bench on each database: a line for every
// kind of search with its verdict, and the summary.
func TestSearch(t *testing.T) {
	var names []string
	for _, c := range searchCases {
		names = append(names, c.name)
	}
	casesAndVerdict(t, "search", names, `goal median ≤ 5.00 ms and ≤ 3× the bare look-up: (PASS|FAIL) \(\d+ of 4 searches within\)`)
}

// TestPage runs the page bench: the pool page (HTML, as a signed-in rep)
// against the API's listing of the same rows, each case's line and the
// verdict.
func TestPage(t *testing.T) {
	var names []string
	for _, c := range pageCases {
		names = append(names, c.name)
	}
	casesAndVerdict(t, "page", names, `goal page/API ≤ 1.5×: (PASS|FAIL) \(\d+ of 3 cases within\)`)
}

// casesAndVerdict runs bench on a tiny seed of each database and checks
// its output: a line of two medians, their ratio and a verdict for each
// case named, and the summary line.
func casesAndVerdict(t *testing.T, bench string, cases []string, summary string) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		label := "sqlite"
		args := []string{bench, "--customers", fmt.Sprint(tinySeed), "--rounds", "5"}
		if strings.HasPrefix(dsn, "postgres") {
			label, args = "postgres", append(args, "--postgres", dsn)
		}
		out := run(t, args...)
		t.Log("\n" + out)
		for _, name := range cases {
			want := `(?m)^` + label + `\s+` + regexp.QuoteMeta(name) + `\s+[0-9.]+ ms\s+[0-9.]+ ms\s+[0-9.]+\s+(PASS|FAIL)$`
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("no line matching %s", want)
			}
		}
		if want := `(?m)^` + label + `\s+` + summary + `$`; !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no line matching %s", want)
		}
	})
}

// TestMemory runs the memory bench with the built binary: the resident set
// read after start, after the listings and after the sign-ins, and the
// verdict.
func TestMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	bin := filepath.Join(t.TempDir(), "gonghai")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/gonghai").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := run(t, "memory", "--customers", "1000", "--requests", "30", "--logins", "2", "--clients", "2", "--bin", bin)
	t.Log("\n" + out)
	for _, want := range []string{
		`(?m)^sqlite\s+started:\s+resident\s+[0-9.]+ MB, peak so far\s+[0-9.]+ MB$`,
		`(?m)^sqlite\s+after 30 listings \(\S+\):\s+resident\s+[0-9.]+ MB, peak so far\s+[0-9.]+ MB$`,
		`(?m)^sqlite\s+after 2 sign-ins \(\S+\):\s+resident\s+[0-9.]+ MB, peak so far\s+[0-9.]+ MB$`,
		`(?m)^sqlite\s+goal peak resident set ≤ 100 MB: (PASS|FAIL) \([0-9.]+ MB\)$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("no line matching %s", want)
		}
	}
}

// TestSeedFieldsValid: seeded rows pass every check a customer meets, at
// row numbers far beyond what the tests seed.
func TestSeedFieldsValid(t *testing.T) {
	for k, d := range chunk(0, 500) {
		for _, i := range []int{k, 999_500 + k, 9_999_500 + k} {
			if err := fields(i, d).Validate(); err != nil {
				t.Fatalf("row %d: %+v: %v", i, fields(i, d), err)
			}
		}
	}
}
