-- +goose Up
-- Intake (渠道进线): a channel's form post goes to a lead in its pool.
-- RedirectURL is where a plain HTML form is sent after it is taken; the
-- rate limits are per minute to the channel and per hour from one address
-- (0: none), counted in intake_limits so that they hold across app nodes.
ALTER TABLE channels ADD COLUMN redirect_url TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN per_minute INTEGER NOT NULL DEFAULT 120;
ALTER TABLE channels ADD COLUMN address_per_hour INTEGER NOT NULL DEFAULT 10;

-- One fixed window per scope ("channel <id>" or "address <channel id>
-- <blind index of the address>"): a submission in a new window starts it
-- again at 1, one upsert decides. No address is kept in clear.
CREATE TABLE intake_limits (
    scope        TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    n            INTEGER NOT NULL
);
CREATE INDEX intake_limits_window ON intake_limits (window_start);

-- Per channel and day (YYYY-MM-DD in the organisation's zone): new leads,
-- which the daily cap counts, records joined again, and submissions held.
CREATE TABLE channel_days (
    channel_id TEXT NOT NULL REFERENCES channels (id),
    day        TEXT NOT NULL,
    leads      INTEGER NOT NULL DEFAULT 0,
    joined     INTEGER NOT NULL DEFAULT 0,
    held       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, day)
);

-- Submissions held back as spam (honeypot filled, links): the payload is
-- the submission as JSON, sealed (bound to this table, column and row),
-- emptied when dropped. An admin releases one into a lead, or drops it.
CREATE TABLE intake_quarantine (
    id          TEXT PRIMARY KEY,
    channel_id  TEXT NOT NULL REFERENCES channels (id),
    reason      TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '',
    pii_key     TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'held',
    decided_by  TEXT REFERENCES users (id),
    decided_at  BIGINT,
    customer_id TEXT REFERENCES customers (id)
);
CREATE INDEX intake_quarantine_state ON intake_quarantine (state, at);

-- +goose Down
DROP TABLE intake_quarantine;
DROP TABLE channel_days;
DROP TABLE intake_limits;
ALTER TABLE channels DROP COLUMN address_per_hour;
ALTER TABLE channels DROP COLUMN per_minute;
ALTER TABLE channels DROP COLUMN redirect_url;
