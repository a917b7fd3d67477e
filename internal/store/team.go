package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/gonghai/gonghai"
)

// A team's week and day: who loses which customers to the rules in the
// coming days, and who followed up whom today. Whose customers and
// follow-ups they are is decided as for the list of customers (scope.go).

// TeamDrops answers which customers of viewer's scope the rules take back
// on each of the next days days, if nobody did anything more, grouped by
// day and owner: the recycle preview, of the owned customers viewer lists
// (every one for an admin, else those of the users viewer sees), each
// under its own pool's rules. It changes nothing.
func (db *DB) TeamDrops(ctx context.Context, viewer gonghai.User, days int) ([]gonghai.PreviewDay, error) {
	if days < 1 || days > gonghai.MaxPreviewDays {
		return nil, gonghai.Invalid("days", fmt.Sprintf("1 to %d", gonghai.MaxPreviewDays))
	}
	c := db.reader()
	s, err := getSettings(ctx, c)
	if err != nil {
		return nil, err
	}
	now, loc := db.now(), s.Location()
	scope, args := `owner_id IS NOT NULL`, []any(nil)
	if !gonghai.ListsEveryCustomer(viewer) {
		ids, err := db.seenUsers(ctx, viewer)
		if err != nil {
			return nil, fmt.Errorf("team drops: %w", err)
		}
		scope, args = `owner_id IN (`+placeholders(len(ids))+`)`, make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
	}
	// Under its pool's rules every owned customer carries the deadline they
	// give it (invariant 4): the index on deadlines finds those due soon,
	// and the preview weighs them under the rules, as a pool's preview does.
	cs, err := previewCandidates(ctx, c, scope, args, true, micros(gonghai.PreviewEnd(now, days, loc)),
		func(gonghai.PreviewCandidate) bool { return true })
	if err != nil {
		return nil, fmt.Errorf("team drops: %w", err)
	}
	rules := map[string]gonghai.RecycleRules{}
	for _, pc := range cs {
		if _, ok := rules[pc.PoolID]; !ok {
			p, err := getPoolRules(ctx, c, pc.PoolID)
			if err != nil {
				return nil, fmt.Errorf("team drops: %w", err)
			}
			rules[pc.PoolID] = p.Recycle
		}
	}
	if err := nameCandidates(ctx, c, cs); err != nil {
		return nil, fmt.Errorf("team drops: %w", err)
	}
	return gonghai.RecyclePreviewBy(cs, func(pc gonghai.PreviewCandidate) gonghai.RecycleRules { return rules[pc.PoolID] },
		loc, now, days), nil
}

// FollowUpsToday returns the follow-ups that the users viewer sees logged
// today, a day in the organisation's zone, by the time they happened: for
// each user who logged any, how many and the latest perUser of them; the
// busiest users first. A follow-up's content is masked as a customer's
// follow-ups are (FollowUps): in full only to the customer's owner.
func (db *DB) FollowUpsToday(ctx context.Context, viewer gonghai.User, perUser int) ([]gonghai.RepFollowUps, error) {
	ids, err := db.seenUsers(ctx, viewer)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	c := db.reader()
	now, loc := db.now(), db.location()
	from, to := micros(gonghai.StartOfDay(now, loc)), micros(gonghai.AddDays(now, 1, loc))
	args := make([]any, 0, len(ids)+2)
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, from, to)
	out, err := collect(ctx, c, `SELECT f.user_id, u.name, COUNT(*) FROM followups f JOIN users u ON u.id = f.user_id
		WHERE f.user_id IN (`+placeholders(len(ids))+`) AND f.at >= ? AND f.at < ?
		GROUP BY f.user_id, u.name`, args, func(s scanner) (gonghai.RepFollowUps, error) {
		var r gonghai.RepFollowUps
		return r, s.Scan(&r.UserID, &r.UserName, &r.Count)
	})
	if err != nil {
		return nil, fmt.Errorf("follow-ups today: %w", err)
	}
	slices.SortFunc(out, func(a, b gonghai.RepFollowUps) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.UserName, b.UserName), cmp.Compare(a.UserID, b.UserID))
	})
	for i := range out {
		out[i].Latest, err = collect(ctx, c, `SELECT f.id, f.customer_id, f.user_id, f.kind, f.content, f.at, f.created_at,
				c.company, COALESCE(c.owner_id, '')
			FROM followups f JOIN customers c ON c.id = f.customer_id
			WHERE f.user_id = ? AND f.at >= ? AND f.at < ? ORDER BY f.at DESC, f.id DESC LIMIT ?`,
			[]any{out[i].UserID, from, to, perUser}, func(s scanner) (gonghai.TeamFollowUp, error) {
				var tf gonghai.TeamFollowUp
				var at, created int64
				var owner string
				err := s.Scan(&tf.ID, &tf.CustomerID, &tf.UserID, &tf.Kind, &tf.Content, &at, &created, &tf.Company, &owner)
				tf.At, tf.Created = fromMicros(at), fromMicros(created)
				if !gonghai.SeesContacts(viewer, gonghai.Customer{OwnerID: owner}) {
					// A number typed into a note is a contact too.
					tf.Content = gonghai.MaskText(tf.Content)
				}
				return tf, err
			})
		if err != nil {
			return nil, fmt.Errorf("follow-ups today: %w", err)
		}
	}
	return out, nil
}
