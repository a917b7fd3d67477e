package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
)

// The list, search and memory benches share one seeded organisation: an
// admin, a department of reps who may sign in, and three pools holding
// --customers customers between them, the first (甲, the one measured)
// about a third. Seeding a million takes minutes, so --keep keeps the
// seeded files and a later run reuses them.

// seedOptions are the flags of the benches on the seeded organisation.
type seedOptions struct {
	customers int
	keep      string
	postgres  string
}

func (o *seedOptions) flags(fs *flag.FlagSet) {
	fs.IntVar(&o.customers, "customers", 1_000_000, "customers to seed, over 3 pools, the measured one holding a third")
	fs.StringVar(&o.keep, "keep", "", "directory that keeps the seeded SQLite database and the key files, reused by later runs "+
		"of any of list, search and memory with the same --customers (default: a temporary directory, removed afterwards)")
	fs.StringVar(&o.postgres, "postgres", "", "also run on this PostgreSQL database: an empty one, or one this bench seeded "+
		"with the same --customers and --keep")
}

// seedChunk is how many customers one seeding transaction writes.
const seedChunk = 100_000

// Names in the seeded organisation. Reps sign in with seedPassword.
const (
	seedAdmin    = "bench-admin"
	seedPassword = "bench-password"
	seedReps     = 10
)

// seedPools are the seeded pools' names and their shares of six: the
// measured pool 甲 holds rows 0 and 1 of every six.
var seedPools = []struct {
	name  string
	share int
}{{"压测公海 甲", 2}, {"压测公海 乙", 3}, {"压测公海 丙", 1}}

// poolOf is the pool of seeded row i, as an index of seedPools.
func poolOf(i int) int {
	switch i % 6 {
	case 0, 1:
		return 0
	case 5:
		return 2
	}
	return 1
}

// seeded is the seeded organisation on one database.
type seeded struct {
	db         *store.DB
	label      string
	durability string
	admin      gonghai.User
	deptID     string
	pools      []gonghai.Pool // in seedPools' order
	customers  int
}

// inPool is how many seeded rows pool p holds.
func (s *seeded) inPool(p int) int {
	n := 0
	for i := range 6 {
		if poolOf(i) == p {
			n += s.customers / 6
			if i < s.customers%6 {
				n++
			}
		}
	}
	return n
}

// seedFiles are where a run keeps its seeded SQLite database and key files,
// and how to clean up after it.
type seedFiles struct {
	dir     string
	cleanup func()
}

func (o seedOptions) files() (seedFiles, error) {
	if o.keep != "" {
		if err := os.MkdirAll(o.keep, 0o700); err != nil {
			return seedFiles{}, err
		}
		return seedFiles{dir: o.keep, cleanup: func() {}}, nil
	}
	dir, err := os.MkdirTemp("", "gonghai-bench-")
	if err != nil {
		return seedFiles{}, err
	}
	return seedFiles{dir: dir, cleanup: func() { os.RemoveAll(dir) }}, nil
}

// sqlitePath is the seeded SQLite database of n customers; its key file is
// the same path with ".keys", where `gonghai serve` looks for it.
func (f seedFiles) sqlitePath(n int) string {
	return filepath.Join(f.dir, "seed-"+strconv.Itoa(n)+".db")
}

// keyFile is the key file of dsn's seed.
func (f seedFiles) keyFile(dsn string, n int) string {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return path + ".keys"
	}
	return filepath.Join(f.dir, "postgres-"+strconv.Itoa(n)+".keys")
}

// dsns are the databases of a run: the seeded SQLite file, and PostgreSQL
// when asked.
func (o seedOptions) dsns(f seedFiles) ([]string, error) {
	dsns := []string{"sqlite:" + f.sqlitePath(o.customers)}
	if o.postgres != "" {
		if !strings.HasPrefix(o.postgres, "postgres://") && !strings.HasPrefix(o.postgres, "postgresql://") {
			return nil, errors.New("--postgres wants a postgres:// URL")
		}
		dsns = append(dsns, o.postgres)
	}
	return dsns, nil
}

// openSeeded opens dsn with its key file and returns the seeded
// organisation of n customers on it: seeded now when the database is
// empty, reused when it holds exactly that seed, refused otherwise.
func (env Env) openSeeded(ctx context.Context, dsn, keyFile string, n int) (*seeded, error) {
	keys, err := vault.Load(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		keys, err = vault.Create(keyFile)
	}
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dsn, gonghai.SystemClock{}, keys)
	if err != nil {
		return nil, err
	}
	s, err := env.seed(ctx, db, n)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", redact(dsn), err)
	}
	return s, nil
}

