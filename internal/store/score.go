package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gonghai/gonghai/internal/score"
)

// The history a model learns from is every won customer, and every other
// one old enough that not being won says something: created more than
// scoreSettleDays ago.
const scoreSettleDays = 30

// scoreBatch is how many records one rescoring transaction writes.
const scoreBatch = 1000

// scoreFeatures selects what internal/score reads of customers c: the
// channel of its first touch by name, its text facts, whether it was won,
// and its follow-ups before it was won (count, first).
const scoreFeatures = `SELECT c.id, COALESCE(ch.name, ''), c.industry, c.region, c.category, c.size, c.source, c.won, c.created_at,
	(SELECT COUNT(*) FROM followups f WHERE f.customer_id = c.id AND f.at < COALESCE(c.won_at, 9223372036854775807)),
	(SELECT MIN(f.at) FROM followups f WHERE f.customer_id = c.id)
	FROM customers c LEFT JOIN channels ch ON ch.id = c.channel_id `

// scored is one record's id and features as scoreFeatures reads them.
type scored struct {
	id string
	score.Example
}

func scanScored(s scanner) (scored, error) {
	var r scored
	var created int64
	var first sql.NullInt64
	err := s.Scan(&r.id, &r.Channel, &r.Industry, &r.Region, &r.Category, &r.Size, &r.Source, &r.Won, &created, &r.FollowUps, &first)
	if first.Valid {
		d := fromMicros(first.Int64).Sub(fromMicros(created))
		r.FirstFollowUp = &d
	}
	return r, err
}

// ScoreHistory reads the history a model learns from, by id in pages.
func (db *DB) ScoreHistory(ctx context.Context) ([]score.Example, error) {
	settled := micros(db.now().AddDate(0, 0, -scoreSettleDays))
	var out []score.Example
	after := ""
	for {
		rows, err := collect(ctx, db.reader(), scoreFeatures+`WHERE c.id > ? AND (c.won OR c.created_at < ?) ORDER BY c.id LIMIT ?`,
			[]any{after, settled, scoreBatch * 10}, scanScored)
		if err != nil {
			return nil, fmt.Errorf("score history: %w", err)
		}
		for _, r := range rows {
			out = append(out, r.Example)
		}
		if len(rows) < scoreBatch*10 {
			return out, nil
		}
		after = rows[len(rows)-1].id
	}
}

// ScoreModel returns the newest model the training stored, or the rule
// table (trained never) when there is none.
func (db *DB) ScoreModel(ctx context.Context) (score.Model, error) {
	var text string
	err := db.reader().queryRow(ctx, `SELECT model FROM score_models WHERE model <> '' ORDER BY trained_at DESC, id DESC LIMIT 1`).Scan(&text)
	m := score.Model{Kind: score.KindRules}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return m, nil
	case err != nil:
		return m, fmt.Errorf("score model: %w", err)
	}
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		return m, fmt.Errorf("score model: %w", err)
	}
	return m, nil
}

