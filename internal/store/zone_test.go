package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/pgtest"
	"github.com/gonghai/gonghai/internal/storetest"
	"github.com/gonghai/gonghai/internal/vault"
)

// TestWritesOnAColdZoneDoNotStall: right after a node starts, its first
// writes answer with days counted in the organisation's time zone, which
// it has not read yet. Read inside their transactions, with every
// connection of a small pool held by one of them, each read waited 2 s for
// a connection that never came free; now the zone is read before a
// transaction takes its connection. PostgreSQL only: SQLite reads through
// a pool of its own.
func TestWritesOnAColdZoneDoNotStall(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	keys := vault.Ephemeral()
	f := newFixture(t, dsn)
	f.db = storetest.Open(t, dsn, f.clock, keys)
	rep := f.user("rep.a", gonghai.RoleRep, "", nil)
	rules := gonghai.RecycleRules{Rules: []gonghai.RecycleRule{{Kind: gonghai.RuleNoFollowUp, Enabled: true, Days: 30}}}
	p := f.pool("公海", gonghai.PoolInput{MemberUserIDs: &[]string{rep.ID}, Recycle: &rules})
	ids := f.claimed(rep, p.ID, "", 6)

	// A node that has just started: nothing cached, two connections.
	node := storetest.Open(t, dsn+"&pool_max_conns=2", f.clock, keys)
	begun := time.Now()
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			company := fmt.Sprintf("冷启动客户%d", i)
			if _, err := node.UpdateCustomer(f.ctx, rep, id, gonghai.CustomerPatch{Company: &company}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if took := time.Since(begun); took > 2*time.Second {
		t.Fatalf("6 edits on 2 connections took %s: they waited inside their transactions for the time zone", took)
	}
}
