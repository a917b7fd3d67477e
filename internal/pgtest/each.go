package pgtest

import (
	"path/filepath"
	"testing"
)

// EachDatabase runs test twice, as subtests "sqlite" and "postgres", with
// the DSN of a fresh database of each kind: the SQLite file in a temporary
// directory, the PostgreSQL database from NewDatabase. Code that must behave
// the same on both is tested through it.
//
// Each test owns its databases, so the test and both its subtests run in
// parallel with the package's other parallel tests.
func EachDatabase(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Helper()
	t.Parallel()
	eachDatabase(t, true, test)
}

// EachDatabaseAlone is EachDatabase for a test that measures or storms: it
// runs on each database in turn, and not beside the package's parallel
// tests, which go test starts only once every test that is not parallel
// has ended. Its timings then depend on the machine, not on the tests
// next to it.
func EachDatabaseAlone(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Helper()
	eachDatabase(t, false, test)
}

func eachDatabase(t *testing.T, parallel bool, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		test(t, "sqlite:"+filepath.Join(t.TempDir(), "gonghai.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		if parallel {
			t.Parallel()
		}
		test(t, NewDatabase(t))
	})
}
