-- +goose Up
-- Contacts (联系人): the further people at a customer. A customer's own
-- name, phone, email and WeChat id are its first (primary) contact, so no
-- data moves: this table holds the others. Their personal fields are
-- sealed like customers' (bound to table, column and the contact's id),
-- with blind indexes beside them; pii_key names the sealing key, for key
-- rotation. No phone, email or WeChat id is on two contacts: the unique
-- indexes refuse it within this table, and the store's duplicate check
-- (serialised across the two tables) refuses it against customers'.
CREATE TABLE contacts (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    wechat      TEXT NOT NULL DEFAULT '',
    pii_key     TEXT,
    name_key    TEXT,
    phone_key   TEXT,
    email_key   TEXT,
    wechat_key  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id, position);
CREATE UNIQUE INDEX contacts_phone_key ON contacts (phone_key) WHERE phone_key IS NOT NULL;
CREATE UNIQUE INDEX contacts_email_key ON contacts (email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX contacts_wechat_key ON contacts (wechat_key) WHERE wechat_key IS NOT NULL;
CREATE INDEX contacts_name_key ON contacts (name_key) WHERE name_key IS NOT NULL;
-- Key rotation reads the rows not yet sealed with the primary key.
CREATE INDEX contacts_pii_key ON contacts (pii_key, id);

-- +goose Down
DROP TABLE contacts;
