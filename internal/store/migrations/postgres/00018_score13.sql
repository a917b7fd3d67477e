-- +goose Up
-- Scoring and anti cherry-picking (docs/scoring.md).

-- claim_order: 'any' lets members claim any customer of the pool; 'score'
-- and 'age' make them claim the next one only, the best-scored or the one
-- longest in the pool (claim-next), so that nobody picks the plums.
ALTER TABLE pools ADD COLUMN claim_order TEXT NOT NULL DEFAULT 'any';
-- level_a_limits: the most A-category customers a rep of each level may
-- hold, as JSON {"level": n}; a level not listed has no such limit.
ALTER TABLE organisation ADD COLUMN level_a_limits TEXT NOT NULL DEFAULT '{}';

-- The models the daily training made, newest last: the score of every
-- record is computed by the newest, and the history of AUCs shows whether
-- the model is getting better.
CREATE TABLE score_models (
    id         TEXT PRIMARY KEY,
    trained_at BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    n          INTEGER NOT NULL,
    won        INTEGER NOT NULL,
    auc        DOUBLE PRECISION NOT NULL,
    model      TEXT NOT NULL
);
CREATE INDEX score_models_trained ON score_models (trained_at);

-- A pool's customers in score order (the pool list sorted by score, and
-- claim-next): unscored last, as -1.
CREATE INDEX customers_pool_score ON customers (pool_id, COALESCE(score, -1), id) WHERE owner_id IS NULL;

-- +goose Down
DROP INDEX customers_pool_score;
DROP TABLE score_models;
ALTER TABLE organisation DROP COLUMN level_a_limits;
ALTER TABLE pools DROP COLUMN claim_order;
