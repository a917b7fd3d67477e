package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
	"github.com/google/go-cmp/cmp"
)

// keysEnv is the environment of a database whose keys are in a key file of
// their own.
func keysEnv(t *testing.T, dsn string) map[string]string {
	return map[string]string{"GONGHAI_DB": dsn, "GONGHAI_KEY_FILE": filepath.Join(t.TempDir(), "gonghai.keys")}
}

// runIn runs one command with ctx and returns what it printed and how it
// ended: for commands that are meant to fail or be stopped.
func runIn(ctx context.Context, env map[string]string, stdout *killer, args ...string) (string, error) {
	var errOut bytes.Buffer
	err := run(ctx, append([]string{"gonghai"}, args...), func(k string) string { return env[k] },
		strings.NewReader(""), stdout, &errOut)
	return errOut.String(), err
}

// killer is the stdout of a command that is stopped, as if killed, once it
// has printed a line that starts with prefix for the nth time.
type killer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prefix string
	n      int
	stop   func()
}

func (k *killer) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, line := range strings.Split(string(p), "\n") {
		if k.prefix != "" && strings.HasPrefix(line, k.prefix) {
			if k.n--; k.n == 0 {
				k.stop()
			}
		}
	}
	return k.buf.Write(p)
}

// rotateKilled runs `gonghai keys rotate` and stops it once it printed a
// line starting with prefix n times; it must end with an error.
func rotateKilled(t *testing.T, env map[string]string, prefix string, n int, args ...string) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out := &killer{prefix: prefix, n: n, stop: stop}
	stderr, err := runIn(ctx, env, out, append([]string{"keys", "rotate"}, args...)...)
	if err == nil {
		t.Fatalf("keys rotate was not stopped after %d lines %q:\n%s%s", n, prefix, out.buf.String(), stderr)
	}
	return out.buf.String()
}

// following opens dsn as a server would, with keys that follow the key
// file; the clock stands still so that two reads compare equal.
func following(t *testing.T, dsn, file string) *store.DB {
	t.Helper()
	v, err := vault.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return openWithKeys(t, dsn, v)
}

func openWithKeys(t *testing.T, dsn string, keys store.Keys) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, gonghai.NewManualClock(time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedOwned gives a rep n customers with every personal field set and
// returns the rep.
func seedOwned(t *testing.T, db *store.DB, n int) gonghai.User {
	t.Helper()
	ctx := context.Background()
	admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss", Name: "王总", Role: gonghai.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "li.na", Name: "李娜", Role: gonghai.RoleRep})
	if err != nil {
		t.Fatal(err)
	}
	name := "华东公海"
	pool, err := db.CreatePool(ctx, admin, gonghai.PoolInput{Name: &name, MemberUserIDs: &[]string{rep.ID}})
	if err != nil {
		t.Fatal(err)
	}
	in := make([]gonghai.NewCustomer, n)
	for i := range in {
		in[i] = gonghai.NewCustomer{PoolID: pool.ID, OwnerID: rep.ID, CustomerFields: gonghai.CustomerFields{
			Name: fmt.Sprintf("张伟%d", i), Company: fmt.Sprintf("恒信科技%d有限公司", i),
			Phone: fmt.Sprintf("138%08d", 10_000+i), Email: fmt.Sprintf("zhang.wei%d@hengxin.cn", i),
			WeChat: fmt.Sprintf("wxid_zw%d", i)}}
	}
	if _, err := db.ImportCustomers(ctx, admin, in); err != nil {
		t.Fatal(err)
	}
	return rep
}

// ownerView returns the customers as their owner sees them, by id.
func ownerView(t *testing.T, db *store.DB, owner gonghai.User) map[string]gonghai.Customer {
	t.Helper()
	out := map[string]gonghai.Customer{}
	pg := gonghai.Page{Limit: 100}
	for {
		page, next, err := db.MyCustomers(context.Background(), owner, gonghai.CustomerFilter{}, pg)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			out[c.ID] = c
		}
		if next == "" {
			return out
		}
		pg.After = next
	}
}

