//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package vault

import "errors"

// Lock is not available here: without a lock that the system drops when
// its holder dies, two rotations could derive two different new keys from
// one key file. Rotate with GONGHAI_KEYS instead (docs/security.md).
func Lock(path string) (unlock func(), err error) {
	return nil, errors.New("rewriting a key file needs flock, which this system lacks: use GONGHAI_KEYS and `gonghai keys new`")
}
