package main

import (
	"context"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// digest prints the managers' weekly digests of a week: with --dry-run
// composed now from the data as it is, written and sent nowhere; without,
// as they were written and sent (the sweep writes them on Monday from
// 09:00).
func (e *environment) digest(ctx context.Context, args []string) error {
	fs := e.flagSet("digest")
	week := fs.String("week", "", "the week's Monday, YYYY-MM-DD (default: this week's)")
	dry := fs.Bool("dry-run", false, "compose each active manager's digest now and print it; write and send nothing")
	cfg, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("digest: unexpected argument %q", fs.Arg(0))
	}
	db, err := e.open(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	if *week == "" {
		*week, _ = gonghai.DigestWeek(time.Now(), s.Location())
	}
	if _, _, _, err := gonghai.DigestDays(*week, s.Location()); err != nil {
		return fmt.Errorf("digest: --week: %w", err)
	}
	if *dry {
		managers, err := db.DigestManagers(ctx)
		if err != nil {
			return err
		}
		for _, m := range managers {
			body, err := db.ComposeDigest(ctx, m, *week)
			if err != nil {
				return fmt.Errorf("digest of %s: %w", m.Login, err)
			}
			fmt.Fprintf(e.stdout, "== %s (%s), week %s: not sent (dry run)\n%s\n", m.Name, m.Login, *week, body)
		}
		fmt.Fprintf(e.stdout, "%d digests composed, none written or sent\n", len(managers))
		return nil
	}
	kept, err := db.Digests(ctx, *week)
	if err != nil {
		return err
	}
	for _, d := range kept {
		status := "not sent"
		if d.Sent != nil {
			status = "sent " + d.Sent.In(s.Location()).Format("2006-01-02 15:04")
		}
		fmt.Fprintf(e.stdout, "== %s, week %s: %s after %d attempts\n%s\n", d.ManagerName, d.Week, status, d.Attempt, d.Body)
	}
	fmt.Fprintf(e.stdout, "%d digests written for the week of %s\n", len(kept), *week)
	return nil
}