func keyUse(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	use, err := db.KeyUse(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return use
}

// sealingKeys returns the ids of the sealing keys in a key file, the
// primary first.
func sealingKeys(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return listKeys(string(b))
}

func listKeys(list string) []string {
	_, sealing := keyEntries(list)
	ids := make([]string, len(sealing))
	for i, e := range sealing {
		ids[i] = entryID(e)
	}
	return ids
}

// TestKeysRotate rotates a key file's keys under a server that keeps
// running: a first run stopped right after it wrote the new key, a second
// stopped after three batches, a third that finishes. No run after the
// first adds a key; every value opens to what it was, for the server too,
// which then seals with the new key. A second rotation makes three sealing
// keys; prune then drops the two no customer uses.
func TestKeysRotate(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		env := keysEnv(t, dsn)
		file := env["GONGHAI_KEY_FILE"]
		if _, err := runIn(context.Background(), env, &killer{}, "migrate"); err != nil {
			t.Fatal(err)
		}
		server := following(t, dsn, file)
		rep := seedOwned(t, server, 300)
		before := ownerView(t, server, rep)
		if len(before) != 300 {
			t.Fatalf("seeded %d customers", len(before))
		}

		out := rotateKilled(t, env, "new primary key k2", 1, "--batch", "10")
		if got := sealingKeys(t, file); !slices.Equal(got, []string{"k2", "k1"}) {
			t.Fatalf("after the first run the file has %v, want k2 before k1\n%s", got, out)
		}
		if use := keyUse(t, server); use["k1"] != 300 {
			t.Fatalf("after the first run: %v", use)
		}
		out = rotateKilled(t, env, "re-sealed", 3, "--batch", "10")
		if strings.Contains(out, "new primary key") || !strings.Contains(out, "300 of 300 customers are not sealed with the primary key k2") {
			t.Fatalf("the second run printed:\n%s", out)
		}
		if use := keyUse(t, server); use["k2"] != 30 || use["k1"] != 270 {
			t.Fatalf("after three batches of ten: %v", use)
		}
		out = cli(t, env, "keys", "rotate", "--batch", "10")
		if !strings.Contains(out, "270 of 300 customers are not sealed") || !strings.Contains(out, "done: re-sealed 270 customers with key k2") ||
			!strings.Contains(out, "customers per key: k2 300") || !strings.Contains(out, "no customer uses any more, kept in the key file "+file+": k1") {
			t.Fatalf("the third run printed:\n%s", out)
		}
		if got := sealingKeys(t, file); !slices.Equal(got, []string{"k2", "k1"}) {
			t.Fatalf("the reruns changed the keys to %v", got)
		}
		if use := keyUse(t, server); !cmp.Equal(use, map[string]int{"k2": 300}) {
			t.Fatalf("after the rotation: %v", use)
		}
		// The server loaded the file before the rotation: it reads every
		// value, and from now on seals with k2.
		if diff := cmp.Diff(before, ownerView(t, server, rep)); diff != "" {
			t.Fatalf("the owner's customers changed (-before +after):\n%s", diff)
		}
		admin, err := server.UserByLogin(context.Background(), "boss")
		if err != nil {
			t.Fatal(err)
		}
		pools, err := server.Pools(context.Background(), admin)
		if err != nil {
			t.Fatal(err)
		}
		added, err := server.CreateCustomer(context.Background(), admin, gonghai.NewCustomer{PoolID: pools[0].ID, OwnerID: rep.ID,
			CustomerFields: gonghai.CustomerFields{Name: "赵敏", Phone: "13900001234", WeChat: "wxid_zm"}})
		if err != nil {
			t.Fatal(err)
		}
		if use := keyUse(t, server); use["k2"] != 301 {
			t.Fatalf("the server sealed a new customer under another key than k2: %v", use)
		}
		before[added.ID] = ownerView(t, server, rep)[added.ID]
		if before[added.ID].Phone != "13900001234" {
			t.Fatalf("the new customer reads %+v", before[added.ID])
		}

		out = cli(t, env, "keys", "rotate")
		if !strings.Contains(out, "new primary key k3") || !strings.Contains(out, "done: re-sealed 301 customers with key k3") {
			t.Fatalf("the second rotation printed:\n%s", out)
		}
		if got := sealingKeys(t, file); !slices.Equal(got, []string{"k3", "k2", "k1"}) {
			t.Fatalf("after two rotations the file has %v, want three sealing keys", got)
		}
		if diff := cmp.Diff(before, ownerView(t, server, rep)); diff != "" {
			t.Fatalf("after the second rotation (-before +after):\n%s", diff)
		}

		// Prune waits until servers have seen the new primary, then drops
		// the keys no customer uses. The file is dated now, as the rotation
		// left it: on a busy machine the rotation itself may take longer
		// than the wait.
		if now := time.Now(); os.Chtimes(file, now, now) != nil {
			t.Fatal("cannot date the key file")
		}
		if _, err := runIn(context.Background(), env, &killer{}, "keys", "prune"); err == nil || !strings.Contains(err.Error(), "try again in") {
			t.Fatalf("prune right after a rotation: %v", err)
		}
		past := time.Now().Add(-time.Minute)
		if err := os.Chtimes(file, past, past); err != nil {
			t.Fatal(err)
		}
		if out := cli(t, env, "keys", "prune"); !strings.Contains(out, "removed key k2, k1") {
			t.Fatalf("prune printed %q", out)
		}
		if got := sealingKeys(t, file); !slices.Equal(got, []string{"k3"}) {
			t.Fatalf("after prune the file has %v", got)
		}
		if diff := cmp.Diff(before, ownerView(t, openWithKeys(t, dsn, mustLoad(t, file)), rep)); diff != "" {
			t.Fatalf("after prune (-before +after):\n%s", diff)
		}
	})
}

