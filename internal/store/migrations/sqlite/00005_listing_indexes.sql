-- +goose Up
-- Every listing and search reads through an index (listing.go, search.go).

-- A customer's holder is its owner ("u:" and the user's id), or its pool
-- while it has none ("p:" and the pool's id): one index per filter then
-- serves a pool's listing and a private pool's alike, newest first,
-- whatever share of the rows the filter keeps.
CREATE INDEX customers_holder ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id), id);
CREATE INDEX customers_holder_category ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id), category, id);
CREATE INDEX customers_holder_industry ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id), industry, id);
CREATE INDEX customers_holder_product_line ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id), product_line, id);
CREATE INDEX customers_holder_source ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id), source, id);
-- A region filter takes a place and everything below it ("广东省" takes
-- "广东省/深圳市/南山区"): a province or a city matches the first one or
-- two parts of the path exactly, so it reads newest first too; a deeper
-- place reads its range, and the region for the exact test, from the
-- index, and is sorted: a few rows. Lower-cased, as the LIKE it stands for
-- ignores the case of ASCII letters.
CREATE INDEX customers_holder_region1 ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id),
    lower(substr(region, 1, instr(region || '/', '/') - 1)), id);
CREATE INDEX customers_holder_region2 ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id),
    lower(substr(region, 1, instr(region || '/', '/') + instr(substr(region || '//', instr(region || '/', '/') + 1), '/') - 1)), id);
CREATE INDEX customers_holder_region ON customers (COALESCE('u:' || owner_id, 'p:' || pool_id), lower(region), id, region);
-- A private pool, the nearest recycle deadline first; none last.
CREATE INDEX customers_owner_due ON customers (owner_id, COALESCE(recycle_at, 9223372036854775807), id)
    WHERE owner_id IS NOT NULL;

-- Company names are searched in part: an FTS5 index of every one- and
-- two-character piece of the lower-cased name, as hex words that no
-- tokenizer splits (search_grams, registered by the store, writes them).
-- customer_search numbers the customers for it: an FTS row is found by an
-- integer that, unlike a customer's rowid, VACUUM never renumbers.
CREATE TABLE customer_search (
    n  INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE customer_grams USING fts5 (grams, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii');
INSERT INTO customer_search (id) SELECT id FROM customers ORDER BY id;
INSERT INTO customer_grams (rowid, grams)
    SELECT s.n, search_grams(c.company) FROM customer_search s JOIN customers c ON c.id = s.id;

-- The triggers keep the index with the companies; a claim or any other
-- write that leaves the company alone does not touch it.
-- +goose StatementBegin
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_search (id) VALUES (new.id);
    INSERT INTO customer_grams (rowid, grams)
        VALUES ((SELECT n FROM customer_search WHERE id = new.id), search_grams(new.company));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_search_update AFTER UPDATE OF company ON customers
WHEN old.company IS NOT new.company
BEGIN
    DELETE FROM customer_grams WHERE rowid = (SELECT n FROM customer_search WHERE id = new.id);
    INSERT INTO customer_grams (rowid, grams)
        VALUES ((SELECT n FROM customer_search WHERE id = new.id), search_grams(new.company));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers
BEGIN
    DELETE FROM customer_grams WHERE rowid = (SELECT n FROM customer_search WHERE id = old.id);
    DELETE FROM customer_search WHERE id = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER customers_search_delete;
DROP TRIGGER customers_search_update;
DROP TRIGGER customers_search_insert;
DROP TABLE customer_grams;
DROP TABLE customer_search;
DROP INDEX customers_owner_due;
DROP INDEX customers_holder_region;
DROP INDEX customers_holder_region2;
DROP INDEX customers_holder_region1;
DROP INDEX customers_holder_source;
DROP INDEX customers_holder_product_line;
DROP INDEX customers_holder_industry;
DROP INDEX customers_holder_category;
DROP INDEX customers_holder;
