-- +goose Up
-- Personal fields (name, phone, email, WeChat) hold values sealed by
-- internal/crypt ("k1$…"); pii_key names the key that sealed a row's
-- fields, NULL for rows written before this version, which the store
-- seals when it opens. The *_key columns are blind indexes: keyed HMACs of
-- the normalised values, for equality look-ups and the duplicate check.
ALTER TABLE customers ADD COLUMN wechat TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN pii_key TEXT;
ALTER TABLE customers ADD COLUMN name_key TEXT;
ALTER TABLE customers ADD COLUMN phone_key TEXT;
ALTER TABLE customers ADD COLUMN email_key TEXT;
ALTER TABLE customers ADD COLUMN wechat_key TEXT;
ALTER TABLE customers ADD COLUMN erased_at BIGINT;
-- Two creates of one phone, email or WeChat id: the second fails here.
CREATE UNIQUE INDEX customers_phone_key ON customers (phone_key) WHERE phone_key IS NOT NULL;
CREATE UNIQUE INDEX customers_email_key ON customers (email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX customers_wechat_key ON customers (wechat_key) WHERE wechat_key IS NOT NULL;
CREATE INDEX customers_name_key ON customers (name_key) WHERE name_key IS NOT NULL;
-- Key rotation reads the rows not yet sealed with the primary key.
CREATE INDEX customers_pii_key ON customers (pii_key, id);

-- Notification texts name the customer; they are composed when read.
UPDATE notifications SET body = '';

-- What non-owners see of a pool's contact fields: 'masked' (138****8000)
-- or 'hidden' (nothing).
ALTER TABLE pools ADD COLUMN contact_mask TEXT NOT NULL DEFAULT 'masked' CHECK (contact_mask IN ('masked', 'hidden'));

-- Reveals of masked contacts each user may make per day.
ALTER TABLE organisation ADD COLUMN reveal_daily_quota INTEGER NOT NULL DEFAULT 20 CHECK (reveal_daily_quota >= 0);

CREATE TABLE reveal_counts (
    user_id TEXT NOT NULL REFERENCES users (id),
    day     TEXT NOT NULL, -- YYYY-MM-DD in the organisation's time zone
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- Browser sessions; only a hash of the session token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    data       BYTEA NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
-- A new password ends the user's other sessions.
CREATE INDEX sessions_user ON sessions (user_id);

-- Sensitive actions, written in the transaction of the action. Ids and
-- codes only: no personal data.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    target_kind TEXT NOT NULL DEFAULT '',
    target_id   TEXT NOT NULL DEFAULT '',
    address     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_action ON audit_log (action, id);
-- Login rate limits count recent failures per account and per address.
CREATE INDEX audit_failed_login_user ON audit_log (target_id, at) WHERE action = 'login_failed';
CREATE INDEX audit_failed_login_address ON audit_log (address, at) WHERE action = 'login_failed';

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is never changed';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only;
DROP TABLE sessions;
DROP TABLE reveal_counts;
ALTER TABLE organisation DROP COLUMN reveal_daily_quota;
ALTER TABLE pools DROP COLUMN contact_mask;
DROP INDEX customers_pii_key;
DROP INDEX customers_name_key;
DROP INDEX customers_wechat_key;
DROP INDEX customers_email_key;
DROP INDEX customers_phone_key;
ALTER TABLE customers DROP COLUMN erased_at;
ALTER TABLE customers DROP COLUMN wechat_key;
ALTER TABLE customers DROP COLUMN email_key;
ALTER TABLE customers DROP COLUMN phone_key;
ALTER TABLE customers DROP COLUMN name_key;
ALTER TABLE customers DROP COLUMN pii_key;
ALTER TABLE customers DROP COLUMN wechat;
