package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gonghai/gonghai"
)

// AddFollowUp logs a follow-up with customer id. A follow-up of a kind the
// pool counts moves the customer's last follow-up, and with it the
// deadline, in the same transaction; if the customer was recycled first,
// the follow-up is refused and nothing is written.
func (db *DB) AddFollowUp(ctx context.Context, actor gonghai.User, id string, in gonghai.NewFollowUp) (gonghai.FollowUp, error) {
	now := db.now()
	if err := in.Validate(now); err != nil {
		return gonghai.FollowUp{}, err
	}
	f := gonghai.FollowUp{ID: newID(), CustomerID: id, UserID: actor.ID, Kind: in.Kind, Content: strings.TrimSpace(in.Content),
		At: now, Created: now}
	if in.At != nil {
		f.At = in.At.UTC().Truncate(time.Microsecond)
	}
	err := db.inTx(ctx, func(c conn) error {
		r, p, err := forWork(ctx, c, actor, id)
		if err != nil {
			return err
		}
		if err := in.CheckDate(r.Customer, db.location()); err != nil {
			return err
		}
		_, err = c.exec(ctx, `INSERT INTO followups (id, customer_id, user_id, kind, content, at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.ID, id, actor.ID, f.Kind, f.Content, micros(f.At), micros(now))
		if err != nil {
			return err
		}
		if err := countFollowUp(ctx, c, id, actor.ID, micros(f.At)); err != nil {
			return err
		}
		if !p.Recycle.Counts(f.Kind) || (r.LastFollowUp != nil && !f.At.After(*r.LastFollowUp)) {
			// Nothing the rules read changes, but the customer must still be
			// where the follow-up was logged.
			err = db.touchFacts(ctx, c, &r, p, now, ``)
		} else {
			err = db.touchFacts(ctx, c, &r, p, now, `last_followup_at = ?`, micros(f.At))
		}
		if err != nil {
			return err
		}
		return donePlan(ctx, c, &r, f, db.location())
	})
	if err != nil {
		return f, fmt.Errorf("follow up customer %s: %w", id, err)
	}
	return f, nil
}

// touchFacts is touch with the organisation's time zone.
func (db *DB) touchFacts(ctx context.Context, c conn, r *customerRow, p gonghai.Pool, now time.Time, set string, args ...any) error {
	s, err := getSettings(ctx, c)
	if err != nil {
		return err
	}
	return touch(ctx, c, r, p, s.Location(), now, set, args...)
}

// FollowUps lists a customer's follow-ups by when they happened, latest
// first, to a viewer who may see the customer.
func (db *DB) FollowUps(ctx context.Context, viewer gonghai.User, id string, pg gonghai.Page) ([]gonghai.FollowUp, string, error) {
	cust, err := db.Customer(ctx, viewer, id)
	if err != nil {
		return nil, "", err
	}
	q, args := `SELECT `+followUpColumns+` FROM followups WHERE customer_id = ?`, []any{id}
	if pg.After != "" {
		// The key is "at:id", so that follow-ups logged late still page in order.
		at, id, ok := strings.Cut(pg.After, ":")
		n, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil {
			return nil, "", gonghai.Invalid("cursor", "not a cursor from this API")
		}
		q, args = q+` AND (at < ? OR (at = ? AND id < ?))`, append(args, n, n, id)
	}
	out, err := collect(ctx, db.reader(), q+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, pg.Size()+1), func(s scanner) (gonghai.FollowUp, error) {
		f, err := scanFollowUp(s)
		if !gonghai.SeesContacts(viewer, cust) {
			// A number typed into a note is a contact too.
			f.Content = gonghai.MaskText(f.Content)
		}
		return f, err
	})
	if err != nil {
		return nil, "", fmt.Errorf("follow-ups: %w", err)
	}
	out, next := pageOf(out, pg, func(f gonghai.FollowUp) string { return fmt.Sprintf("%d:%s", micros(f.At), f.ID) })
	return out, next, nil
}

const followUpColumns = `id, customer_id, user_id, kind, content, at, created_at`

func scanFollowUp(s scanner) (gonghai.FollowUp, error) {
	var f gonghai.FollowUp
	var at, created int64
	err := s.Scan(&f.ID, &f.CustomerID, &f.UserID, &f.Kind, &f.Content, &at, &created)
	f.At, f.Created = fromMicros(at), fromMicros(created)
	return f, err
}

func validTitle(title string) (string, error) {
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) > 200 {
		return title, gonghai.Invalid("title", "1 to 200 characters")
	}
	if p := gonghai.TextProblem(title, false); p != "" {
		return title, gonghai.Invalid("title", p)
	}
	return title, nil
}

// CreateOpportunity opens an opportunity with customer id. It restarts the
// no-opportunity rule's clock and, where the pool says so, exempts the
// customer while it stays open.
func (db *DB) CreateOpportunity(ctx context.Context, actor gonghai.User, id, title string, amount gonghai.Money) (gonghai.Opportunity, error) {
	now := db.now()
	title, err := validTitle(title)
	if err != nil {
		return gonghai.Opportunity{}, err
	}
	o := gonghai.Opportunity{ID: newID(), CustomerID: id, Title: title, Amount: amount, Status: gonghai.OpportunityOpen,
		CreatedBy: actor.ID, Created: now}
	err = db.inTx(ctx, func(c conn) error {
		r, p, err := forWork(ctx, c, actor, id)
		if err != nil {
			return err
		}
		return db.insertOpportunity(ctx, c, &r, p, o)
	})
	if err != nil {
		return o, fmt.Errorf("open opportunity for customer %s: %w", id, err)
	}
	return o, nil
}

// insertOpportunity writes open opportunity o of customer r, read for
// work in the caller's transaction, and what the recycle rules read of it.
func (db *DB) insertOpportunity(ctx context.Context, c conn, r *customerRow, p gonghai.Pool, o gonghai.Opportunity) error {
	_, err := c.exec(ctx, `INSERT INTO opportunities (id, customer_id, title, amount_fen, status, created_by, created_at)
		VALUES (?, ?, ?, ?, 'open', ?, ?)`, o.ID, r.ID, o.Title, int64(o.Amount), o.CreatedBy, micros(o.Created))
	if err != nil {
		return err
	}
	return db.touchFacts(ctx, c, r, p, o.Created, `open_opportunities = open_opportunities + 1, last_opportunity_at = ?`, micros(o.Created))
}

const opportunityColumns = `id, customer_id, title, amount_fen, status, created_by, created_at, closed_at`

func scanOpportunity(s scanner) (gonghai.Opportunity, error) {
	var o gonghai.Opportunity
	var created int64
	var closed sql.NullInt64
	err := s.Scan(&o.ID, &o.CustomerID, &o.Title, &o.Amount, &o.Status, &o.CreatedBy, &created, &closed)
	o.Created, o.Closed = fromMicros(created), nullMicros(closed)
	return o, err
}

// CloseOpportunity marks open opportunity id won or lost.
func (db *DB) CloseOpportunity(ctx context.Context, actor gonghai.User, id, status string) (gonghai.Opportunity, error) {
	var o gonghai.Opportunity
	if status != gonghai.OpportunityWon && status != gonghai.OpportunityLost {
		return o, gonghai.Invalid("status", "won or lost")
	}
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		var err error
		o, err = scanOpportunity(c.queryRow(ctx, `SELECT `+opportunityColumns+` FROM opportunities WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "opportunity")
		}
		r, p, err := forWork(ctx, c, actor, o.CustomerID)
		if err != nil {
			return err
		}
		res, err := c.exec(ctx, `UPDATE opportunities SET status = ?, closed_at = ? WHERE id = ? AND status = 'open'`, status, micros(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, gonghai.Errorf(gonghai.EConflict, "the opportunity is closed already"))
		}
		o.Status, o.Closed = status, &now
		return db.touchFacts(ctx, c, &r, p, now, `open_opportunities = open_opportunities - 1`)
	})
	if err != nil {
		return o, fmt.Errorf("close opportunity %s: %w", id, err)
	}
	return o, nil
}

