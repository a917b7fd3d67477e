-- +goose Up
-- Reports read two tables written in the transaction that writes the
-- ownership events they summarise, so that they are never stale.
--
-- A tenure is one stretch of one customer with one owner: opened by the
-- event that gave the customer to the owner, closed by the event that
-- took it away. dept_path is the owner's department path when it opened
-- ('' for none). The owner's follow-ups in it are counted, the first one
-- timed; won_at is when the customer was first won in it.
CREATE TABLE tenures (
    customer_id       TEXT NOT NULL,
    start_seq         INTEGER NOT NULL,
    owner_id          TEXT NOT NULL,
    dept_path         TEXT NOT NULL DEFAULT '',
    pool_id           TEXT NOT NULL,
    channel_id        TEXT NOT NULL DEFAULT '',
    start_kind        TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    end_kind          TEXT,
    end_reason        TEXT NOT NULL DEFAULT '',
    ended_at          BIGINT,
    first_followup_at BIGINT,
    followups         INTEGER NOT NULL DEFAULT 0,
    won_at            BIGINT,
    PRIMARY KEY (customer_id, start_seq)
);
CREATE INDEX tenures_open ON tenures (customer_id) WHERE ended_at IS NULL;
CREATE INDEX tenures_started ON tenures (dept_path, started_at);
CREATE INDEX tenures_ended ON tenures (dept_path, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX tenures_owner ON tenures (owner_id, started_at);

-- Pool flow by day (YYYY-MM-DD in the organisation's zone when written):
-- customers into a pool's unowned stock (dir 1: created, imported,
-- released, recycled, moved in …) and out of it (dir -1: claimed,
-- assigned, moved out …), by the rep the move was about (user_id: the
-- owner who let go or took it, the creator of an unowned customer; '' for
-- none) and that rep's department path then, and by the customer's
-- channel ('' for none).
CREATE TABLE flow_days (
    day        TEXT NOT NULL,
    pool_id    TEXT NOT NULL,
    dept_path  TEXT NOT NULL DEFAULT '',
    user_id    TEXT NOT NULL DEFAULT '',
    channel_id TEXT NOT NULL DEFAULT '',
    kind       TEXT NOT NULL,
    dir        INTEGER NOT NULL,
    n          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, pool_id, dept_path, user_id, channel_id, kind, dir)
);
CREATE INDEX flow_days_pool ON flow_days (pool_id, day);

-- Set once the tables hold every event written before them (Migrate
-- replays those).
ALTER TABLE organisation ADD COLUMN reports_built BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE organisation DROP COLUMN reports_built;
DROP TABLE flow_days;
DROP TABLE tenures;
