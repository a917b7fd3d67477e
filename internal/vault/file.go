package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gonghai/gonghai/internal/crypt"
)

// ReloadInterval is how often a vault that follows a key file looks whether
// the file changed, before it seals a value: after `gonghai keys rotate`
// writes a new primary key, running servers seal with it within this time.
const ReloadInterval = 2 * time.Second

// follower is what a vault knows of the key file it follows. Its times are
// wall-clock readings: they pace looks at a file, they are not the domain's
// clock.
type follower struct {
	path     string
	interval time.Duration
	next     atomic.Int64 // unix nanoseconds of the next periodic look
	mu       sync.Mutex   // one look at a time; guards read
	read     os.FileInfo  // the file as last read
}

func (f *follower) due() bool { return time.Now().UnixNano() >= f.next.Load() }

// Load returns a vault that follows the key file at path. A missing file
// gives an error that matches fs.ErrNotExist.
func Load(path string) (*Vault, error) {
	info, list, err := readFile(path)
	if err != nil {
		return nil, err
	}
	k, err := parse(list)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	v := &Vault{file: &follower{path: path, interval: ReloadInterval, read: info}}
	v.keys.Store(k)
	v.file.next.Store(time.Now().Add(ReloadInterval).UnixNano())
	return v, nil
}

func readFile(path string) (os.FileInfo, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", fmt.Errorf("keys: %w", err)
	}
	defer f.Close()
	// The metadata of the open file, not of the path: it belongs to the
	// bytes read even if the file is replaced meanwhile.
	info, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("keys: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, "", fmt.Errorf("keys: %w", err)
	}
	return info, string(b), nil
}

// refresh reads the key file again if it changed since it was last read,
// and reports whether the keys changed. Periodic looks (unknown false) are
// made once an interval however many goroutines find one due. A look for
// a value under an unknown key is made at once, since such a value may
// have been sealed a moment ago under a key just added to the file; it
// costs a stat, and the file is read only when the stat shows it changed,
// so values under a key that is nowhere do not make the vault read the
// file over and over.
func (v *Vault) refresh(unknown bool) bool {
	f := v.file
	f.mu.Lock()
	defer f.mu.Unlock()
	if !unknown && !f.due() {
		return false
	}
	f.next.Store(time.Now().Add(f.interval).UnixNano())
	info, err := os.Stat(f.path)
	if err != nil || sameVersion(info, f.read) {
		return false
	}
	changed, _ := v.reloadLocked()
	return changed
}

// sameVersion reports whether two looks at a key file saw the same
// version: Replace makes a new file, and an edit in place changes the
// modification time or the size.
func sameVersion(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// Reload reads the key file now: for the command that has just replaced
// it, and must seal with its new primary at once.
func (v *Vault) Reload() error {
	if v.file == nil {
		return errors.New("keys: the keys do not come from a key file")
	}
	v.file.mu.Lock()
	defer v.file.mu.Unlock()
	_, err := v.reloadLocked()
	return err
}

// indexProbe is a value whose blind index tells two index keys apart.
const indexProbe = "gonghai index probe"

func (v *Vault) reloadLocked() (bool, error) {
	f := v.file
	info, list, err := readFile(f.path)
	if err != nil {
		return false, err
	}
	// A file that does not parse is not read again until it changes: the
	// vault keeps the keys it has, which still open every value they did.
	f.read = info
	k, err := parse(list)
	if err != nil {
		return false, fmt.Errorf("key file %s: %w", f.path, err)
	}
	old := v.keys.Load()
	if k.list == old.list {
		return false, nil
	}
	// Another index key would make every blind index in the database
	// unfindable: duplicate checks would pass duplicates. A file like that
	// was swapped for another organisation's, not rotated.
	if k.ring.BlindIndex("name", indexProbe) != old.ring.BlindIndex("name", indexProbe) {
		return false, fmt.Errorf("key file %s: its index key is not the one in use; kept the keys loaded before", f.path)
	}
	v.keys.Store(k)
	return true, nil
}

// Create makes a key file at path with fresh keys, readable by its owner
// only, and returns the vault that follows it. When the file exists
// already it fails with an error that matches fs.ErrExist and leaves the
// file alone: two processes that start at once on a new database end up
// with the same keys.
func Create(path string) (*Vault, error) {
	tmp, err := writeTemp(path, crypt.Generate())
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp)
	// A link, unlike a rename, fails when the name is taken; the file
	// appears whole or not at all.
	if err := os.Link(tmp, path); err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return Load(path)
}

// Replace writes list over the key file at path: readers see the old list
// or the new one, never a part of one, and once Replace returns the new
// list survives a crash. Hold the file's Lock around reading the old list
// and replacing it.
func Replace(path, list string) error {
	if _, err := parse(list); err != nil {
		return err
	}
	tmp, err := writeTemp(path, list)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// tempPattern names the files that writeTemp makes beside a key file;
// Lock removes those that a killed process left.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// writeTemp writes list to a new file, mode 0600, beside path and syncs it.
func writeTemp(path, list string) (string, error) {
	// The first run may name a database in a folder that does not exist
	// yet; the store makes it the same way.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("write key file: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return "", fmt.Errorf("write key file: %w", err)
	}
	_, err = f.WriteString(list + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write key file: %w", err)
	}
	return f.Name(), nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