func (env Env) seed(ctx context.Context, db *store.DB, n int) (*seeded, error) {
	empty, err := db.BenchEmpty(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	s := &seeded{db: db, label: string(db.Dialect()), customers: n}
	if s.durability, err = db.Durability(ctx); err != nil {
		return nil, err
	}
	if !empty {
		return s, s.find(ctx)
	}
	if err := s.organise(ctx); err != nil {
		return nil, err
	}
	began := time.Now()
	for lo := 0; lo < n; lo += seedChunk {
		if _, err := db.BulkInsertCustomers(ctx, s.admin, s.rows(lo, min(lo+seedChunk, n))); err != nil {
			return nil, err
		}
		fmt.Fprintf(env.Stderr, "%s: seeded %d of %d customers in %s\n", s.label, min(lo+seedChunk, n), n, dur(time.Since(began)))
	}
	fmt.Fprintf(env.Stdout, "%s: seeded %d customers in %s\n", s.label, n, dur(time.Since(began)))
	return s, db.Vacuum(ctx)
}

// organise makes the admin, the department, its reps and the pools.
func (s *seeded) organise(ctx context.Context) error {
	var err error
	if s.admin, err = s.db.CreateUser(ctx, nil, gonghai.NewUser{Login: seedAdmin, Name: "压测管理员", Role: gonghai.RoleAdmin}); err != nil {
		return err
	}
	dept, err := s.db.CreateDepartment(ctx, s.admin, "压测销售部", "")
	if err != nil {
		return err
	}
	s.deptID = dept.ID
	hash, err := password.Hash(ctx, seedPassword)
	if err != nil {
		return err
	}
	for i := range seedReps {
		login := seedRep(i)
		if _, err := s.db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: gonghai.RoleRep,
			DepartmentID: dept.ID, PasswordHash: hash}); err != nil {
			return err
		}
	}
	members := []string{dept.ID}
	for _, sp := range seedPools {
		p, err := s.db.CreatePool(ctx, s.admin, gonghai.PoolInput{Name: &sp.name, MemberDepartmentIDs: &members})
		if err != nil {
			return err
		}
		s.pools = append(s.pools, p)
	}
	return nil
}

// seedRep is the login of seeded rep i.
func seedRep(i int) string { return fmt.Sprintf("bench-rep-%02d", i+1) }

// find reads the seeded organisation back from a database that holds one,
// and refuses a database that holds anything else.
func (s *seeded) find(ctx context.Context) error {
	var err error
	notSeed := func(why string) error {
		return fmt.Errorf("the database is neither empty nor this bench's seed of %d customers (%s); "+
			"give the bench an empty one, or another --keep", s.customers, why)
	}
	if err := s.db.CheckKeys(ctx); err != nil {
		return notSeed("its personal fields do not open with the kept keys")
	}
	if s.admin, err = s.db.UserByLogin(ctx, seedAdmin); err != nil {
		return notSeed("no " + seedAdmin)
	}
	rep, err := s.db.UserByLogin(ctx, seedRep(0))
	if err != nil {
		return notSeed("no " + seedRep(0))
	}
	s.deptID = rep.DepartmentID
	pools, err := s.db.Pools(ctx, s.admin)
	if err != nil {
		return err
	}
	for _, sp := range seedPools {
		for _, p := range pools {
			if p.Name == sp.name {
				s.pools = append(s.pools, p)
			}
		}
	}
	if len(s.pools) != len(seedPools) {
		return notSeed("not its pools")
	}
	if n, err := s.db.CustomerCount(ctx); err != nil {
		return err
	} else if n != s.customers {
		return notSeed(fmt.Sprintf("%d customers", n))
	}
	return nil
}

// viewer makes a rep of the seeded department, a member of every pool, and
// a token for it. login must be new: a look-up quota counts per user and
// day, so a bench that looks up contacts makes its viewers afresh.
func (s *seeded) viewer(ctx context.Context, login string) (gonghai.User, string, error) {
	u, err := s.db.CreateUser(ctx, nil, gonghai.NewUser{Login: login, Name: login, Role: gonghai.RoleRep, DepartmentID: s.deptID})
	if err != nil {
		return u, "", err
	}
	token, err := s.db.CreateToken(ctx, login)
	return u, token, err
}
