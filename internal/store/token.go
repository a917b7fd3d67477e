package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gonghai/gonghai"
)

// tokenPrefix lets secret scanners and people recognise a gonghai token.
const tokenPrefix = "ghk_"

// CreateToken makes an API token for the user with login and returns it.
// Only its hash is kept, so it can be shown this once.
func (db *DB) CreateToken(ctx context.Context, login string) (string, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return "", err
	}
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	err := db.inTx(ctx, func(c conn) error {
		var userID string
		err := c.queryRow(ctx, `SELECT id FROM users WHERE login = ? AND active`, login).Scan(&userID)
		if err != nil {
			return notFound(err, "active user", login)
		}
		_, err = c.exec(ctx, `INSERT INTO api_tokens (id, user_id, token_hash, created_at) VALUES (?, ?, ?, ?)`,
			newID(), userID, hashToken(token), micros(db.now()))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return token, nil
}

// Authenticate returns the active user a token belongs to. A deactivated
// user's tokens stop working at once.
func (db *DB) Authenticate(ctx context.Context, token string) (gonghai.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+userFrom+
		`JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = ? AND u.active`, hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, gonghai.Errorf(gonghai.EUnauthenticated, "invalid or expired token")
	}
	return u, err
}

// hashToken is a plain SHA-256: tokens carry 256 random bits, so a slow
// hash would add nothing but latency to every request.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