// Opportunities lists a customer's opportunities, newest first.
func (db *DB) Opportunities(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Opportunity, error) {
	cust, err := db.Customer(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	out, err := collect(ctx, db.reader(), `SELECT `+opportunityColumns+` FROM opportunities WHERE customer_id = ? ORDER BY id DESC`,
		[]any{id}, scanOpportunity)
	if !gonghai.SeesContacts(viewer, cust) {
		for i := range out {
			out[i].Title = gonghai.MaskText(out[i].Title)
		}
	}
	return out, err
}

// CreateOrder records an order of customer id on the calendar day on
// (YYYY-MM-DD, not in the future). The first order marks the customer won;
// later ones are repurchases. Either restarts the repurchase rule's clock.
func (db *DB) CreateOrder(ctx context.Context, actor gonghai.User, id string, amount gonghai.Money, on string) (gonghai.Order, error) {
	o := gonghai.Order{ID: newID(), CustomerID: id, Amount: amount, OrderedOn: on, CreatedBy: actor.ID}
	if err := gonghai.CheckOrderAmount(amount); err != nil {
		return o, err
	}
	err := db.inTx(ctx, func(c conn) error {
		now := db.now()
		o.Created = now
		s, err := getSettings(ctx, c)
		if err != nil {
			return err
		}
		loc := s.Location()
		day, err := time.ParseInLocation(time.DateOnly, on, loc)
		if err != nil || day.After(now) || day.Year() < 2000 {
			return gonghai.Invalid("ordered_on", "a date (YYYY-MM-DD) from 2000 up to today")
		}
		at := micros(day.UTC())
		r, p, err := forWork(ctx, c, actor, id)
		if err != nil {
			return err
		}
		_, err = c.exec(ctx, `INSERT INTO orders (id, customer_id, amount_fen, ordered_on, ordered_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, o.ID, id, int64(amount), on, at, actor.ID, micros(now))
		if err != nil {
			return err
		}
		if err := countWon(ctx, c, id, at); err != nil {
			return err
		}
		return touch(ctx, c, &r, p, loc, now, `won = TRUE,
			won_at = CASE WHEN won_at IS NULL OR won_at > ? THEN ? ELSE won_at END,
			last_order_at = CASE WHEN last_order_at IS NULL OR last_order_at < ? THEN ? ELSE last_order_at END`, at, at, at, at)
	})
	if err != nil {
		return o, fmt.Errorf("record order for customer %s: %w", id, err)
	}
	return o, nil
}

// Orders lists a customer's orders, latest first.
func (db *DB) Orders(ctx context.Context, viewer gonghai.User, id string) ([]gonghai.Order, error) {
	if _, err := db.Customer(ctx, viewer, id); err != nil {
		return nil, err
	}
	return collect(ctx, db.reader(), `SELECT id, customer_id, amount_fen, ordered_on, created_by, created_at FROM orders
		WHERE customer_id = ? ORDER BY ordered_at DESC, id DESC`, []any{id}, func(s scanner) (gonghai.Order, error) {
		var o gonghai.Order
		var created int64
		err := s.Scan(&o.ID, &o.CustomerID, &o.Amount, &o.OrderedOn, &o.CreatedBy, &created)
		o.Created = fromMicros(created)
		return o, err
	})
}

// SetLocked marks customer id as a protected key customer, which no rule
// recycles, or lifts the mark. Admins, the pool's admins and the owner's
// managers may; an owner may not protect their own customers.
func (db *DB) SetLocked(ctx context.Context, actor gonghai.User, id string, locked bool) (gonghai.Customer, error) {
	var out gonghai.Customer
	err := db.inTx(ctx, func(c conn) error {
		// Pool admins protect their pool's key customers without working them.
		r, p, err := customerFor(ctx, c, actor, id, lockPoolRules, gonghai.CanLock)
		if err != nil {
			return err
		}
		if err := db.touchFacts(ctx, c, &r, p, db.now(), `locked = ?`, locked); err != nil {
			return err
		}
		out = db.view(r, actor)
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("lock customer %s: %w", id, err)
	}
	return out, nil
}
