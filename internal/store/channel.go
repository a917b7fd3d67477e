package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gonghai/gonghai"
)

// Channels (渠道) are managed by admins. A channel's key is the secret a
// website's form posts to; it is random, URL-safe and can be replaced
// (RotateChannelKey) when it leaked, which ends the old one at once.

const channelColumns = `id, name, key, pool_id, assignment, daily_cap, active, created_at, updated_at,
	redirect_url, per_minute, address_per_hour`

func scanChannel(s scanner) (gonghai.Channel, error) {
	var ch gonghai.Channel
	var assignment string
	var created, updated int64
	err := s.Scan(&ch.ID, &ch.Name, &ch.Key, &ch.PoolID, &assignment, &ch.DailyCap, &ch.Active, &created, &updated,
		&ch.RedirectURL, &ch.PerMinute, &ch.AddressPerHour)
	if err != nil {
		return ch, err
	}
	if assignment != "" {
		// Written by this version it parses; anything else follows the pool.
		_ = json.Unmarshal([]byte(assignment), &ch.Assignment)
	}
	ch.Created, ch.Updated = fromMicros(created), fromMicros(updated)
	return ch, nil
}

// assignmentText is a channel's assignment as stored: "" follows the pool.
func assignmentText(a gonghai.Assignment) string {
	if a.Strategy == "" {
		return ""
	}
	b, _ := json.Marshal(a) // a plain struct: never fails
	return string(b)
}

// newChannelKey returns 144 random bits, URL-safe: a key nobody guesses.
func newChannelKey() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateChannel adds a channel with a fresh key (admin).
func (db *DB) CreateChannel(ctx context.Context, actor gonghai.User, in gonghai.ChannelInput) (gonghai.Channel, error) {
	if err := gonghai.AdminOnly(actor, "manages channels"); err != nil {
		return gonghai.Channel{}, err
	}
	now := db.now()
	ch := gonghai.Channel{ID: newID(), Key: newChannelKey(), Active: true, Created: now, Updated: now,
		PerMinute: gonghai.DefaultChannelPerMinute, AddressPerHour: gonghai.DefaultAddressPerHour}
	in.Apply(&ch)
	if err := gonghai.ValidateChannel(ch); err != nil {
		return ch, err
	}
	err := db.inTx(ctx, func(c conn) error {
		if err := channelPool(ctx, c, ch.PoolID); err != nil {
			return err
		}
		_, err := c.exec(ctx, `INSERT INTO channels (`+channelColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ch.ID, ch.Name, ch.Key, ch.PoolID, assignmentText(ch.Assignment), ch.DailyCap, ch.Active, micros(now), micros(now),
			ch.RedirectURL, ch.PerMinute, ch.AddressPerHour)
		if isUnique(mapErr(err)) {
			return gonghai.Invalid("name", "another channel has this name")
		}
		if err != nil {
			return err
		}
		return audit(ctx, c, auditBy(&actor, gonghai.AuditChannel, "channel", ch.ID, now))
	})
	if err != nil {
		return ch, fmt.Errorf("create channel: %w", err)
	}
	return ch, nil
}

// channelPool refuses a pool that does not exist, or the archive, as a
// channel's target.
func channelPool(ctx context.Context, c conn, poolID string) error {
	p, err := getPoolRules(ctx, c, poolID)
	if err != nil {
		return invalidRef(err, "pool_id")
	}
	if p.Archive {
		return gonghai.Invalid("pool_id", "leads do not go to the archive")
	}
	return nil
}

// UpdateChannel changes the fields in sets (admin).
func (db *DB) UpdateChannel(ctx context.Context, actor gonghai.User, id string, in gonghai.ChannelInput) (gonghai.Channel, error) {
	return db.changeChannel(ctx, actor, id, func(ch *gonghai.Channel) { in.Apply(ch) })
}

// RotateChannelKey gives a channel a new key: forms posting the old one
// are answered not found from now on (admin).
func (db *DB) RotateChannelKey(ctx context.Context, actor gonghai.User, id string) (gonghai.Channel, error) {
	return db.changeChannel(ctx, actor, id, func(ch *gonghai.Channel) { ch.Key = newChannelKey() })
}

