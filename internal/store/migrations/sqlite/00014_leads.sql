-- +goose Up
-- Leads (线索): a customer record in lifecycle 'lead' lives in a pool like
-- any customer; converting it (一转三) makes it a 'customer'. Where it came
-- from is its first touch (channel_id, campaign, utm_*, first_touch_at),
-- which never changes; latest_* is the last time it came in again.
-- (No CHECK on SQLite: it could not drop a checked column going down; the
-- store writes only 'lead' and 'customer'.)
ALTER TABLE customers ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE customers ADD COLUMN channel_id TEXT;
ALTER TABLE customers ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN utm_source TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN utm_medium TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN utm_campaign TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN first_touch_at BIGINT;
ALTER TABLE customers ADD COLUMN latest_channel_id TEXT;
ALTER TABLE customers ADD COLUMN latest_campaign TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN latest_touch_at BIGINT;
ALTER TABLE customers ADD COLUMN converted_at BIGINT;
-- Customer size, one of the routing rules' matches: '' | small | medium | large | key.
ALTER TABLE customers ADD COLUMN size TEXT NOT NULL DEFAULT '';
-- The conversion score 0-100 and its top factors (JSON), NULL until scored.
ALTER TABLE customers ADD COLUMN score INTEGER;
ALTER TABLE customers ADD COLUMN score_factors TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_channel ON customers (channel_id, created_at) WHERE channel_id IS NOT NULL;

-- Channels (渠道) bring leads in: intake posts to /api/v1/intake/{key}.
CREATE TABLE channels (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    key         TEXT NOT NULL UNIQUE,
    pool_id     TEXT NOT NULL REFERENCES pools (id),
    -- assignment is a gonghai.Assignment as JSON; '' follows the pool's.
    assignment  TEXT NOT NULL DEFAULT '',
    daily_cap   INTEGER NOT NULL DEFAULT 0 CHECK (daily_cap >= 0),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- How a pool hands out its new customers: a gonghai.Assignment as JSON.
ALTER TABLE pools ADD COLUMN assignment TEXT NOT NULL DEFAULT '{"strategy":"claim"}';

-- Reps away (until an instant), paused, or at their daily cap of automatic
-- assignments are skipped by every strategy, and keep their turn.
ALTER TABLE users ADD COLUMN away_until BIGINT;
ALTER TABLE users ADD COLUMN assign_paused BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN daily_assign_cap INTEGER NOT NULL DEFAULT 0;

-- The unassigned queue: records a strategy is to hand out wait here until
-- someone is eligible, with the reason nobody was. A record enters in the
-- transaction that creates it (store.enqueueRoute) and leaves in the one
-- that assigns it, so a crash between the two loses none.
CREATE TABLE unassigned (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    pool_id     TEXT NOT NULL REFERENCES pools (id),
    channel_id  TEXT REFERENCES channels (id),
    reason      TEXT NOT NULL DEFAULT 'new',
    since       BIGINT NOT NULL,
    tried_at    BIGINT,
    tries       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX unassigned_pool ON unassigned (pool_id, since);

-- +goose Down
DROP TABLE unassigned;
ALTER TABLE users DROP COLUMN daily_assign_cap;
ALTER TABLE users DROP COLUMN assign_paused;
ALTER TABLE users DROP COLUMN away_until;
ALTER TABLE pools DROP COLUMN assignment;
DROP TABLE channels;
DROP INDEX customers_channel;
ALTER TABLE customers DROP COLUMN score_factors;
ALTER TABLE customers DROP COLUMN score;
ALTER TABLE customers DROP COLUMN size;
ALTER TABLE customers DROP COLUMN converted_at;
ALTER TABLE customers DROP COLUMN latest_touch_at;
ALTER TABLE customers DROP COLUMN latest_campaign;
ALTER TABLE customers DROP COLUMN latest_channel_id;
ALTER TABLE customers DROP COLUMN first_touch_at;
ALTER TABLE customers DROP COLUMN utm_campaign;
ALTER TABLE customers DROP COLUMN utm_medium;
ALTER TABLE customers DROP COLUMN utm_source;
ALTER TABLE customers DROP COLUMN campaign;
ALTER TABLE customers DROP COLUMN channel_id;
ALTER TABLE customers DROP COLUMN lifecycle;
