package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// Browser sessions live in the sessions table under a SHA-256 of their
// token, like API tokens: a copy of the table signs nobody in. What a
// session's data holds is the web layer's business; the store keeps it,
// with the expiry the web layer sets, and never returns an expired one.

// ClientContext returns ctx carrying the client's address, which the audit
// entries of actions taken under it record: WithClientAddress, as a method
// so that the web layer reaches it through its interface to the store.
func (db *DB) ClientContext(ctx context.Context, address string) context.Context {
	return WithClientAddress(ctx, address)
}

// FindSession returns the data of session token, unless it has ended or
// expired.
func (db *DB) FindSession(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := db.reader().queryRow(ctx, `SELECT data FROM sessions WHERE token_hash = ? AND expires_at > ?`,
		hashToken(token), micros(db.now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// TouchSession replaces the data and expiry of a live session. It never
// creates one: a session that ended meanwhile (a logout on another tab or
// node) stays ended.
func (db *DB) TouchSession(ctx context.Context, token string, data []byte, expiry time.Time) error {
	err := db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `UPDATE sessions SET data = ?, expires_at = ? WHERE token_hash = ? AND expires_at > ?`,
			data, micros(expiry), hashToken(token), micros(db.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends session token; ending one that has gone is no error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	err := db.inTx(ctx, func(c conn) error {
		_, err := deleteSession(ctx, c, token)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// deleteSession removes session token and reports whether it was there.
func deleteSession(ctx context.Context, c conn, token string) (bool, error) {
	res, err := c.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteExpiredSessions removes the sessions past their expiry and returns
// how many. Expired sessions never authenticate anyway; this keeps the
// table small. Any number of nodes may run it.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(c conn) error {
		res, err := c.exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, micros(db.now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

// Login limits: failed sign-ins counted from the audit log over the last
// loginWindow, per account and per client address.
const (
	loginWindow         = 15 * time.Minute
	maxFailedPerAccount = 5
	maxFailedPerAddress = 20
)

// Login signs a person in with a password from address (the client's IP).
//
// verify checks the password against the stored hash. It is called with ""
// when there is no hash to check (an unknown login, a user without a
// password), and must then take as long as a real check: an unknown login,
// a wrong password and a deactivated user get the same answer, in about
// the same time. On success start gives the session to store for the user:
// it is stored in the transaction that writes the login to the audit log,
// and every failure writes login_failed, so that an action and its record
// commit together.
//
// Failures are counted from the audit log, so the limits hold across app
// nodes: past maxFailedPerAccount for the account or maxFailedPerAddress for
// the address within loginWindow, the answer is too_many_attempts (with
// RetryAfter) and the password is not checked: a right one is refused too.
func (db *DB) Login(ctx context.Context, login, address string, verify func(hash string) bool,
	start func(userID string) (token string, data []byte, expiry time.Time)) (gonghai.User, error) {
	var id, hash string
	var active bool
	err := db.reader().queryRow(ctx, `SELECT id, password_hash, active FROM users WHERE login = ?`, login).Scan(&id, &hash, &active)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return gonghai.User{}, fmt.Errorf("login: %w", err)
	}
	// An unknown login is counted under a keyed hash of its name, so that
	// the account limit answers alike whether the login exists or not, and
	// the log keeps no attempted name (a mistyped password, often).
	target, kind := id, "user"
	if id == "" {
		target, kind = "login:"+db.keys.MatchKey("login", login), "login"
	}
	if err := loginLimited(ctx, db.reader(), target, address, db.now()); err != nil {
		return gonghai.User{}, err
	}
	// The slow check runs outside any transaction, so a burst of sign-ins
	// never holds the writer.
	passed := verify(hash) && hash != "" && active
	var u gonghai.User
	var ok bool
	err = db.inTx(ctx, func(c conn) error {
		now := db.now()
		// Check again under a lock: of concurrent attempts no more than the
		// limit learn whether their password was right.
		if err := lockLogin(ctx, c, target, address); err != nil {
			return err
		}
		if err := loginLimited(ctx, c, target, address, now); err != nil {
			return err
		}
		ok = passed
		if ok {
			var err error
			if u, err = getUser(ctx, c, id); err != nil {
				return err
			}
			ok = u.Active // deactivated while the password was checked
		}
		if !ok {
			e := gonghai.AuditEntry{At: now, Action: gonghai.AuditLoginFailed, TargetKind: kind, TargetID: target, Address: address}
			return audit(ctx, c, e)
		}
		token, data, expiry := start(id)
		if _, err := c.exec(ctx, `INSERT INTO sessions (token_hash, user_id, data, expires_at) VALUES (?, ?, ?, ?)`,
			hashToken(token), id, data, micros(expiry)); err != nil {
			return err
		}
		e := auditBy(&u, gonghai.AuditLogin, "user", id, now)
		e.Address = address
		return audit(ctx, c, e)
	})
	switch {
	case err != nil:
		var limited interface{ RetryAfter() time.Duration }
		if errors.As(err, &limited) {
			return gonghai.User{}, err
		}
		return gonghai.User{}, fmt.Errorf("login: %w", err)
	case !ok:
		// The same words for every cause: they must not tell which logins exist.
		return gonghai.User{}, gonghai.Errorf(gonghai.EUnauthenticated, "wrong login or password")
	}
	return u, nil
}

// Logout ends actor's session token and records it.
func (db *DB) Logout(ctx context.Context, actor gonghai.User, token, address string) error {
	err := db.inTx(ctx, func(c conn) error {
		if there, err := deleteSession(ctx, c, token); err != nil || !there {
			return errors.Join(err, gonghai.Errorf(gonghai.EUnauthenticated, "the session has ended"))
		}
		e := auditBy(&actor, gonghai.AuditLogout, "user", actor.ID, db.now())
		e.Address = address
		return audit(ctx, c, e)
	})
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// tooManyAttempts is the too_many_attempts error with how long to wait.
type tooManyAttempts struct {
	err   *gonghai.Error
	after time.Duration
}

func (e *tooManyAttempts) Error() string { return e.err.Error() }
func (e *tooManyAttempts) Unwrap() error { return e.err }

// RetryAfter is how long until the oldest counted failure leaves the window.
func (e *tooManyAttempts) RetryAfter() time.Duration { return e.after }

// loginLimited returns tooManyAttempts when the account (userID, "" for an
// unknown login) or the address has used up its failures. The limit-th
// latest failure in the window says both whether and until when: one
// indexed look-up per dimension.
func loginLimited(ctx context.Context, c conn, userID, address string, now time.Time) error {
	var until time.Time
	for _, l := range []struct {
		query, value string
		max          int
	}{
		{`SELECT at FROM audit_log WHERE action = 'login_failed' AND target_id = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`, userID, maxFailedPerAccount},
		{`SELECT at FROM audit_log WHERE action = 'login_failed' AND address = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`, address, maxFailedPerAddress},
	} {
		if l.value == "" {
			continue
		}
		var at int64
		err := c.queryRow(ctx, l.query, l.value, micros(now.Add(-loginWindow)), l.max-1).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("login limit: %w", err)
		}
		until = later(until, fromMicros(at).Add(loginWindow))
	}
	if until.IsZero() {
		return nil
	}
	return &tooManyAttempts{err: gonghai.Errorf(gonghai.ETooManyAttempts, "too many failed sign-ins: try again later"),
		after: until.Sub(now)}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// lockLogin serialises, on PostgreSQL, the sign-ins of one account and of
// one address until commit, so that counting failures and adding one is
// atomic across nodes. Transaction-level advisory locks end with the
// transaction and so work behind a transaction-pooling pgbouncer. SQLite's
// single writer serialises already.
func lockLogin(ctx context.Context, c conn, userID, address string) error {
	if c.dialect != Postgres {
		return nil
	}
	var keys []int64
	for _, k := range []string{"user:" + userID, "address:" + address} {
		if strings.HasSuffix(k, ":") {
			continue // no account, or no address: nothing to count
		}
		keys = append(keys, advisoryKey("login "+k))
	}
	slices.Sort(keys) // one order everywhere: no deadlock between two attempts
	for _, k := range keys {
		if _, err := c.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, k); err != nil {
			return fmt.Errorf("login lock: %w", err)
		}
	}
	return nil
}