// Retrain trains a model on the history, stores it, and rescores every
// lead and pool customer with it, once a day in the organisation's time
// zone: of the sweepers of all nodes, the one that first records the
// day's training does it, the others return trained false.
func (db *DB) Retrain(ctx context.Context) (m score.Model, trained bool, rescored int, err error) {
	s, err := db.Settings(ctx)
	if err != nil {
		return m, false, 0, err
	}
	now := db.now()
	day := now.In(s.Location()).Format("2006-01-02")
	var first bool
	err = db.inTx(ctx, func(c conn) error {
		res, err := c.exec(ctx, `INSERT INTO score_models (id, trained_at, kind, n, won, auc, model) VALUES (?, ?, '', 0, 0, 0, '')
			ON CONFLICT (id) DO NOTHING`, day, micros(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		first = n == 1
		return err
	})
	if err != nil || !first {
		return m, false, 0, err
	}
	m, rescored, err = db.TrainScores(ctx, day)
	return m, err == nil, rescored, err
}

// TrainScores trains a model on the history now, stores it as id (a
// day; "" for a new id), and rescores every lead and pool customer with
// it: what Retrain does daily, and `gonghai bench score` measures.
func (db *DB) TrainScores(ctx context.Context, id string) (score.Model, int, error) {
	h, err := db.ScoreHistory(ctx)
	if err != nil {
		return score.Model{}, 0, err
	}
	m := score.Train(h, score.Options{Now: db.now()})
	text, err := json.Marshal(m)
	if err != nil {
		return m, 0, err
	}
	if id == "" {
		id = newID()
	}
	err = db.inTx(ctx, func(c conn) error {
		_, err := c.exec(ctx, `INSERT INTO score_models (id, trained_at, kind, n, won, auc, model) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET trained_at = excluded.trained_at, kind = excluded.kind, n = excluded.n, won = excluded.won,
			auc = excluded.auc, model = excluded.model`, id, micros(m.TrainedAt), m.Kind, m.N, m.Won, m.AUC, string(text))
		return err
	})
	if err != nil {
		return m, 0, fmt.Errorf("store score model: %w", err)
	}
	n, err := db.Rescore(ctx, m, false)
	return m, n, err
}

// Rescore writes m's score and factors to every lead and pool customer not
// won (only those not scored yet, when unscored), a batch per
// transaction, and returns how many it wrote. A record whose score and
// factors are already these is not written again.
func (db *DB) Rescore(ctx context.Context, m score.Model, unscored bool) (int, error) {
	where := `NOT c.won AND (c.owner_id IS NULL OR c.lifecycle = 'lead')`
	if unscored {
		where += ` AND c.score IS NULL`
	}
	total, after := 0, ""
	for {
		rows, err := collect(ctx, db.reader(), scoreFeatures+`WHERE c.id > ? AND `+where+` ORDER BY c.id LIMIT ?`,
			[]any{after, scoreBatch}, scanScored)
		if err != nil {
			return total, fmt.Errorf("rescore: %w", err)
		}
		if len(rows) == 0 {
			return total, nil
		}
		n, err := db.writeScores(ctx, m, rows)
		if total += n; err != nil {
			return total, fmt.Errorf("rescore: %w", err)
		}
		after = rows[len(rows)-1].id
	}
}

// writeScores writes m's score of each of rows in one transaction: one
// statement on PostgreSQL, one per row on SQLite (whose UPDATE … FROM
// VALUES is slower than its prepared single-row writes).
func (db *DB) writeScores(ctx context.Context, m score.Model, rows []scored) (int, error) {
	values := make([][3]any, len(rows))
	for i, r := range rows {
		v, fs := m.Score(r.Features)
		text, err := json.Marshal(fs)
		if err != nil {
			return 0, err
		}
		values[i] = [3]any{r.id, v, string(text)}
	}
	n := 0
	err := db.inTx(ctx, func(c conn) error {
		if c.dialect == Postgres {
			var tuples []string
			var args []any
			for i, v := range values {
				tuple := `(?, ?, ?)`
				if i == 0 {
					tuple = `(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT))`
				}
				tuples, args = append(tuples, tuple), append(args, v[0], v[1], v[2])
			}
			res, err := c.exec(ctx, `UPDATE customers c SET score = v.score, score_factors = v.factors
				FROM (VALUES `+strings.Join(tuples, ", ")+`) AS v (id, score, factors)
				WHERE c.id = v.id AND (c.score IS DISTINCT FROM v.score OR c.score_factors <> v.factors)`, args...)
			if err != nil {
				return err
			}
			affected, err := res.RowsAffected()
			n = int(affected)
			return err
		}
		for _, v := range values {
			res, err := c.exec(ctx, `UPDATE customers SET score = ?, score_factors = ? WHERE id = ? AND (score IS NOT ? OR score_factors <> ?)`,
				v[1], v[2], v[0], v[1], v[2])
			if err != nil {
				return err
			}
			if affected, err := res.RowsAffected(); err != nil {
				return err
			} else {
				n += int(affected)
			}
		}
		return nil
	})
	return n, err
}

// ScoreSweep is the sweep's part of scoring: the day's training and
// rescoring, once a day across nodes, and on every sweep the scoring of
// records created since (they have no score yet) by the newest model.
func (db *DB) ScoreSweep(ctx context.Context) (trained bool, rescored int, err error) {
	_, trained, rescored, err = db.Retrain(ctx)
	if err != nil || trained {
		return trained, rescored, err
	}
	m, err := db.ScoreModel(ctx)
	if err != nil {
		return false, 0, err
	}
	n, err := db.Rescore(ctx, m, true)
	return false, n, err
}
