package password

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// oldHash is "长城长 long wall" as gonghai hashed it before the parameters
// changed (m=64 MiB, t=3, p=2).
const oldHash = "$argon2id$v=19$m=65536,t=3,p=2$Z29uZ2hhaS1vbGQtc2FsdA$cLwUzqMimUcEy7ityrH0yyS4roXTRJbc1/lRJCFVvGg"

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h, err := Hash(ctx, "正确的密码 horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string with the production parameters", h)
	}
	if ok, err := Verify(ctx, "正确的密码 horse", h); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := Verify(ctx, "正确的密码 Horse", h); ok {
		t.Fatal("wrong password accepted")
	}
	if h2, _ := Hash(ctx, "正确的密码 horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: the salt is not fresh")
	}
	if Outdated(h) {
		t.Error("a hash just made is outdated")
	}
	for _, bad := range []string{"$bcrypt$whatever", "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=64,t=0,p=1$c2FsdA$aGFzaA", "$argon2id$v=16$m=64,t=1,p=1$c2FsdA$aGFzaA"} {
		if _, err := Verify(ctx, "x", bad); err == nil {
			t.Errorf("%s was not refused", bad)
		}
	}
	if _, err := Hash(ctx, ""); err == nil {
		t.Fatal("an empty password was hashed")
	}
}

// TestOldHashes: hashes of the former parameters still verify, and are
// outdated, so that a sign-in replaces them.
func TestOldHashes(t *testing.T) {
	ctx := context.Background()
	if ok, err := Verify(ctx, "长城长 long wall", oldHash); !ok || err != nil {
		t.Fatalf("an old hash does not verify: %v %v", ok, err)
	}
	if ok, _ := Verify(ctx, "长城长 long wal", oldHash); ok {
		t.Fatal("an old hash takes a wrong password")
	}
	if !Outdated(oldHash) {
		t.Error("the old hash is not outdated")
	}
	if Outdated("not a hash") {
		t.Error("what is no hash is outdated: nothing would verify it")
	}
}

// TestBudget: hashing waits while the budget is spent, and gives up when
// its context ends; Spend waits like Verify.
func TestBudget(t *testing.T) {
	useParams(t, testParams)
	if err := budget.Acquire(context.Background(), budgetKiB); err != nil {
		t.Fatal(err)
	}
	held := true
	defer func() {
		if held {
			budget.Release(budgetKiB)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Hash(ctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash with the budget spent: %v, want the deadline", err)
	}
	if err := Spend(ctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Spend with the budget spent: %v, want the deadline", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Hash(context.Background(), "pw"); done <- err }()
	select {
	case err := <-done:
		t.Fatalf("Hash ran with the budget spent: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	budget.Release(budgetKiB)
	held = false
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestMemoryReturned: when the last hash of a burst ends, and hashing has
// rested, the heap goes back to the system once.
func TestMemoryReturned(t *testing.T) {
	useParams(t, testParams)
	var freed atomic.Int32
	running.Lock()
	if running.timer != nil {
		running.timer.Stop() // an earlier test's
	}
	free := running.free
	running.free = func() { freed.Add(1) }
	running.Unlock()
	t.Cleanup(func() {
		running.Lock()
		running.free = free
		running.Unlock()
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := Hash(context.Background(), "pw"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := freed.Load(); n != 0 {
		t.Fatalf("freed %d times right after the burst, want after a rest", n)
	}
	time.Sleep(idleDelay + 500*time.Millisecond)
	if n := freed.Load(); n != 1 {
		t.Fatalf("freed %d times after the burst and a rest, want once", n)
	}
}

// useParams makes p the current parameters for the test.
func useParams(t *testing.T, p Params) {
	old := current.Load()
	current.Store(&p)
	t.Cleanup(func() { current.Store(old) })
}
