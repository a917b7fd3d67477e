-- +goose Up
-- A pool's net flow by day (into its unowned stock less out of it),
-- written beside flow_days in the same transaction: a day-end stock reads
-- one row per pool and day instead of every rep's rows of every later day.
CREATE TABLE pool_days (
    pool_id TEXT NOT NULL,
    day     TEXT NOT NULL,
    net     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, day)
);
INSERT INTO pool_days (pool_id, day, net) SELECT pool_id, day, SUM(dir * n) FROM flow_days GROUP BY pool_id, day;

-- +goose Down
DROP TABLE pool_days;
