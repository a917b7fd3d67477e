-- +goose Up
-- Company names match on a normal form (dedup.Company): company_key holds
-- it, written with every company. Two customers of one company are one
-- customer, whatever pool or owner each is in.
ALTER TABLE customers ADD COLUMN company_key TEXT;
-- A customer created knowingly beside the one it duplicates (an import
-- under the "conflict" policy) names that customer until the conflict is
-- resolved: the unique indexes, which otherwise refuse it, take it apart.
ALTER TABLE customers ADD COLUMN duplicate_of TEXT;
-- A customer merged into another answers with a pointer to the survivor.
ALTER TABLE customers ADD COLUMN merged_into TEXT;

-- A knowing duplicate is its own entry of the unique indexes: the second
-- part of each key is '' for every other customer, so two of those with
-- one value still collide, while a look-up by the value alone reads the
-- index as before.
DROP INDEX customers_phone_key;
DROP INDEX customers_email_key;
DROP INDEX customers_wechat_key;
CREATE UNIQUE INDEX customers_phone_key ON customers (phone_key, (CASE WHEN duplicate_of IS NULL THEN '' ELSE id END)) WHERE phone_key IS NOT NULL;
CREATE UNIQUE INDEX customers_email_key ON customers (email_key, (CASE WHEN duplicate_of IS NULL THEN '' ELSE id END)) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX customers_wechat_key ON customers (wechat_key, (CASE WHEN duplicate_of IS NULL THEN '' ELSE id END)) WHERE wechat_key IS NOT NULL;
CREATE UNIQUE INDEX customers_company_key ON customers (company_key, (CASE WHEN duplicate_of IS NULL THEN '' ELSE id END)) WHERE company_key IS NOT NULL;
-- The duplicates still open against a customer.
CREATE INDEX customers_duplicate_of ON customers (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- The archive is a pool no one claims from: customers marked invalid wait
-- there until restored or purged, and merged customers stay there. It is
-- made on first use (store.archivePool) and listed by no pool list.
ALTER TABLE pools ADD COLUMN archive BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE pools DROP COLUMN archive;
DROP INDEX customers_duplicate_of;
DROP INDEX customers_company_key;
DROP INDEX customers_phone_key;
DROP INDEX customers_email_key;
DROP INDEX customers_wechat_key;
CREATE UNIQUE INDEX customers_phone_key ON customers (phone_key) WHERE phone_key IS NOT NULL;
CREATE UNIQUE INDEX customers_email_key ON customers (email_key) WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX customers_wechat_key ON customers (wechat_key) WHERE wechat_key IS NOT NULL;
ALTER TABLE customers DROP COLUMN merged_into;
ALTER TABLE customers DROP COLUMN duplicate_of;
ALTER TABLE customers DROP COLUMN company_key;