func mustLoad(t *testing.T, file string) *vault.Vault {
	t.Helper()
	v, err := vault.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestKeysPruneKeepsUsedKeys: prune never drops a key a customer uses.
func TestKeysPruneKeepsUsedKeys(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		env := keysEnv(t, dsn)
		file := env["GONGHAI_KEY_FILE"]
		cli(t, env, "migrate")
		seedOwned(t, following(t, dsn, file), 20)
		rotateKilled(t, env, "re-sealed", 1, "--batch", "5")
		past := time.Now().Add(-time.Minute)
		if err := os.Chtimes(file, past, past); err != nil {
			t.Fatal(err)
		}
		if out := cli(t, env, "keys", "prune"); !strings.Contains(out, "removed no key") {
			t.Fatalf("prune with customers under both keys printed %q", out)
		}
		if got := sealingKeys(t, file); !slices.Equal(got, []string{"k2", "k1"}) {
			t.Fatalf("prune left %v", got)
		}
	})
}

// TestKeysRotateEnv: with GONGHAI_KEYS the command cannot add a key; it
// says how, `keys new` prints the list to use, and with that list the
// rotation seals every customer with its primary.
func TestKeysRotateEnv(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		list := crypt.Generate()
		env := map[string]string{"GONGHAI_DB": dsn, "GONGHAI_KEYS": list}
		cli(t, env, "migrate")
		v, err := vault.New(list)
		if err != nil {
			t.Fatal(err)
		}
		db := openWithKeys(t, dsn, v)
		rep := seedOwned(t, db, 40)
		before := ownerView(t, db, rep)

		out := cli(t, env, "keys", "rotate")
		if !strings.Contains(out, "nothing to do") || !strings.Contains(out, "gonghai keys new") {
			t.Fatalf("rotate with everything under the primary of GONGHAI_KEYS printed:\n%s", out)
		}
		if use := keyUse(t, db); !cmp.Equal(use, map[string]int{"k1": 40}) {
			t.Fatalf("it changed the keys in use: %v", use)
		}
		next := cli(t, env, "keys", "new")
		if strings.Contains(next, "\n") || !slices.Equal(listKeys(next), []string{"k2", "k1"}) || !strings.Contains(next, strings.Split(list, ",")[1]) {
			t.Fatalf("keys new printed %q, want the list with a new primary k2 before k1", next)
		}
		// Prune keeps k1: every customer is still under it.
		env["GONGHAI_KEYS"] = next
		if got := cli(t, env, "keys", "prune"); got != next {
			t.Fatalf("prune printed %q, want the list unchanged", got)
		}
		out = cli(t, env, "keys", "rotate", "--batch", "7")
		if !strings.Contains(out, "40 of 40 customers are not sealed with the primary key k2 of GONGHAI_KEYS") ||
			!strings.Contains(out, "done: re-sealed 40 customers with key k2") {
			t.Fatalf("rotate with the new list printed:\n%s", out)
		}
		v2, err := vault.New(next)
		if err != nil {
			t.Fatal(err)
		}
		after := openWithKeys(t, dsn, v2)
		if use := keyUse(t, after); !cmp.Equal(use, map[string]int{"k2": 40}) {
			t.Fatalf("after rotating: %v", use)
		}
		if diff := cmp.Diff(before, ownerView(t, after, rep)); diff != "" {
			t.Fatalf("the owner's customers changed (-before +after):\n%s", diff)
		}
		if got := cli(t, env, "keys", "prune"); !slices.Equal(listKeys(got), []string{"k2"}) {
			t.Fatalf("prune after the rotation printed %v", listKeys(got))
		}
	})
}