func (db *DB) changeChannel(ctx context.Context, actor gonghai.User, id string, change func(*gonghai.Channel)) (gonghai.Channel, error) {
	var ch gonghai.Channel
	if err := gonghai.AdminOnly(actor, "manages channels"); err != nil {
		return ch, err
	}
	err := db.inTx(ctx, func(c conn) error {
		var err error
		if ch, err = getChannel(ctx, c, id, true); err != nil {
			return err
		}
		change(&ch)
		if err := gonghai.ValidateChannel(ch); err != nil {
			return err
		}
		if err := channelPool(ctx, c, ch.PoolID); err != nil {
			return err
		}
		ch.Updated = db.now()
		_, err = c.exec(ctx, `UPDATE channels SET name = ?, key = ?, pool_id = ?, assignment = ?, daily_cap = ?, active = ?,
			updated_at = ?, redirect_url = ?, per_minute = ?, address_per_hour = ? WHERE id = ?`,
			ch.Name, ch.Key, ch.PoolID, assignmentText(ch.Assignment), ch.DailyCap, ch.Active, micros(ch.Updated),
			ch.RedirectURL, ch.PerMinute, ch.AddressPerHour, id)
		if isUnique(mapErr(err)) {
			return gonghai.Invalid("name", "another channel has this name")
		}
		if err != nil {
			return err
		}
		return audit(ctx, c, auditBy(&actor, gonghai.AuditChannel, "channel", id, ch.Updated))
	})
	if err != nil {
		return ch, fmt.Errorf("change channel %s: %w", id, err)
	}
	return ch, nil
}

// getChannel reads channel id; lock holds its row until commit on
// PostgreSQL, for an edit.
func getChannel(ctx context.Context, c conn, id string, lock bool) (gonghai.Channel, error) {
	q := `SELECT ` + channelColumns + ` FROM channels WHERE id = ?`
	if lock && c.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	ch, err := scanChannel(c.queryRow(ctx, q, id))
	return ch, notFound(err, "channel")
}

// Channel returns channel id (admin).
func (db *DB) Channel(ctx context.Context, viewer gonghai.User, id string) (gonghai.Channel, error) {
	if err := gonghai.AdminOnly(viewer, "sees channels"); err != nil {
		return gonghai.Channel{}, err
	}
	return getChannel(ctx, db.reader(), id, false)
}

// Channels lists every channel by name (admin).
func (db *DB) Channels(ctx context.Context, viewer gonghai.User) ([]gonghai.Channel, error) {
	if err := gonghai.AdminOnly(viewer, "sees channels"); err != nil {
		return nil, err
	}
	out, err := collect(ctx, db.reader(), `SELECT `+channelColumns+` FROM channels ORDER BY name`, nil, scanChannel)
	if err != nil {
		return nil, fmt.Errorf("channels: %w", err)
	}
	return out, nil
}

// channelByKey returns the active channel whose key is key; a key no
// active channel has is not found, whether it never was or was rotated.
func channelByKey(ctx context.Context, c conn, key string) (gonghai.Channel, error) {
	ch, err := scanChannel(c.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE key = ? AND active`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return ch, gonghai.Errorf(gonghai.ENotFound, "no such channel")
	}
	return ch, err
}

// ChannelDay is one channel's intake on one day.
type ChannelDay struct {
	ChannelID           string
	Day                 string
	Leads, Joined, Held int
}

// ChannelToday returns each channel's counts for today in the
// organisation's zone, by channel id (admin).
func (db *DB) ChannelToday(ctx context.Context, viewer gonghai.User) (map[string]ChannelDay, error) {
	if err := gonghai.AdminOnly(viewer, "sees channels"); err != nil {
		return nil, err
	}
	day := db.now().In(db.location()).Format(time.DateOnly)
	rows, err := collect(ctx, db.reader(), `SELECT channel_id, day, leads, joined, held FROM channel_days WHERE day = ?`,
		[]any{day}, func(s scanner) (ChannelDay, error) {
			var d ChannelDay
			return d, s.Scan(&d.ChannelID, &d.Day, &d.Leads, &d.Joined, &d.Held)
		})
	if err != nil {
		return nil, fmt.Errorf("channel counts: %w", err)
	}
	out := map[string]ChannelDay{}
	for _, d := range rows {
		out[d.ChannelID] = d
	}
	return out, nil
}
