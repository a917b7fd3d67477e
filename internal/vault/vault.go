// Package vault joins the field keys (internal/crypt) to the normalisers
// (internal/dedup) as the store's Keys, and keeps the key list: from
// GONGHAI_KEYS or a key file.
package vault

import (
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/dedup"
)

// Vault seals personal fields and computes the blind indexes of their
// normal forms.
type Vault struct {
	*crypt.Keyring
}

// New returns the vault of a key list (see crypt.Parse).
func New(list string) (*Vault, error) {
	k, err := crypt.Parse(list)
	if err != nil {
		return nil, err
	}
	return &Vault{k}, nil
}

// MatchKey returns the blind index of value's normal form for column
// ("phone", "email", "wechat" or "name"); "" when it has none.
func (v *Vault) MatchKey(column, value string) string {
	return v.BlindIndex(column, dedup.Normalise(column, value))
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