// TestKeysNew: `keys new` prints and never writes; --standby and --promote
// stage a rotation across nodes.
func TestKeysNew(t *testing.T) {
	file := filepath.Join(t.TempDir(), "gonghai.keys")
	env := map[string]string{"GONGHAI_KEY_FILE": file}
	if _, err := runIn(context.Background(), env, &killer{}, "keys", "new"); err == nil {
		t.Fatal("keys new without a key file succeeded")
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("keys new made a key file")
	}
	if _, err := vault.Create(file); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(file)
	next := cli(t, env, "keys", "new")
	if now, _ := os.ReadFile(file); string(now) != string(old) {
		t.Fatal("keys new changed the key file")
	}
	if !slices.Equal(listKeys(next), []string{"k2", "k1"}) {
		t.Fatalf("keys new printed keys %v", listKeys(next))
	}
	k, err := crypt.Parse(next)
	if err != nil || k.Primary() != "k2" {
		t.Fatalf("keys new printed a list that parses as %v, %v", k, err)
	}
	env = map[string]string{"GONGHAI_KEYS": strings.TrimSpace(string(old))}
	standby := cli(t, env, "keys", "new", "--standby")
	if !slices.Equal(listKeys(standby), []string{"k1", "k2"}) {
		t.Fatalf("--standby printed keys %v, want k2 behind the primary k1", listKeys(standby))
	}
	env["GONGHAI_KEYS"] = standby
	promoted := cli(t, env, "keys", "new", "--promote", "k2")
	if !slices.Equal(listKeys(promoted), []string{"k2", "k1"}) || strings.Split(promoted, ",")[1] != strings.Split(standby, ",")[2] {
		t.Fatalf("--promote k2 printed keys %v", listKeys(promoted))
	}
	if _, err := runIn(context.Background(), env, &killer{}, "keys", "new", "--promote", "k9"); err == nil {
		t.Fatal("--promote of a key the list does not have succeeded")
	}
}

// TestKeysRefusedAtOpen: a command refuses keys that do not open the
// database's personal fields, and does not make a new key file for a
// database that holds sealed data.
func TestKeysRefusedAtOpen(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		env := keysEnv(t, dsn)
		file := env["GONGHAI_KEY_FILE"]
		cli(t, env, "migrate")
		db := following(t, dsn, file)
		seedOwned(t, db, 3)
		db.Close()
		good, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}

		if err := os.WriteFile(file, []byte(crypt.Generate()), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"migrate"}, {"token", "create", "--login", "li.na"}, {"keys", "rotate"}} {
			_, err := runIn(context.Background(), env, &killer{}, args...)
			if err == nil || !strings.Contains(err.Error(), "the key file "+file+" does not open the personal fields") {
				t.Errorf("gonghai %s with another organisation's key file: %v", strings.Join(args, " "), err)
			}
		}

		if err := os.Remove(file); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"migrate"}, {"user", "create", "--login", "x", "--name", "x", "--role", "rep"}} {
			_, err := runIn(context.Background(), env, &killer{}, args...)
			if err == nil || !strings.Contains(err.Error(), "the key file "+file+" is missing but the database holds sealed data") {
				t.Errorf("gonghai %s without the key file: %v", strings.Join(args, " "), err)
			}
			if _, err := os.Stat(file); err == nil {
				t.Errorf("gonghai %s made a new key file for a database with sealed data", strings.Join(args, " "))
			}
		}
		entries, _ := os.ReadDir(filepath.Dir(file))
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("a temporary key file was left: %s", e.Name())
			}
		}

		if err := os.WriteFile(file, good, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := cli(t, env, "migrate"); got != "schema up to date" {
			t.Fatalf("migrate with the key file restored printed %q", got)
		}
		env["GONGHAI_KEYS"] = crypt.Generate()
		if _, err := runIn(context.Background(), env, &killer{}, "migrate"); err == nil || !strings.Contains(err.Error(), "GONGHAI_KEYS does not open") {
			t.Errorf("migrate with wrong GONGHAI_KEYS: %v", err)
		}
	})
}
