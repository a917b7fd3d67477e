// Package crypt seals personal fields (phone, email, WeChat, person names)
// for storage and computes the blind indexes that let the store find equal
// values without reading them (DESIGN.md invariant 7). It is pure: keys
// come in as a string, and nothing here touches a database or a file.
//
// A sealed value names the key that sealed it ("k2$…"), so keys rotate
// without rewriting every row at once. Each value is bound to its table,
// column and row id as associated data: a ciphertext copied into another
// row or column does not open. Blind indexes use a key of their own, which
// never rotates with the sealing keys, so equality look-ups keep working
// across a rotation.
package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// IndexKeyID names the blind-index key in a key list.
const IndexKeyID = "index"

// Keyring holds the keys: the primary seals, every sealing key opens what
// it sealed, and the index key computes blind indexes.
type Keyring struct {
	primary string
	aeads   map[string]cipher.AEAD
	index   []byte
}

var keyIDPattern = regexp.MustCompile(`^[a-z0-9]{1,16}$`)

// Parse reads a key list: comma-separated "id:base64" entries of 32 random
// bytes each. One entry must be the index key (id "index"); of the others,
// the first is the primary. Ids are 1 to 16 lower-case letters and digits.
func Parse(list string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for _, entry := range strings.Split(strings.TrimSpace(list), ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(entry), ":")
		if !ok || !keyIDPattern.MatchString(id) {
			return nil, fmt.Errorf("keys: want id:base64 entries with ids of 1 to 16 lower-case letters and digits")
		}
		key, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(key) != 32 {
			return nil, fmt.Errorf("keys: key %s: want 32 bytes in standard base64", id)
		}
		if _, dup := k.aeads[id]; dup || (id == IndexKeyID && k.index != nil) {
			return nil, fmt.Errorf("keys: key %s listed twice", id)
		}
		if id == IndexKeyID {
			if k.index, err = hkdf.Key(sha256.New, key, nil, "gonghai blind index v1", 32); err != nil {
				return nil, err
			}
			continue
		}
		sealing, err := hkdf.Key(sha256.New, key, nil, "gonghai field v1", 32)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(sealing)
		if err != nil {
			return nil, err
		}
		if k.aeads[id], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
		if k.primary == "" {
			k.primary = id
		}
	}
	switch {
	case k.index == nil:
		return nil, errors.New("keys: no index key (an entry index:…)")
	case k.primary == "":
		return nil, errors.New("keys: no sealing key besides the index key")
	}
	return k, nil
}

// Generate returns a new key list: an index key and one sealing key, k1.
func Generate() string {
	return IndexKeyID + ":" + randomKey() + ",k1:" + randomKey()
}

// WithNewPrimary returns list with a new sealing key, the next free k<n>,
// which becomes the primary, and its id. The other keys stay, to open the
// values they sealed until they are sealed again.
func WithNewPrimary(list string) (string, string, error) {
	k, err := Parse(list)
	if err != nil {
		return "", "", err
	}
	id := ""
	for n := len(k.aeads) + 1; ; n++ {
		if id = fmt.Sprintf("k%d", n); k.aeads[id] == nil {
			break
		}
	}
	var index string
	sealing := []string{id + ":" + randomKey()}
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); strings.HasPrefix(e, IndexKeyID+":") {
			index = e
		} else {
			sealing = append(sealing, e)
		}
	}
	return index + "," + strings.Join(sealing, ","), id, nil
}

func randomKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Primary returns the id of the key that seals new values.
func (k *Keyring) Primary() string { return k.primary }

func aad(table, column, rowID string) []byte {
	return []byte("gonghai\x00" + table + "\x00" + column + "\x00" + rowID)
}

// Seal encrypts plaintext for table.column of row rowID with the primary
// key. An empty plaintext stays empty: an absent field is not a secret.
func (k *Keyring) Seal(table, column, rowID, plaintext string) string {
	if plaintext == "" {
		return ""
	}
	a := k.aeads[k.primary]
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	rand.Read(nonce)
	sealed := a.Seal(nonce, nonce, []byte(plaintext), aad(table, column, rowID))
	return k.primary + "$" + base64.RawStdEncoding.EncodeToString(sealed)
}

// ErrOpen means a sealed value did not open: its key is unknown, or it was
// changed, or it belongs to another row or column.
var ErrOpen = errors.New("sealed value does not open")

// Open decrypts a value Seal made for the same table, column and row.
func (k *Keyring) Open(table, column, rowID, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	id, b64, ok := strings.Cut(sealed, "$")
	a := k.aeads[id]
	if !ok || a == nil {
		return "", fmt.Errorf("%w: no key %q", ErrOpen, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < a.NonceSize()+a.Overhead() {
		return "", ErrOpen
	}
	plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], aad(table, column, rowID))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// KeyID returns the id of the key that sealed a value, "" for an empty one.
// A value whose key is not the primary is due for rotation.
func KeyID(sealed string) string {
	id, _, _ := strings.Cut(sealed, "$")
	if sealed == "" {
		return ""
	}
	return id
}

// BlindIndex returns the equality key of an already normalised value of a
// column: the same value gives the same index, and the index says nothing
// of the value to someone without the index key. Columns are kept apart,
// so a phone and an email that happen to be equal strings do not match.
func (k *Keyring) BlindIndex(column, normalised string) string {
	if normalised == "" {
		return ""
	}
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(column + "\x00" + normalised))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
