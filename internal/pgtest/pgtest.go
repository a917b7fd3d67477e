// Package pgtest gives tests a real, throwaway PostgreSQL database.
//
// All tests in one test binary share a single server, so the cost of starting
// it is paid once; isolation comes from giving every test its own database.
// The server is the one named by GONGHAI_TEST_POSTGRES_URL, or else one
// started on first use from the local PostgreSQL binaries in a temporary
// directory, which is removed again when the test binary ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// envURL names an existing server to use instead of starting one, for
	// machines without local binaries or where a server is already running.
	envURL = "GONGHAI_TEST_POSTGRES_URL"
	// envRequire turns "no PostgreSQL" from a skip into a failure, so that CI
	// cannot pass by quietly skipping every database test.
	envRequire = "GONGHAI_REQUIRE_POSTGRES"

	// adminTimeout bounds each CREATE/DROP DATABASE; they take milliseconds,
	// so hitting it means the server is wedged and waiting longer won't help.
	adminTimeout = 30 * time.Second
)

var (
	serverOnce sync.Once
	shared     *server
	sharedErr  error
)

// server is the PostgreSQL instance that databases are created on.
type server struct {
	// baseURL connects to the server's maintenance database; NewDatabase
	// derives per-test DSNs from it by swapping the database name.
	baseURL *url.URL
	// stop shuts down and removes a server this package started. It is nil
	// for a server given through envURL, which is not ours to stop.
	stop func()
}

// Main runs the package's tests and then stops the shared server, if one was
// started. Use from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Main is what makes shutdown prompt; should the test binary die without
// reaching it (panic, timeout, kill), a watchdog process still stops the
// server and removes its files once the binary has gone.
//
// Temporary files (t.TempDir, and so the SQLite test databases and the
// throwaway server's data) go to a memory file system when there is one
// with room: SQLite syncs every commit to disk, which on a slow disk is most
// of the suite's time, and no test here is about surviving power loss.
//
// Most of a test's time here is spent waiting for a database, not
// computing: unless -test.parallel is given, as many as parallelTests
// parallel tests run at once, not one per processor.
func Main(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(max(parallelTests, runtime.GOMAXPROCS(0))))
	}
	removeDir := func() {}
	if dir := memoryDir(); dir != "" {
		// The watchdog removes it however the binary ends: memory left
		// behind would stay taken until the machine restarts.
		if stop, err := startWatchdog(dir, []string{"true"}); err == nil {
			removeDir = stop
			os.Setenv("TMPDIR", dir)
		} else {
			os.RemoveAll(dir)
		}
	}
	code := m.Run()
	if shared != nil && shared.stop != nil {
		shared.stop()
	}
	removeDir()
	os.Exit(code)
}

// parallelTests is how many parallel tests run at once by default.
const parallelTests = 8

// NewDatabase returns a DSN ("postgres://...") for a fresh, empty database
// created for this test on the shared server, which is started on first use.
// The database is dropped, together with any connections still open to it,
// when the test and its subtests have finished.
//
// When GONGHAI_TEST_POSTGRES_URL is set, that server is used instead of
// starting one. When no PostgreSQL can be had, the test is skipped with the
// reason, unless GONGHAI_REQUIRE_POSTGRES=1, in which case it fails.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	srv := sharedServer(tb)

	name := "t_" + randomHex(8)
	quoted := pgx.Identifier{name}.Sanitize()
	if err := adminExec(srv.baseURL, "CREATE DATABASE "+quoted); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// FORCE because a test that forgot to close its pool must not leak
		// the database, nor hang here waiting for the connections to go.
		if err := adminExec(srv.baseURL, "DROP DATABASE IF EXISTS "+quoted+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})

	dsn := *srv.baseURL
	dsn.Path = "/" + name
	dsn.RawPath = ""
	return dsn.String()
}

