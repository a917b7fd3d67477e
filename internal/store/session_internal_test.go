package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
)

// TestSessionTokenHashed: the sessions table holds a SHA-256 of each token,
// never the token, so a copy of the table signs nobody in.
func TestSessionTokenHashed(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openMigrated(t, dsn, gonghai.NewManualClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)))
		if _, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "a", Name: "a", Role: gonghai.RoleRep, PasswordHash: "h"}); err != nil {
			t.Fatal(err)
		}
		const token = "the-session-token"
		start := func(string) (string, []byte, time.Time) { return token, []byte("d"), db.now().Add(time.Hour) }
		if _, err := db.Login(ctx, "a", "", func(h string) bool { return h == "h" }, start); err != nil {
			t.Fatal(err)
		}
		hashes, err := collect(ctx, db.reader(), `SELECT token_hash FROM sessions`, nil, func(s scanner) (string, error) {
			var h string
			return h, s.Scan(&h)
		})
		sum := sha256.Sum256([]byte(token))
		if err != nil || len(hashes) != 1 || hashes[0] != hex.EncodeToString(sum[:]) {
			t.Fatalf("stored %q (%v), want only the SHA-256 of the token", hashes, err)
		}
	})
}
