package vault

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai/internal/crypt"
)

// newFile makes a key file in a new directory and returns its path and a
// vault that follows it.
func newFile(t *testing.T) (string, *Vault) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "gonghai.db.keys")
	v, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, v
}

// rotate gives the key file at path a new primary key, as `gonghai keys
// rotate` does, and returns its id.
func rotate(t *testing.T, path string) string {
	t.Helper()
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	list, id, err := crypt.WithNewPrimary(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := Replace(path, list); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCreate(t *testing.T) {
	path, v := newFile(t)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", info.Mode(), err)
	}
	if v.Primary() != "k1" {
		t.Fatalf("primary %q", v.Primary())
	}
	before, _ := os.ReadFile(path)
	if _, err := Create(path); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing file: %v, want ErrExist", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("Create changed an existing key file")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load of a missing file: %v, want ErrNotExist", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("the directory holds %v, want the key file only", entries)
	}
}

// TestFollowRotation is a server that loaded the key file before another
// process rotated it: it opens values sealed with the new key at once, and
// seals with it from then on.
func TestFollowRotation(t *testing.T) {
	path, server := newFile(t)
	old := server.Seal("customers", "phone", "row-1", "13812348000")
	id := rotate(t, path)
	rotator, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sealed := rotator.Seal("customers", "phone", "row-2", "13912348001")
	if crypt.KeyID(sealed) != id || id != "k2" {
		t.Fatalf("the rotating process sealed with %q, new key %q", crypt.KeyID(sealed), id)
	}
	got, err := server.Open("customers", "phone", "row-2", sealed)
	if err != nil || got != "13912348001" {
		t.Fatalf("the server opened the new key's value as %q, %v", got, err)
	}
	if server.Primary() != "k2" || crypt.KeyID(server.Seal("customers", "phone", "row-3", "x")) != "k2" {
		t.Fatalf("after reloading the server seals with %q", server.Primary())
	}
	if got, err := server.Open("customers", "phone", "row-1", old); err != nil || got != "13812348000" {
		t.Fatalf("the old key's value: %q, %v", got, err)
	}
	// A key that is nowhere stays an error, and leaves the keys as they are.
	if _, err := server.Open("customers", "phone", "row-1", "k9"+old[2:]); !errors.Is(err, crypt.ErrOpen) {
		t.Fatalf("a value under an unknown key: %v", err)
	}
}

// TestPeriodicLook: a server that only writes picks up a new primary once
// the interval has passed, and not before.
func TestPeriodicLook(t *testing.T) {
	path, v := newFile(t)
	v.file.interval = time.Hour
	rotate(t, path)
	if v.Primary() != "k1" {
		t.Fatal("looked at the file before the interval passed")
	}
	v.file.next.Store(0) // the interval has passed
	if v.Primary() != "k2" {
		t.Fatalf("primary %q after the interval, want k2", v.Primary())
	}
}

// TestBadFile: a half-edited file, or another organisation's keys, do not
// replace the keys in use.
func TestBadFile(t *testing.T) {
	path, v := newFile(t)
	sealed := v.Seal("customers", "email", "row-1", "zhang.wei@example.cn")
	for name, content := range map[string]string{
		"garbage":         "index:abc,k1:",
		"other index key": crypt.Generate(),
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := v.Reload(); err == nil {
			t.Errorf("%s: Reload accepted it", name)
		}
		v.file.next.Store(0)
		if got, err := v.Open("customers", "email", "row-1", sealed); err != nil || got != "zhang.wei@example.cn" || v.Primary() != "k1" {
			t.Errorf("%s: the vault lost its keys: %q, %v, primary %q", name, got, err, v.Primary())
		}
	}
	fixed, err := New(crypt.Generate())
	if err != nil {
		t.Fatal(err)
	}
	if fixed.Reload() == nil {
		t.Error("a fixed list reloaded")
	}
}

func TestLock(t *testing.T) {
	path, _ := newFile(t)
	left := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-123")
	if err := os.WriteFile(left, []byte("killed mid-write"), 0o600); err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lock left %s: %v", left, err)
	}
	if _, err := Lock(path); err == nil || !strings.Contains(err.Error(), "another gonghai keys command") {
		t.Fatalf("a second Lock: %v", err)
	}
	unlock()
	again, err := Lock(path)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
}

// TestConcurrentRotation seals and opens from many goroutines while the
// key file rotates under them; run with -race. Every value opens
// afterwards.
func TestConcurrentRotation(t *testing.T) {
	path, v := newFile(t)
	v.file.interval = time.Millisecond
	v.file.next.Store(0)
	type value struct{ row, plain, sealed string }
	var mu sync.Mutex
	var sealed []value
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				row := strings.Repeat("r", g+1) + string(rune('0'+i%10))
				s := v.Seal("customers", "name", row, "王伟")
				if got, err := v.Open("customers", "name", row, s); err != nil || got != "王伟" {
					t.Errorf("open right after seal: %q, %v", got, err)
					return
				}
				_ = v.MatchKey("phone", "13812348000")
				mu.Lock()
				sealed = append(sealed, value{row, "王伟", s})
				mu.Unlock()
			}
		}()
	}
	for range 5 {
		rotate(t, path)
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	fresh, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, s := range sealed {
		used[crypt.KeyID(s.sealed)] = true
		if got, err := fresh.Open("customers", "name", s.row, s.sealed); err != nil || got != s.plain {
			t.Fatalf("%s does not open: %v", s.sealed[:3], err)
		}
	}
	if fresh.Primary() != "k6" || len(used) < 2 {
		t.Fatalf("primary %q, keys used %v", fresh.Primary(), used)
	}
}
