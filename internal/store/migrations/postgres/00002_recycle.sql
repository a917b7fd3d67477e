-- +goose Up
-- Recycle rules: what they read (follow-ups, stages, opportunities, orders,
-- locks), the deadline each owned customer carries, reminders and the
-- webhook outbox.

ALTER TABLE organisation ADD COLUMN stages TEXT NOT NULL DEFAULT '["初步接触","需求确认","方案报价","谈判","赢单"]';
ALTER TABLE organisation ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE organisation ADD COLUMN webhook_format TEXT NOT NULL DEFAULT 'json';

-- A pool's recycle rules, as JSON: read whole, written whole.
ALTER TABLE pools ADD COLUMN recycle_rules TEXT NOT NULL DEFAULT '{}';

ALTER TABLE customers ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN won_at BIGINT;
ALTER TABLE customers ADD COLUMN last_followup_at BIGINT;
ALTER TABLE customers ADD COLUMN last_stage_at BIGINT;
ALTER TABLE customers ADD COLUMN last_order_at BIGINT;
ALTER TABLE customers ADD COLUMN last_opportunity_at BIGINT;
ALTER TABLE customers ADD COLUMN open_opportunities INTEGER NOT NULL DEFAULT 0;
-- recycle_at is when the customer is due back and recycle_rule the rule
-- that says so; warn_at is the owner's next reminder. All three are NULL
-- while the customer is in a pool.
ALTER TABLE customers ADD COLUMN recycle_at BIGINT;
ALTER TABLE customers ADD COLUMN recycle_rule TEXT;
ALTER TABLE customers ADD COLUMN warn_at BIGINT;
-- The sweep and the reminders read only due rows.
CREATE INDEX customers_recycle_due ON customers (recycle_at, id) WHERE recycle_at IS NOT NULL;
CREATE INDEX customers_warn_due ON customers (warn_at, id) WHERE warn_at IS NOT NULL;

CREATE TABLE followups (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    content     TEXT NOT NULL,
    at          BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX followups_customer ON followups (customer_id, at);

CREATE TABLE opportunities (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    title       TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT
);
CREATE INDEX opportunities_customer ON opportunities (customer_id, id);

CREATE TABLE orders (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    amount_fen  BIGINT NOT NULL CHECK (amount_fen >= 0),
    ordered_on  TEXT NOT NULL,
    ordered_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, ordered_at);

-- Notifications are written once, in the transaction that decides them.
-- webhook_next_at is set while the webhook still has to receive one: a
-- sender leases it by moving the time on, and clears it once delivered.
CREATE TABLE notifications (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id),
    kind              TEXT NOT NULL,
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    rule              TEXT NOT NULL DEFAULT '',
    deadline_at       BIGINT,
    days_left         INTEGER NOT NULL DEFAULT 0,
    body              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    read_at           BIGINT,
    webhook_next_at   BIGINT,
    webhook_attempts  INTEGER NOT NULL DEFAULT 0,
    webhook_sent_at   BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_webhook ON notifications (webhook_next_at) WHERE webhook_next_at IS NOT NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE orders;
DROP TABLE opportunities;
DROP TABLE followups;
DROP INDEX customers_warn_due;
DROP INDEX customers_recycle_due;
ALTER TABLE customers DROP COLUMN warn_at;
ALTER TABLE customers DROP COLUMN recycle_rule;
ALTER TABLE customers DROP COLUMN recycle_at;
ALTER TABLE customers DROP COLUMN open_opportunities;
ALTER TABLE customers DROP COLUMN last_opportunity_at;
ALTER TABLE customers DROP COLUMN last_order_at;
ALTER TABLE customers DROP COLUMN last_stage_at;
ALTER TABLE customers DROP COLUMN last_followup_at;
ALTER TABLE customers DROP COLUMN won_at;
ALTER TABLE customers DROP COLUMN locked;
ALTER TABLE pools DROP COLUMN recycle_rules;
ALTER TABLE organisation DROP COLUMN webhook_format;
ALTER TABLE organisation DROP COLUMN webhook_url;
ALTER TABLE organisation DROP COLUMN stages;
