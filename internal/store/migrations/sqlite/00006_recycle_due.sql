-- +goose Up
-- The sweep and the reminders list due rows by (time, id) with the owner,
-- pool, deadline and rule they write against. Carried in the index, those
-- are read from it alone: no table page is read to list a due row.
DROP INDEX customers_recycle_due;
CREATE INDEX customers_recycle_due ON customers (recycle_at, id, owner_id, pool_id, recycle_rule) WHERE recycle_at IS NOT NULL;
DROP INDEX customers_warn_due;
CREATE INDEX customers_warn_due ON customers (warn_at, id, owner_id, pool_id, recycle_at, recycle_rule) WHERE warn_at IS NOT NULL;

-- +goose Down
DROP INDEX customers_warn_due;
CREATE INDEX customers_warn_due ON customers (warn_at, id) WHERE warn_at IS NOT NULL;
DROP INDEX customers_recycle_due;
CREATE INDEX customers_recycle_due ON customers (recycle_at, id) WHERE recycle_at IS NOT NULL;
