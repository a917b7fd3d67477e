// Package password hashes and checks passwords with argon2id, stored as
// PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so that the
// parameters can change without invalidating old hashes, and bounds the
// memory that hashing holds: argon2id is memory-hard by design, and a
// burst of sign-ins must not become the server's largest use of memory.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/crypto/argon2"
)

// Params are the cost of an argon2id hash.
type Params struct {
	MemoryKiB uint32 // m: memory per hash
	Passes    uint32 // t: passes over the memory
	Lanes     uint8  // p: parallel lanes
}

// production are the parameters new hashes get: m=19 MiB, t=2, p=1, the
// configuration OWASP's Password Storage Cheat Sheet names first for
// argon2id. Its other rows trade memory, which is what makes guessing on
// GPUs dear, for passes. A guess costs about 30 ms of one core, a sixth of
// the 64 MiB, t=3, p=2 hashes of earlier versions: OWASP's minimum, taken
// because memory, not CPU, is what a small server runs short of, and the
// login limits bound guessing online. One lane: a sign-in takes one core
// and leaves the others to the requests around it.
var production = Params{MemoryKiB: 19 * 1024, Passes: 2, Lanes: 1}

// testParams are what SetTestParams switches to: argon2's minimum.
var testParams = Params{MemoryKiB: 64, Passes: 1, Lanes: 1}

// current are the parameters Hash uses and Spend imitates.
var current atomic.Pointer[Params]

func init() {
	p := production
	current.Store(&p)
}

// SetTestParams makes every later hash of this process use argon2's
// cheapest parameters, so that test suites that create many users do not
// spend their time hashing. It panics outside a test binary: a server can
// never be switched to them, by configuration or by mistake.
func SetTestParams() {
	if !testing.Testing() {
		panic("password: SetTestParams outside a test binary")
	}
	current.Store(&testParams)
}

// keyLen is the length of the derived key, in bytes.
const keyLen = 32

// Hash returns the PHC string of pw with a fresh salt. It waits for room
// in the hashing budget, or until ctx ends.
func Hash(ctx context.Context, pw string) (string, error) {
	if pw == "" {
		return "", errors.New("empty password")
	}
	p := *current.Load()
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // never fails (crypto/rand)
	key, err := derive(ctx, pw, salt, p, keyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Passes, p.Lanes,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string phc, whatever
// parameters it was made with. It waits for room in the hashing budget,
// or until ctx ends.
func Verify(ctx context.Context, pw, phc string) (bool, error) {
	h, err := parse(phc)
	if err != nil {
		return false, err
	}
	got, err := derive(ctx, pw, h.salt, h.params, uint32(len(h.key)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// Spend costs what Verify costs for a hash with the current parameters,
// and matches nothing: a sign-in with a login that has no hash calls it,
// so that it takes as long as a wrong password and does not tell which
// logins exist. It needs no hash made in advance, so nothing is hashed
// at start-up.
func Spend(ctx context.Context, pw string) error {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	_, err := derive(ctx, pw, salt, *current.Load(), keyLen)
	return err
}

// Outdated reports whether phc was made with other parameters than Hash
// uses now: after it verifies, the caller may store a new hash of the
// same password.
func Outdated(phc string) bool {
	h, err := parse(phc)
	return err == nil && h.params != *current.Load()
}

// hash is a parsed PHC string.
type hash struct {
	params    Params
	salt, key []byte
}

func parse(phc string) (hash, error) {
	var h hash
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return h, errors.New("not an argon2id hash")
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return h, errors.New("argon2id version: want 19")
	}
	p := &h.params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Passes, &p.Lanes); err != nil {
		return h, fmt.Errorf("argon2id parameters: %w", err)
	}
	// A stored hash is our own writing, but a corrupt one must not ask
	// for gigabytes or hang a sign-in.
	if p.MemoryKiB > maxMemoryKiB || p.Passes == 0 || p.Passes > 16 || p.Lanes == 0 {
		return h, errors.New("argon2id parameters out of range")
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return h, err
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) == 0 {
		return h, errors.New("argon2id key: want base64")
	}
	return h, nil
}
