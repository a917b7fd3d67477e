package pgtest

import (
	"os"
	"syscall"
)

// memoryDir returns a fresh directory on /dev/shm when it is a memory file
// system with room to spare (a container's may have 64 MiB), or "".
func memoryDir() string {
	var st syscall.Statfs_t
	const tmpfsMagic = 0x01021994
	if err := syscall.Statfs("/dev/shm", &st); err != nil || st.Type != tmpfsMagic ||
		uint64(st.Bavail)*uint64(st.Bsize) < 2<<30 {
		return ""
	}
	dir, err := os.MkdirTemp("/dev/shm", "gonghai-test-")
	if err != nil {
		return ""
	}
	// The throwaway PostgreSQL server runs as its own user when the tests
	// run as root: it must pass through to its data directory.
	if err := os.Chmod(dir, 0o711); err != nil {
		os.RemoveAll(dir)
		return ""
	}
	return dir
}
