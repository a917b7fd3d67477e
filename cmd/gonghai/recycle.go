package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gonghai/gonghai"
	"github.com/gonghai/gonghai/internal/recycle"
	"github.com/gonghai/gonghai/internal/store"
)

// recycle runs one sweep now, or with --dry-run prints what the sweeps of
// the coming days would do, pool by pool, and changes nothing.
func (e *environment) recycle(ctx context.Context, args []string) error {
	fs := e.flagSet("recycle")
	dry := fs.Bool("dry-run", false, "print who would be recycled each day, and change nothing")
	days := fs.Int("days", 7, "with --dry-run: how many days ahead, today first")
	pool := fs.String("pool", "", "with --dry-run: only this pool (id or name)")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("recycle: unexpected argument %q", fs.Arg(0))
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if *dry {
		return e.previewAll(ctx, db, *pool, *days)
	}
	rep, err := (&recycle.Sweeper{Store: db, Hygiene: db, Queue: db, Scores: db, Digests: db, Log: e.logger()}).Once(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "recycled %d, skipped %d (followed up or moved meanwhile), reminders %d, archived %d, purged %d, webhooks delivered %d, failed %d\n",
		rep.Recycled, rep.Skipped, rep.Reminded, rep.Archived, rep.Purged, rep.Webhooks, rep.Failed)
	return nil
}

// system is who the command line acts as: it reads every pool.
var system = gonghai.User{Login: "system", Name: "gonghai", Role: gonghai.RoleAdmin, Active: true}

func (e *environment) previewAll(ctx context.Context, db *store.DB, only string, days int) error {
	pools, err := db.Pools(ctx, system)
	if err != nil {
		return err
	}
	found := false
	for _, p := range pools {
		if only != "" && p.ID != only && p.Name != only {
			continue
		}
		found = true
		preview, err := db.RecyclePreview(ctx, system, p.ID, nil, days)
		if err != nil {
			return fmt.Errorf("pool %s: %w", p.Name, err)
		}
		e.printPreview(p, preview)
	}
	if only != "" && !found {
		return gonghai.Errorf(gonghai.ENotFound, "no pool %q", only)
	}
	return nil
}

// previewNames is how many customers a dry run names per owner and day;
// the API lists them all.
const previewNames = 5

func (e *environment) printPreview(p gonghai.Pool, days []gonghai.PreviewDay) {
	total := 0
	for _, d := range days {
		total += d.Total
	}
	fmt.Fprintf(e.stdout, "%s (%s): %d customers would be recycled in the next %d days\n", p.Name, p.ID, total, len(days))
	if !p.Recycle.Enabled() {
		fmt.Fprintln(e.stdout, "  no recycle rule is on")
		return
	}
	for _, d := range days {
		if d.Total == 0 {
			continue
		}
		fmt.Fprintf(e.stdout, "  %s  %d\n", d.Date, d.Total)
		for _, o := range d.Owners {
			names := make([]string, 0, previewNames)
			for _, c := range o.Customers[:min(len(o.Customers), previewNames)] {
				names = append(names, fmt.Sprintf("%s（%s）", or(c.Company, c.Name), c.Rule.Label()))
			}
			more := ""
			if n := len(o.Customers) - previewNames; n > 0 {
				more = fmt.Sprintf(" … and %d more", n)
			}
			fmt.Fprintf(e.stdout, "    %s: %d — %s%s\n", or(o.OwnerName, o.OwnerID), len(o.Customers), strings.Join(names, "、"), more)
		}
	}
}
