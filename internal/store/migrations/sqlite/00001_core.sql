-- +goose Up
-- Instants are stored as unix microseconds (UTC) in BIGINT columns named
-- *_at, the same on both databases, so comparisons and indexes behave alike.

CREATE TABLE organisation (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    time_zone                TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    exclude_won_from_holding BOOLEAN NOT NULL DEFAULT FALSE,
    level_holding_limits     TEXT NOT NULL DEFAULT '{}',
    demo_seeded_at           BIGINT
);
INSERT INTO organisation (id) VALUES (1);

CREATE TABLE departments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    parent_id  TEXT REFERENCES departments (id),
    path       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
    department_id TEXT REFERENCES departments (id),
    level         TEXT NOT NULL DEFAULT '',
    holding_limit INTEGER CHECK (holding_limit >= 0),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT NOT NULL DEFAULT '',
    -- claim_seq is bumped first thing in every transaction that may add to
    -- the user's holding: the row lock serialises their limit checks.
    claim_seq     BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX users_department ON users (department_id);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE pools (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL UNIQUE,
    hidden                BOOLEAN NOT NULL DEFAULT FALSE,
    daily_claim_limit     INTEGER NOT NULL DEFAULT 0 CHECK (daily_claim_limit >= 0),
    reclaim_cooldown_days INTEGER NOT NULL DEFAULT 0 CHECK (reclaim_cooldown_days >= 0),
    release_wait_hours    INTEGER NOT NULL DEFAULT 0 CHECK (release_wait_hours >= 0),
    holding_limit         INTEGER NOT NULL DEFAULT 0 CHECK (holding_limit >= 0),
    return_pool_id        TEXT REFERENCES pools (id),
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);

CREATE TABLE pool_member_users (
    pool_id TEXT NOT NULL REFERENCES pools (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (pool_id, user_id)
);
CREATE TABLE pool_member_departments (
    pool_id       TEXT NOT NULL REFERENCES pools (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (pool_id, department_id)
);
CREATE TABLE pool_admins (
    pool_id TEXT NOT NULL REFERENCES pools (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (pool_id, user_id)
);

CREATE TABLE customers (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    company      TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    industry     TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    product_line TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    stage        TEXT NOT NULL DEFAULT '',
    won          BOOLEAN NOT NULL DEFAULT FALSE,
    phone        TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    owner_id     TEXT REFERENCES users (id),
    pool_id      TEXT NOT NULL REFERENCES pools (id),
    owned_since  BIGINT,
    claimable_at BIGINT,
    -- event_seq is the seq of the customer's latest ownership event; the
    -- write that changes the owner bumps it, so events chain without gaps.
    event_seq    INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CHECK ((owner_id IS NULL) = (owned_since IS NULL))
);
-- Pool listings read only unowned rows, newest first.
CREATE INDEX customers_in_pool ON customers (pool_id, id) WHERE owner_id IS NULL;
CREATE INDEX customers_owned ON customers (owner_id, pool_id) WHERE owner_id IS NOT NULL;

CREATE TABLE ownership_events (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    seq           INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    from_owner_id TEXT,
    to_owner_id   TEXT,
    from_pool_id  TEXT,
    to_pool_id    TEXT,
    actor_id      TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    forced        BOOLEAN NOT NULL DEFAULT FALSE,
    at            BIGINT NOT NULL,
    UNIQUE (customer_id, seq)
);
-- The daily claim limit counts a rep's claims since the start of the day.
CREATE INDEX events_claims ON ownership_events (to_owner_id, at) WHERE kind = 'claimed';
-- The re-claim cooldown finds when a customer last left a rep.
CREATE INDEX events_left ON ownership_events (customer_id, from_owner_id, at) WHERE from_owner_id IS NOT NULL;

-- Ownership history is append-only.
-- +goose StatementBegin
CREATE TRIGGER ownership_events_no_update BEFORE UPDATE ON ownership_events
BEGIN
    SELECT RAISE(ABORT, 'ownership events are never changed');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ownership_events_no_delete BEFORE DELETE ON ownership_events
BEGIN
    SELECT RAISE(ABORT, 'ownership events are never changed');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE ownership_events;
DROP TABLE customers;
DROP TABLE pool_admins;
DROP TABLE pool_member_departments;
DROP TABLE pool_member_users;
DROP TABLE pools;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE departments;
DROP TABLE organisation;
