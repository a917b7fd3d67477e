package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestClaimWaitingForACustomerHoldsNoRep: a claim that waits for a
// customer's row (another claim is deciding it) does not hold its rep
// meanwhile, so the rep's claim of another customer goes through at once.
// Before the customer's row came first, the waiting claim held the rep's
// row, the second claim waited out the rest of the 6 s, and in a storm
// every other claim of that rep queued behind it. PostgreSQL only, where
// writers overlap; SQLite's writer is alone.
func TestClaimWaitingForACustomerHoldsNoRep(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	f := newFixture(t, dsn)
	rep := f.user("rep.a", gonghai.RoleRep, "", nil)
	p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}})
	ids := f.customers(p.ID, 2)

	// Another transaction holds the first customer's row, as a claim
	// deciding it would, for 6 s.
	ctx := context.Background()
	tx := otherTx(t, dsn)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, ids[0]); err != nil {
		t.Fatal(err)
	}
	held := make(chan struct{})
	go func() {
		defer close(held)
		time.Sleep(6 * time.Second)
		tx.Rollback(ctx)
	}()
	defer func() { <-held }() // before the connection closes

	waiting := make(chan error, 1)
	go func() {
		_, err := f.db.Claim(f.ctx, rep, ids[0], "")
		waiting <- err
	}()
	time.Sleep(300 * time.Millisecond) // the first claim is waiting now
	begun := time.Now()
	if _, err := f.db.Claim(f.ctx, rep, ids[1], ""); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(begun); took > 3*time.Second {
		t.Fatalf("the rep's claim of another customer took %s: it queued behind the claim waiting for a customer", took)
	}
	if err := <-waiting; err != nil {
		t.Fatalf("the waiting claim, once the row was free: %v", err)
	}
	for _, id := range ids {
		if c := f.customer(id); c.OwnerID != rep.ID {
			t.Fatalf("customer %s owned by %q, want the rep", id, c.OwnerID)
		}
	}
}

// TestTokenDuringDeactivation: a token made while the user is being
// deactivated, in a transaction that has not committed yet, waits for it
// and is then refused: it cannot slip in after the deactivation deleted
// the user's tokens and work again once the user is reactivated.
// PostgreSQL only, where writers overlap.
func TestTokenDuringDeactivation(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	f := newFixture(t, dsn)
	rep := f.user("rep.a", gonghai.RoleRep, "", nil)

	ctx := context.Background()
	tx := otherTx(t, dsn)
	// What UpdateUser does to deactivate, up to its commit.
	if _, err := tx.Exec(ctx, `UPDATE users SET active = FALSE WHERE id = $1`, rep.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, rep.ID); err != nil {
		t.Fatal(err)
	}
	type issued struct {
		secret string
		err    error
	}
	done := make(chan issued, 1)
	go func() {
		_, secret, err := f.db.IssueToken(ctx, nil, rep.Login, "", gonghai.NewToken{})
		done <- issued{secret, err}
	}()
	select {
	case got := <-done:
		t.Fatalf("the token was made while the deactivation was undecided: %v", got.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	got := <-done
	wantCode(t, got.err, gonghai.ENotFound)
	if _, err := f.db.UpdateUser(f.ctx, f.admin, rep.ID, gonghai.UserPatch{Active: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if got.secret != "" {
		if _, err := f.db.Authenticate(f.ctx, got.secret); gonghai.ErrorCode(err) != gonghai.EUnauthenticated {
			t.Fatalf("a token made during the deactivation works after reactivation: %v", err)
		}
	}
}

// otherTx begins a transaction on a connection of its own to dsn, as
// another node's would be; the connection closes when the test ends.
func otherTx(t *testing.T, dsn string) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	other, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close(ctx) })
	tx, err := other.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}