// sharedServer returns the server for this test binary, skipping or failing
// tb when there is none.
func sharedServer(tb testing.TB) *server {
	tb.Helper()
	serverOnce.Do(func() {
		if raw := os.Getenv(envURL); raw != "" {
			shared, sharedErr = externalServer(raw)
		} else {
			shared, sharedErr = startServer()
		}
	})
	if sharedErr == nil {
		return shared
	}
	// A URL that was set explicitly but does not work is a misconfiguration,
	// not an absence of PostgreSQL, so it fails even when not required.
	if os.Getenv(envURL) != "" {
		tb.Fatalf("pgtest: %v", sharedErr)
	}
	if required() {
		tb.Fatalf("pgtest: %s is set but there is no PostgreSQL: %v", envRequire, sharedErr)
	}
	tb.Skipf("pgtest: skipping (set %s=1 to fail instead), no PostgreSQL: %v", envRequire, sharedErr)
	return nil
}

func required() bool {
	ok, _ := strconv.ParseBool(os.Getenv(envRequire))
	return ok
}

func externalServer(raw string) (*server, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Only the URL form lets us swap in the database name reliably.
		return nil, fmt.Errorf("%s must be a postgres:// URL, got %q", envURL, raw)
	}
	srv := &server{baseURL: u}
	if err := waitReady(u, 10*time.Second); err != nil {
		return nil, fmt.Errorf("%s: %w", envURL, err)
	}
	return srv, nil
}

// startServer initialises a data directory in a new temporary directory and
// starts a server on it listening on a free loopback port.
func startServer() (*server, error) {
	binDir, err := findBinDir()
	if err != nil {
		return nil, err
	}

	// initdb and postgres refuse to run as root, so as root they run as the
	// postgres user, which then has to own the directory they work in.
	var runAs []string
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, errors.New("running as root and runuser not found; initdb refuses to run as root")
		}
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root and no postgres user to run initdb as: %w", err)
		}
		if uid, err = strconv.Atoi(u.Uid); err != nil {
			return nil, fmt.Errorf("postgres user: uid %q: %w", u.Uid, err)
		}
		if gid, err = strconv.Atoi(u.Gid); err != nil {
			return nil, fmt.Errorf("postgres user: gid %q: %w", u.Gid, err)
		}
		runAs = []string{runuser, "-u", "postgres", "--"}
	}

	root, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	if uid >= 0 {
		if err := os.Chown(root, uid, gid); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
		// MkdirTemp makes it 0700; the postgres user owns it now, but make
		// it traversable anyway so that files in it can be inspected.
		if err := os.Chmod(root, 0o755); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	dataDir := filepath.Join(root, "data")
	logFile := filepath.Join(root, "postgres.log")

	pgCmd := func(name string, args ...string) *exec.Cmd {
		argv := append(slices.Clone(runAs), filepath.Join(binDir, name))
		argv = append(argv, args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		// The postgres user may not be able to reach the test's working
		// directory, which initdb and pg_ctl dislike.
		cmd.Dir = root
		return cmd
	}

	// Start the watchdog before anything else, so that from here on every
	// way out, including the test binary dying, stops and removes the server.
	stopCmd := pgCmd("pg_ctl", "stop", "-D", dataDir, "-m", "immediate", "-w")
	stop, err := startWatchdog(root, stopCmd.Args)
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	fail := func(err error) (*server, error) {
		stop()
		return nil, err
	}

	// --no-sync because the cluster is thrown away; syncing it costs seconds.
	initdb := pgCmd("initdb", "-D", dataDir, "-A", "trust", "-U", "postgres",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb (%s): %v\n%s", binDir, err, tail(out)))
	}
	// Settings go into the config file rather than onto pg_ctl's -o, which
	// pg_ctl passes through a shell and would break on unusual paths.
	if err := appendConfig(filepath.Join(dataDir, "postgresql.conf"), root); err != nil {
		return fail(err)
	}

	var port int
	for attempt := 1; ; attempt++ {
		if port, err = freePort(); err != nil {
			return fail(err)
		}
		start := pgCmd("pg_ctl", "start", "-w", "-t", "60", "-D", dataDir, "-l", logFile,
			"-o", "-p "+strconv.Itoa(port))
		out, err := start.CombinedOutput()
		if err == nil {
			break
		}
		log, _ := os.ReadFile(logFile)
		// The port was free when picked but another process can take it
		// before the server binds it; that is worth another try.
		if attempt < 3 && strings.Contains(string(log), "already in use") {
			continue
		}
		return fail(fmt.Errorf("pg_ctl start (%s): %v\n%s\nserver log:\n%s", binDir, err, out, tail(log)))
	}

	u := &url.URL{
		Scheme:   "postgres",
		User:     url.User("postgres"),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Path:     "/postgres",
		RawQuery: "sslmode=disable",
	}
	if err := waitReady(u, 30*time.Second); err != nil {
		log, _ := os.ReadFile(logFile)
		return fail(fmt.Errorf("server started but does not answer: %w\nserver log:\n%s", err, tail(log)))
	}
	return &server{baseURL: u, stop: stop}, nil
}

// findBinDir finds the directory holding initdb and pg_ctl: the one on PATH
// if there is one, as an explicit choice, else the newest Debian install.
func findBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		// Debian's PATH entries are symlinks into the versioned directory;
		// pg_ctl need not be linked next to them.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	const pattern = "/usr/lib/postgresql/*/bin/initdb"
	matches, _ := filepath.Glob(pattern)
	var best string
	var bestVer []int
	for _, m := range matches {
		binDir := filepath.Dir(m)
		ver, ok := parseVersion(filepath.Base(filepath.Dir(binDir)))
		if !ok {
			continue
		}
		if _, err := os.Stat(filepath.Join(binDir, "pg_ctl")); err != nil {
			continue
		}
		if best == "" || slices.Compare(ver, bestVer) > 0 {
			best, bestVer = binDir, ver
		}
	}
	if best == "" {
		return "", fmt.Errorf("initdb and pg_ctl not found on PATH or as %s; install PostgreSQL or set %s", pattern, envURL)
	}
	return best, nil
}

