package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/gonghai/gonghai"
)

// leadColumns are the lead and scoring columns of a customer row as
// scanned, before they become the customer's touches, conversion and score.
type leadColumns struct {
	channel, latestChannel                sql.NullString
	campaign, latestCampaign              string
	utmSource, utmMedium, utmCampaign     string
	firstAt, latestAt, convertedAt, score sql.NullInt64
	factors                               string
}

// set fills c's touches, conversion and score from the scanned columns.
func (l leadColumns) set(c *gonghai.Customer) {
	if l.firstAt.Valid {
		c.FirstTouch = &gonghai.Touch{ChannelID: l.channel.String, Campaign: l.campaign,
			UTMSource: l.utmSource, UTMMedium: l.utmMedium, UTMCampaign: l.utmCampaign, At: fromMicros(l.firstAt.Int64)}
	}
	if l.latestAt.Valid {
		c.LatestTouch = &gonghai.Touch{ChannelID: l.latestChannel.String, Campaign: l.latestCampaign, At: fromMicros(l.latestAt.Int64)}
	}
	c.ConvertedAt = nullMicros(l.convertedAt)
	if l.score.Valid {
		c.Score = &gonghai.Score{Value: int(l.score.Int64)}
		// Factors written by this version always parse; older text reads
		// as a score without reasons rather than failing the customer.
		_ = json.Unmarshal([]byte(l.factors), &c.Score.Factors)
	}
}

// enqueueRoute puts customer id, just created in pool poolID (through
// channel channelID, "" for none), in the unassigned queue, in the
// creating transaction: Route then hands it out by the channel's or the
// pool's strategy, and the sweep retries what waits.
func enqueueRoute(ctx context.Context, c conn, id, poolID, channelID string, now time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO unassigned (customer_id, pool_id, channel_id, since) VALUES (?, ?, ?, ?)
		ON CONFLICT (customer_id) DO NOTHING`, id, poolID, nullString(channelID), micros(now))
	return err
}

// UnassignedRow is one record waiting in the unassigned queue
// (gonghai.UnassignedRow, which the web's interface names).
type UnassignedRow = gonghai.UnassignedRow
