package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// memoryGoal is the most memory `gonghai serve` may hold at its peak on a
// million customers.
const memoryGoal = 100 << 20

// memoryOptions are the flags of `gonghai bench memory`.
type memoryOptions struct {
	seedOptions
	bin      string
	requests int
	logins   int
	clients  int
}

// memory measures what `gonghai serve` holds in memory: the binary started
// as its own process on the seeded SQLite database, then listings and
// sign-ins through HTTP, its resident set read from /proc after each.
func (env Env) memory(ctx context.Context, args []string) error {
	var o memoryOptions
	fs := flag.NewFlagSet("gonghai bench memory", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	o.seedOptions.flags(fs)
	self, _ := os.Executable()
	fs.StringVar(&o.bin, "bin", self, "the gonghai binary to serve with (default: this one)")
	fs.IntVar(&o.requests, "requests", 1000, "listing requests")
	fs.IntVar(&o.logins, "logins", 50, "sign-ins with a password")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("bench memory: unexpected argument %q", fs.Arg(0))
	case o.postgres != "":
		return errors.New("bench memory: serves SQLite only, the database inside the process it measures; leave out --postgres")
	case runtime.GOOS != "linux":
		return errors.New("bench memory: reads the resident set from /proc, which only Linux has")
	}
	if err := positive("memory", map[string]int{"customers": o.customers, "requests": o.requests, "logins": o.logins, "clients": o.clients}); err != nil {
		return err
	}
	files, err := o.files()
	if err != nil {
		return err
	}
	defer files.cleanup()
	path := files.sqlitePath(o.customers)
	fmt.Fprintf(env.Stdout, "memory on %d CPUs, %s/%s, %s: %s serve on %s, %d customers in 3 pools; %d listings of pool %s from %d clients, "+
		"then %d sign-ins; goal peak resident set (VmHWM) ≤ %d MB\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(),
		o.bin, path, o.customers, o.requests, seedPools[0].name, o.clients, o.logins, memoryGoal>>20)
	s, err := env.openSeeded(ctx, "sqlite:"+path, files.keyFile("sqlite:"+path, o.customers), o.customers)
	if err != nil {
		return err
	}
	_, token, err := s.viewer(ctx, fmt.Sprintf("bench-memory-%d", time.Now().UnixNano()))
	pool := s.pools[0].ID
	// The server is to be the database's only user.
	s.db.Close()
	if err != nil {
		return err
	}

	srv, err := serve(ctx, o.bin, path, env.Stderr)
	if err != nil {
		return err
	}
	defer srv.stop()
	client := newClient(o.clients)
	defer client.CloseIdleConnections()
	report := func(after string) (hwm int64, err error) {
		rss, hwm, err := residentSet(srv.cmd.Process.Pid)
		if err == nil {
			fmt.Fprintf(env.Stdout, "sqlite    %-34s resident %6.1f MB, peak so far %6.1f MB\n", after, mb(rss), mb(hwm))
		}
		return hwm, err
	}
	if _, err := report("started:"); err != nil {
		return err
	}
	began := time.Now()
	if err := listings(ctx, client, srv.base, pool, token, o.requests, o.clients); err != nil {
		return err
	}
	if _, err := report(fmt.Sprintf("after %d listings (%s):", o.requests, dur(time.Since(began)))); err != nil {
		return err
	}
	began = time.Now()
	if err := logins(ctx, client, srv.base, o.logins, o.clients); err != nil {
		return err
	}
	hwm, err := report(fmt.Sprintf("after %d sign-ins (%s):", o.logins, dur(time.Since(began))))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "sqlite    goal peak resident set ≤ %d MB: %s (%.1f MB)\n", memoryGoal>>20, verdict(hwm <= memoryGoal), mb(hwm))
	return nil
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

// served is a `gonghai serve` process and where it listens.
type served struct {
	cmd  *exec.Cmd
	base string
	done chan error
	log  *bytes.Buffer
}

// childEnv is the environment a bench's child process of the binary
// starts with: the caller's, less gonghai's settings, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GONGHAI_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// serve starts bin serve on the SQLite database at path, on a free port,
// with nothing of the caller's GONGHAI_* environment: its field keys are
// the key file beside the database, as serve finds them by default.
func serve(ctx context.Context, bin, path string, progress io.Writer) (*served, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+abs)
	cmd.Env = childEnv()
	s := &served{cmd: cmd, done: make(chan error, 1), log: &bytes.Buffer{}}
	cmd.Stderr = &lockedWriter{w: s.log}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "started %s serve, pid %d\n", bin, cmd.Process.Pid)
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "gonghai listening on "); ok {
			s.base = addr
			break
		}
	}
	go func() {
		io.Copy(io.Discard, out)
		s.done <- cmd.Wait()
	}()
	if s.base == "" {
		s.stop()
		return nil, fmt.Errorf("serve did not say where it listens; it wrote: %s", s.log.String())
	}
	return s, nil
}

// stop ends the server as an operator would, by SIGTERM, and waits for it.
func (s *served) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// lockedWriter lets the process's output and the bench share a buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// residentSet reads process pid's resident set now (VmRSS) and at its peak
// (VmHWM), in bytes.
func residentSet(pid int) (rss, hwm int64, err error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, _ := strings.Cut(line, ":")
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch {
		case name != "VmRSS" && name != "VmHWM":
		case err != nil:
			return 0, 0, fmt.Errorf("/proc/%d/status: %s: %w", pid, name, err)
		case name == "VmRSS":
			rss = kb << 10
		default:
			hwm = kb << 10
		}
	}
	if rss == 0 || hwm == 0 {
		return 0, 0, fmt.Errorf("/proc/%d/status has no VmRSS or VmHWM", pid)
	}
	return rss, hwm, nil
}

// listings makes n listing requests of pool from clients at once: the list
// bench's cases in turn, each client following a case's cursor deeper on
// its next visit, until the case's last page.
func listings(ctx context.Context, client *http.Client, base, pool, token string, n, clients int) error {
	var next atomic.Int64
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			cursors := make([]string, len(listCases))
			for k := int(next.Add(1) - 1); k < n && errs[w] == nil; k = int(next.Add(1) - 1) {
				c := k % len(listCases)
				p, err := listPage(ctx, client, base, listingPath(pool), query(listCases[c].f, 50, cursors[c]), token)
				errs[w], cursors[c] = err, p.next
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// logins signs the seeded reps in n times from clients at once.
func logins(ctx context.Context, client *http.Client, base string, n, clients int) error {
	var next atomic.Int64
	errs := make([]error, clients)
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < n && errs[w] == nil; k = int(next.Add(1) - 1) {
				body := fmt.Sprintf(`{"login":%q,"password":%q}`, seedRep(k%seedReps), seedPassword)
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/auth/login", strings.NewReader(body))
				if err != nil {
					errs[w] = err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					errs[w] = err
					return
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs[w] = fmt.Errorf("sign-in: status %d: %.300s", resp.StatusCode, raw)
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
