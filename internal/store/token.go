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
	"time"

	"github.com/gonghai/gonghai"
)

// tokenPrefix lets secret scanners and people recognise a gonghai token.
const tokenPrefix = "ghk_"

// CreateToken makes an API token that lasts until revoked for the user with
// login and returns it: what `gonghai token create` does.
func (db *DB) CreateToken(ctx context.Context, login string) (string, error) {
	_, secret, err := db.IssueToken(ctx, nil, login, "", gonghai.NewToken{})
	return secret, err
}

// IssueToken makes an API token for the active user with login and returns
// it with its secret. Only the secret's hash is kept, so it can be shown
// this once. actor is nil for the command line; through the API people
// make tokens for themselves, signed in with session, which must still be
// live when the token is stored.
func (db *DB) IssueToken(ctx context.Context, actor *gonghai.User, login, session string, in gonghai.NewToken) (gonghai.Token, string, error) {
	if err := in.Validate(); err != nil {
		return gonghai.Token{}, "", err
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails (crypto/rand)
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := db.now()
	t := gonghai.Token{ID: newID(), Name: in.Name, Created: now, Expires: in.Expiry(now)}
	err := db.inTx(ctx, func(c conn) error {
		// The user's row is held (PostgreSQL) until commit: a deactivation
		// or a new password, which end the user's tokens, either waits for
		// this token and then ends it too, or comes first and this one
		// finds the user inactive. SQLite's writer is alone already.
		q := `SELECT id FROM users WHERE login = ? AND active`
		if c.dialect == Postgres {
			q += ` FOR SHARE`
		}
		err := c.queryRow(ctx, q, login).Scan(&t.UserID)
		if err != nil {
			return notFound(err, "active user")
		}
		if actor != nil && actor.ID != t.UserID {
			return gonghai.Errorf(gonghai.EForbidden, "tokens are made by their holder")
		}
		if session != "" {
			// A new password or a sign-out may have ended the session
			// since the request began; the token must not outlive it.
			var one int
			err := c.queryRow(ctx, `SELECT 1 FROM sessions WHERE token_hash = ? AND user_id = ? AND expires_at > ?`,
				hashToken(session), t.UserID, micros(now)).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return errSessionEnded
			}
			if err != nil {
				return err
			}
		}
		_, err = c.exec(ctx, `INSERT INTO api_tokens (id, user_id, token_hash, name, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, t.UserID, hashToken(secret), t.Name, nullTime(t.Expires), micros(now))
		if err != nil {
			return err
		}
		e := auditBy(actor, gonghai.AuditTokenCreated, "user", t.UserID, now)
		e.Detail = map[string]string{"token_id": t.ID}
		return audit(ctx, c, e)
	})
	if err != nil {
		return t, "", fmt.Errorf("create token: %w", err)
	}
	return t, secret, nil
}

// Authenticate returns the active user a token belongs to, unless the token
// has expired or was revoked. A deactivated user's tokens are deleted, so
// they stop working at once and for good.
func (db *DB) Authenticate(ctx context.Context, token string) (gonghai.User, error) {
	u, err := scanUser(db.reader().queryRow(ctx, `SELECT `+userColumns+userFrom+
		`JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = ? AND u.active AND (t.expires_at IS NULL OR t.expires_at > ?)`,
		hashToken(token), micros(db.now())))
	if errors.Is(err, sql.ErrNoRows) {
		return u, gonghai.Errorf(gonghai.EUnauthenticated, "invalid, expired or revoked token")
	}
	return u, err
}

// Tokens lists the tokens of user holderID, newest first, expired ones
// included, to the holder and admins.
func (db *DB) Tokens(ctx context.Context, viewer gonghai.User, holderID string) ([]gonghai.Token, error) {
	// Who may not see the user learns nothing of them; an unknown user
	// is not found, to admins too.
	if _, err := db.User(ctx, viewer, holderID); err != nil {
		return nil, err
	}
	if !gonghai.MayManageToken(viewer, holderID) {
		return nil, gonghai.Errorf(gonghai.EForbidden, "only the holder and admins see a user's tokens")
	}
	out, err := collect(ctx, db.reader(), `SELECT id, user_id, name, created_at, expires_at FROM api_tokens
		WHERE user_id = ? ORDER BY id DESC`, []any{holderID}, scanToken)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	return out, nil
}

func scanToken(s scanner) (gonghai.Token, error) {
	var t gonghai.Token
	var created int64
	var expires sql.NullInt64
	err := s.Scan(&t.ID, &t.UserID, &t.Name, &created, &expires)
	t.Created, t.Expires = fromMicros(created), nullMicros(expires)
	return t, err
}

// RevokeToken deletes token id; its holder and admins may. actor is nil
// for the command line. Anyone else is told it does not exist.
func (db *DB) RevokeToken(ctx context.Context, actor *gonghai.User, id string) error {
	err := db.inTx(ctx, func(c conn) error {
		var holder string
		err := c.queryRow(ctx, `SELECT user_id FROM api_tokens WHERE id = ?`, id).Scan(&holder)
		if err != nil || (actor != nil && !gonghai.MayManageToken(*actor, holder)) {
			return errors.Join(ignoreNoRows(err), gonghai.Errorf(gonghai.ENotFound, "no such token"))
		}
		if _, err := c.exec(ctx, `DELETE FROM api_tokens WHERE id = ?`, id); err != nil {
			return err
		}
		e := auditBy(actor, gonghai.AuditTokenRevoked, "user", holder, db.now())
		e.Detail = map[string]string{"token_id": id}
		return audit(ctx, c, e)
	})
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// RevokeTokens deletes every token of the user with login and returns how
// many there were: for the command line, when a user's tokens may have
// leaked.
func (db *DB) RevokeTokens(ctx context.Context, login string) (int, error) {
	var n int
	err := db.inTx(ctx, func(c conn) error {
		var id string
		if err := c.queryRow(ctx, `SELECT id FROM users WHERE login = ?`, login).Scan(&id); err != nil {
			return notFound(err, "user")
		}
		var err error
		n, err = endTokens(ctx, c, nil, id, "revoked", db.now())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("revoke tokens: %w", err)
	}
	return n, nil
}

// endTokens deletes every token of user id in the caller's transaction and,
// when there were any, records why.
func endTokens(ctx context.Context, c conn, actor *gonghai.User, userID, why string, now time.Time) (int, error) {
	res, err := c.exec(ctx, `DELETE FROM api_tokens WHERE user_id = ?`, userID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return int(n), err
	}
	e := auditBy(actor, gonghai.AuditTokenRevoked, "user", userID, now)
	e.Detail = map[string]string{"tokens": fmt.Sprint(n), "why": why}
	return int(n), audit(ctx, c, e)
}

// ignoreNoRows drops sql.ErrNoRows, which the caller answers itself.
func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// hashToken is a plain SHA-256: tokens carry 256 random bits, so a slow
// hash would add nothing but latency to every request.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// errSessionEnded refuses what a session that has ended asks.
var errSessionEnded = gonghai.Errorf(gonghai.EUnauthenticated, "the session has ended: sign in again")
