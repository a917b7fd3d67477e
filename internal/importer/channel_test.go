package importer_test

import (
	"testing"

	"github.com/gonghai/gonghai"
)

// TestImportAsChannel: an import with a channel (bulk intake) makes its
// created customers that channel's leads, first touched by it at the
// import; a channel that does not exist is refused before any row.
func TestImportAsChannel(t *testing.T) {
	forEachDB(t, func(t *testing.T, f *fixture) {
		name := "2026 春季展会"
		ch, err := f.db.CreateChannel(f.ctx, f.admin, gonghai.ChannelInput{Name: &name, PoolID: &f.pool.ID})
		if err != nil {
			t.Fatal(err)
		}
		j := f.run(rows(1, 3), gonghai.ImportOptions{ChannelID: ch.ID})
		if j.Counts.Created != 3 || j.Options.ChannelID != ch.ID {
			t.Fatalf("import: %+v", j)
		}
		cs, _, err := f.db.PoolCustomers(f.ctx, f.admin, f.pool.ID, gonghai.CustomerFilter{}, gonghai.Page{Limit: 10})
		if err != nil || len(cs) != 3 {
			t.Fatalf("pool: %d %v", len(cs), err)
		}
		for _, c := range cs {
			if c.Lifecycle != gonghai.LifecycleLead || c.FirstTouch == nil || c.FirstTouch.ChannelID != ch.ID ||
				!c.FirstTouch.At.Equal(monday) || c.LatestTouch == nil || c.LatestTouch.ChannelID != ch.ID {
				t.Errorf("lead: %+v %+v", c, c.FirstTouch)
			}
		}
		_, err = f.eng.Submit(f.ctx, f.admin, "x.csv", rows(4, 5), gonghai.ImportOptions{PoolID: f.pool.ID, ChannelID: "nope"})
		if gonghai.ErrorCode(err) != gonghai.EInvalid {
			t.Fatalf("no such channel: %v", err)
		}
	})
}
