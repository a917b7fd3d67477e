-- +goose Up
-- Pool hygiene (定期清理公海): customers marked invalid move to the archive
-- pool, wait there archive_days and are then purged (personal data erased).

-- How long an invalid customer waits in the archive; a change applies to
-- the customers archived after it.
ALTER TABLE organisation ADD COLUMN archive_days INTEGER NOT NULL DEFAULT 30 CHECK (archive_days BETWEEN 1 AND 3650);

-- pooled_at is when an unowned customer last came into its pool (NULL: when
-- it was created), for the rule "unclaimed in the pool for N days". The
-- trigger keeps it on every write that puts a customer into a pool, those
-- written later (imports, merges) too.
ALTER TABLE customers ADD COLUMN pooled_at BIGINT;
-- flag_count counts the people who flagged the customer invalid, for the
-- rule "flagged invalid by K people": written with each flag.
ALTER TABLE customers ADD COLUMN flag_count INTEGER NOT NULL DEFAULT 0;
UPDATE customers SET pooled_at = (SELECT e.at FROM ownership_events e WHERE e.customer_id = customers.id AND e.seq = customers.event_seq)
    WHERE owner_id IS NULL;
-- The rules' sweep reads a pool's due rows from these alone, oldest first.
CREATE INDEX customers_pool_stale ON customers (pool_id, COALESCE(pooled_at, created_at), id) WHERE owner_id IS NULL;
CREATE INDEX customers_flagged ON customers (pool_id, id, flag_count) WHERE owner_id IS NULL AND flag_count > 0;

-- +goose StatementBegin
CREATE TRIGGER customers_pooled AFTER UPDATE OF owner_id, pool_id ON customers
    WHEN NEW.owner_id IS NULL AND (OLD.owner_id IS NOT NULL OR OLD.pool_id <> NEW.pool_id)
BEGIN
    UPDATE customers SET pooled_at = NEW.updated_at WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- One flag per person and customer; the note may hold anything typed, so a
-- purge deletes the flags.
CREATE TABLE customer_flags (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    at          BIGINT NOT NULL,
    PRIMARY KEY (customer_id, user_id)
);

-- The archive: one row per customer waiting in it (deleted when restored;
-- kept, with purged_at, when purged).
CREATE TABLE archived_customers (
    customer_id  TEXT PRIMARY KEY REFERENCES customers (id),
    from_pool_id TEXT NOT NULL REFERENCES pools (id),
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    actor_id     TEXT REFERENCES users (id),
    at           BIGINT NOT NULL,
    purge_at     BIGINT NOT NULL,
    purged_at    BIGINT
);
-- The purge sweep reads due rows from the index; the archive page lists the
-- newest first, all of them or those of the pools a pool admin holds.
CREATE INDEX archived_purge_due ON archived_customers (purge_at, customer_id) WHERE purged_at IS NULL;
CREATE INDEX archived_recent ON archived_customers (at, customer_id) WHERE purged_at IS NULL;
CREATE INDEX archived_from_pool ON archived_customers (from_pool_id, at, customer_id) WHERE purged_at IS NULL;

-- A pool's hygiene rules; zero turns a rule off.
CREATE TABLE pool_hygiene (
    pool_id        TEXT PRIMARY KEY REFERENCES pools (id),
    unclaimed_days INTEGER NOT NULL DEFAULT 0 CHECK (unclaimed_days >= 0),
    flagged_by     INTEGER NOT NULL DEFAULT 0 CHECK (flagged_by >= 0),
    updated_at     BIGINT NOT NULL
);

-- +goose Down
DROP TABLE pool_hygiene;
DROP TABLE archived_customers;
DROP TABLE customer_flags;
DROP TRIGGER customers_pooled;
DROP INDEX customers_flagged;
DROP INDEX customers_pool_stale;
ALTER TABLE customers DROP COLUMN flag_count;
ALTER TABLE customers DROP COLUMN pooled_at;
ALTER TABLE organisation DROP COLUMN archive_days;