// parseVersion parses "15" or "9.6" so that 10 sorts above 9.6.
func parseVersion(s string) ([]int, bool) {
	var ver []int
	for f := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, false
		}
		ver = append(ver, n)
	}
	return ver, true
}

// appendConfig tunes the server for tests: it listens only where the tests
// connect, keeps its socket out of /var/run/postgresql (absent or not ours),
// and trades durability, which a throwaway cluster does not need, for speed.
func appendConfig(path, socketDir string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	// Later lines win, so appending overrides initdb's defaults.
	_, err = fmt.Fprintf(f, `
# pgtest
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = '128MB'
`, strings.ReplaceAll(socketDir, "'", "''"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// startWatchdog starts a process that waits for this one to go, then runs
// stopArgv and removes root. This process holds the only write end of the
// watchdog's stdin, so the watchdog sees EOF both when the returned function
// closes it and when the kernel does because the test binary died; either
// way the server does not outlive the tests. The watchdog ignores the
// signals a Ctrl-C or a test timeout sends, so it survives to clean up.
func startWatchdog(root string, stopArgv []string) (func(), error) {
	const script = `trap '' HUP INT QUIT TERM PIPE
cat >/dev/null
root=$1
shift
"$@" >/dev/null 2>&1
rm -rf "$root"`
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "pgtest-watchdog", root}, stopArgv...)...)
	cmd.Stdin = r
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("starting watchdog: %w", err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			w.Close()
			cmd.Wait()
		})
	}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls until the server accepts a connection, since a server can
// report itself started a moment before it accepts connections.
func waitReady(u *url.URL, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, u.String())
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(context.Background())
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("connecting to %s: %w", u.Redacted(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// adminExec runs one statement on its own connection: pgx.Conn is not safe
// for concurrent use and parallel tests create databases concurrently.
func adminExec(u *url.URL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails; see crypto/rand.Read
	return hex.EncodeToString(b)
}

// tail keeps error messages readable: the cause of a failed start is at the
// end of the log, after lines of routine startup noise.
func tail(b []byte) string {
	const limit = 4096
	s := strings.TrimSpace(string(b))
	if len(s) > limit {
		s = "..." + s[len(s)-limit:]
	}
	return s
}
