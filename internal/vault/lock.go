//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Lock takes the lock of the key file at path, which the commands that
// rewrite the file (`gonghai keys rotate`, `gonghai keys prune`) hold from
// reading the file to their last write, so that two of them never derive
// two different new keys from one list. It fails at once when another
// process holds it. The lock is a flock on path+".lock": the kernel drops
// it when the process ends, however it ends, so a killed rotation never
// leaves a stale lock behind. Holding it, Lock removes the temporary files
// a killed Replace left.
func Lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock key file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("key file %s is being changed by another gonghai keys command", path)
		}
		return nil, fmt.Errorf("lock key file: %w", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	for _, name := range left {
		os.Remove(name)
	}
	return func() { f.Close() }, nil
}
