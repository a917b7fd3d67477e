// Package password hashes and checks passwords with argon2id, stored as
// PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash) so the parameters can
// rise later without invalidating old hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The parameters follow RFC 9106's second recommendation, with memory
// lowered to 64 MiB so that a small server can verify a few at once.
const (
	memoryKiB = 64 * 1024
	passes    = 3
	lanes     = 2
	keyLen    = 32
)

// slots bounds concurrent hashing: each hash takes 64 MiB, and a burst of
// logins must not exhaust memory.
var slots = make(chan struct{}, max(1, runtime.NumCPU()/2))

// Hash returns the PHC string of pw with a fresh salt.
func Hash(pw string) (string, error) {
	if pw == "" {
		return "", errors.New("empty password")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := derive(pw, salt, memoryKiB, passes, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether pw matches the PHC string phc.
func Verify(pw, phc string) (bool, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("not an argon2id hash")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("argon2id parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, err
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, err
	}
	got := derive(pw, salt, m, t, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func derive(pw string, salt []byte, m, t uint32, p uint8, n uint32) []byte {
	slots <- struct{}{}
	defer func() { <-slots }()
	return argon2.IDKey([]byte(pw), salt, t, m, p, n)
}
