// Package vault joins the field keys (internal/crypt) to the normalisers
// (internal/dedup) as the store's Keys, and keeps the key list: from
// GONGHAI_KEYS or a key file. A vault loaded from a key file follows the
// file, so that a server keeps working while `gonghai keys rotate` gives
// the file a new primary key.
package vault

import (
	"strings"
	"sync/atomic"

	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/dedup"
)

// Vault seals personal fields and computes the blind indexes of their
// normal forms. It is safe for concurrent use.
type Vault struct {
	keys atomic.Pointer[keys]
	file *follower // nil when the keys are a fixed list
}

// keys is one parsed key list. A Vault swaps the whole of it at once, so a
// reader never sees the ring of one list with the ids of another.
type keys struct {
	ring *crypt.Keyring
	list string
	ids  map[string]bool // every key id in list
}

func parse(list string) (*keys, error) {
	ring, err := crypt.Parse(list)
	if err != nil {
		return nil, err
	}
	k := &keys{ring: ring, list: strings.TrimSpace(list), ids: map[string]bool{}}
	for _, entry := range strings.Split(k.list, ",") {
		id, _, _ := strings.Cut(strings.TrimSpace(entry), ":")
		k.ids[id] = true
	}
	return k, nil
}

// New returns the vault of a fixed key list (see crypt.Parse).
func New(list string) (*Vault, error) {
	k, err := parse(list)
	if err != nil {
		return nil, err
	}
	v := &Vault{}
	v.keys.Store(k)
	return v, nil
}

// Ephemeral returns a vault with fresh keys that nobody keeps: for tests
// and benchmarks, whose databases are thrown away.
func Ephemeral() *Vault {
	v, err := New(crypt.Generate())
	if err != nil {
		panic(err)
	}
	return v
}

// current returns the keys to use now, having looked at the key file if
// it is time to.
func (v *Vault) current() *keys {
	if v.file != nil && v.file.due() {
		v.refresh(false)
	}
	return v.keys.Load()
}

// List returns the key list the vault holds now. It is secret.
func (v *Vault) List() string { return v.current().list }

// Primary returns the id of the key that seals new values.
func (v *Vault) Primary() string { return v.current().ring.Primary() }

// Seal encrypts plaintext for table.column of row rowID with the primary
// key; the result names the key ("k2$…"). "" stays "".
func (v *Vault) Seal(table, column, rowID, plaintext string) string {
	return v.current().ring.Seal(table, column, rowID, plaintext)
}

// Open decrypts a value sealed for the same table, column and row. A value
// under a key the vault does not know makes a vault that follows a key file
// read the file again, once, if it changed: another process may have just
// rotated the keys and sealed this value with the new one.
func (v *Vault) Open(table, column, rowID, sealed string) (string, error) {
	k := v.current()
	plain, err := k.ring.Open(table, column, rowID, sealed)
	if err != nil && v.file != nil && !k.ids[crypt.KeyID(sealed)] && v.refresh(true) {
		return v.keys.Load().ring.Open(table, column, rowID, sealed)
	}
	return plain, err
}

// BlindIndex returns the equality key of an already normalised value of a
// column (see crypt.Keyring.BlindIndex).
func (v *Vault) BlindIndex(column, normalised string) string {
	return v.current().ring.BlindIndex(column, normalised)
}

// MatchKey returns the blind index of value's normal form for column
// ("phone", "email", "wechat" or "name"); "" when it has none.
func (v *Vault) MatchKey(column, value string) string {
	return v.BlindIndex(column, dedup.Normalise(column, value))
}
