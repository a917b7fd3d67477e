package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/crypt"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/vault"
)

// TestDigestCommand: `gonghai digest --dry-run` composes every active
// manager's digest and writes nothing; `gonghai digest --week` reads back
// the digests the sweep wrote on that Monday.
func TestDigestCommand(t *testing.T) {
	pgtest.EachDatabase(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		clock := gonghai.NewManualClock(time.Date(2026, 3, 5, 10, 0, 0, 0, shanghai))
		list := crypt.Generate()
		keys, err := vault.New(list)
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, dsn, clock, keys)
		admin, err := db.CreateUser(ctx, nil, gonghai.NewUser{Login: "boss", Name: "王总", Role: gonghai.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		dept, err := db.CreateDepartment(ctx, admin, "华东", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []gonghai.NewUser{{Login: "zhang.wei", Name: "张伟", Role: gonghai.RoleManager, DepartmentID: dept.ID},
			{Login: "li.na", Name: "李娜", Role: gonghai.RoleRep, DepartmentID: dept.ID}} {
			if _, err := db.CreateUser(ctx, nil, u); err != nil {
				t.Fatal(err)
			}
		}
		env := map[string]string{"GONGHAI_DB": dsn, "GONGHAI_KEYS": list}
		dry := cli(t, env, "digest", "--week", "2026-03-09", "--dry-run")
		if !strings.Contains(dry, "== 张伟 (zhang.wei), week 2026-03-09: not sent (dry run)") ||
			!strings.Contains(dry, "### 公海周报 · 华东") || !strings.Contains(dry, "上周（2026-03-02 至 2026-03-08）") ||
			!strings.Contains(dry, "1 digests composed, none written or sent") {
			t.Fatalf("dry run printed:\n%s", dry)
		}
		if got := cli(t, env, "digest", "--week", "2026-03-09"); got != "0 digests written for the week of 2026-03-09" {
			t.Fatalf("after a dry run: %q", got)
		}
		clock.Set(time.Date(2026, 3, 9, 9, 30, 0, 0, shanghai))
		if n, err := db.DigestSweep(ctx); err != nil || n != 1 {
			t.Fatalf("sweep wrote %d digests: %v", n, err)
		}
		kept := cli(t, env, "digest", "--week", "2026-03-09")
		if !strings.Contains(kept, "== 张伟, week 2026-03-09: not sent after 0 attempts") || !strings.Contains(kept, "**未处理撞单**：0 起") {
			t.Fatalf("read back:\n%s", kept)
		}
		var out strings.Builder
		err = run(ctx, []string{"gonghai", "digest", "--week", "2026-03-10"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
		if err == nil || !strings.Contains(err.Error(), "a Monday") {
			t.Fatalf("a Tuesday: %v", err)
		}
	})
}
