package web_test

import (
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/password"
)

// productionHash is "长城长 long wall" hashed with the production
// parameters (m=19 MiB, t=2, p=1).
const productionHash = "$argon2id$v=19$m=19456,t=2,p=1$Z29uZ2hhaS1vbGQtc2FsdA$DLI1WFBYBVcQSoQHjxlqxKlg4i9jPjIw90A0wcEMeqc"

// oldHash is "长城长 long wall" hashed with the parameters of earlier
// versions (m=64 MiB, t=3, p=2).
const oldHash = "$argon2id$v=19$m=65536,t=3,p=2$Z29uZ2hhaS1vbGQtc2FsdA$cLwUzqMimUcEy7ityrH0yyS4roXTRJbc1/lRJCFVvGg"

// TestOldHashRehashed: a password hashed with earlier parameters still
// signs in, and the sign-in replaces its hash with one of the current
// parameters. That is no new password: the session stays, and the audit
// log records no password_set.
func TestOldHashRehashed(t *testing.T) {
	eachSignIn(t, func(t *testing.T, o *signIn) {
		o.person("wang.fang", "first-pw", gonghai.RoleRep)
		if err := o.db.SetPassword(o.ctx, nil, "wang.fang", oldHash); err != nil {
			t.Fatal(err)
		}
		before := passwordSets(t, o)
		c := o.session("wang.fang", "长城长 long wall")
		stored := storedHash(t, o, "wang.fang")
		if stored == oldHash || password.Outdated(stored) {
			t.Fatalf("after the sign-in the hash is %s, want one of the current parameters", stored)
		}
		if ok, err := password.Verify(o.ctx, "长城长 long wall", stored); !ok || err != nil {
			t.Fatalf("the new hash does not take the password: %v %v", ok, err)
		}
		if status, _ := o.me(c); status != 200 {
			t.Errorf("the session of the sign-in that rehashed answers %d", status)
		}
		o.session("wang.fang", "长城长 long wall")
		if after := passwordSets(t, o); after != before {
			t.Errorf("%d password_set entries after the sign-ins, %d before", after, before)
		}
	})
}

// passwordSets counts the password_set entries of the audit log.
func passwordSets(t *testing.T, o *signIn) int {
	t.Helper()
	es, _, err := o.db.Audit(o.ctx, o.admin, gonghai.AuditFilter{Action: gonghai.AuditPasswordSet}, gonghai.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// storedHash returns login's password hash, read through a sign-in whose
// check refuses: it counts as one failed attempt.
func storedHash(t *testing.T, o *signIn, login string) string {
	t.Helper()
	var stored string
	_, err := o.db.Login(o.ctx, login, "192.0.2.1", func(h string) bool { stored = h; return false },
		func(string) (string, []byte, time.Time) { return "", nil, time.Time{} })
	if gonghai.ErrorCode(err) != gonghai.EUnauthenticated {
		t.Fatalf("read the hash: %v", err)
	}
	return stored
}
