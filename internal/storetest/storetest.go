// Package storetest opens migrated stores for the tests of the packages
// around internal/store: one way to get a database to test against.
package storetest

import (
	"context"
	"testing"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
	"github.com/gonghai/gonghai/internal/store"
	"github.com/gonghai/gonghai/internal/vault"
)

// Open opens dsn with clock and keys (nil: fresh keys nobody keeps),
// migrates it, and closes it when the test ends. Passwords are hashed at
// argon2's minimum cost from then on (password.SetTestParams): tests
// around a store make many users.
func Open(t testing.TB, dsn string, clock gonghai.Clock, keys store.Keys) *store.DB {
	t.Helper()
	password.SetTestParams()
	if keys == nil {
		keys = vault.Ephemeral()
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, clock, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
