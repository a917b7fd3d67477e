-- +goose Up
-- The rotation of automatic assignment, per scope ('pool:<id>' or
-- 'channel:<id>', whichever's strategy decides) and rep. last_turn is the
-- scope's sequence number of the rep's last assignment, automatic or
-- manual: round robin gives to the smallest, the rep who has waited
-- longest, and a number (unlike a time) never ties two assignments made in
-- the same instant. assigned counts them for the weighted strategy.
-- version makes every automatic write conditional: of two nodes that read
-- the same state and picked the same rep, the second finds the version
-- moved and decides again.
CREATE TABLE assign_rotation (
    scope            TEXT NOT NULL,
    user_id          TEXT NOT NULL REFERENCES users (id),
    last_turn        BIGINT NOT NULL DEFAULT 0,
    last_assigned_at BIGINT,
    assigned         BIGINT NOT NULL DEFAULT 0,
    version          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, user_id)
);

-- Automatic assignments per rep per calendar day (in the organisation's
-- zone), against the rep's daily_assign_cap. Written under the rep's row
-- lock, like holding counts, so a cap is never passed.
CREATE TABLE assign_daily (
    user_id TEXT NOT NULL REFERENCES users (id),
    day     TEXT NOT NULL,
    n       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

-- Why each automatic assignment went where it did (or why nobody took the
-- customer), shown on the customer's history. event_seq is the ownership
-- event it made, NULL while the customer waits.
CREATE TABLE assignment_decisions (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    event_seq   INTEGER,
    strategy    TEXT NOT NULL,
    rule        TEXT NOT NULL DEFAULT '',
    candidates  TEXT NOT NULL DEFAULT '[]',
    skipped     TEXT NOT NULL DEFAULT '{}',
    picked      TEXT REFERENCES users (id),
    reason      TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL
);
CREATE INDEX assignment_decisions_customer ON assignment_decisions (customer_id, at);

-- +goose Down
DROP TABLE assignment_decisions;
DROP TABLE assign_daily;
DROP TABLE assign_rotation;
