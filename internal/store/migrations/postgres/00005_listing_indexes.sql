-- +goose Up
-- Every listing and search reads through an index (listing.go, search.go).

-- A customer's holder is its owner ("u:" and the user's id), or its pool
-- while it has none ("p:" and the pool's id): one index per filter then
-- serves a pool's listing and a private pool's alike, newest first,
-- whatever share of the rows the filter keeps.
CREATE INDEX customers_holder ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)), id);
CREATE INDEX customers_holder_category ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)), category, id);
CREATE INDEX customers_holder_industry ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)), industry, id);
CREATE INDEX customers_holder_product_line ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)), product_line, id);
CREATE INDEX customers_holder_source ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)), source, id);
-- A region filter takes a place and everything below it ("广东省" takes
-- "广东省/深圳市/南山区"): a province or a city matches the first one or
-- two parts of the path exactly, so it reads newest first too; a deeper
-- place reads its range, in bytes ("C"), and is sorted, a few rows.
CREATE INDEX customers_holder_region1 ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)),
    (substr(region, 1, strpos(region || '/', '/') - 1)), id);
CREATE INDEX customers_holder_region2 ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)),
    (substr(region, 1, strpos(region || '/', '/') + strpos(substr(region || '//', strpos(region || '/', '/') + 1), '/') - 1)), id);
CREATE INDEX customers_holder_region ON customers ((COALESCE('u:' || owner_id, 'p:' || pool_id)), (region COLLATE "C"), id);
-- A private pool, the nearest recycle deadline first; none last.
CREATE INDEX customers_owner_due ON customers (owner_id, (COALESCE(recycle_at, 9223372036854775807)), id)
    WHERE owner_id IS NOT NULL;

-- Company names are searched in part, through a GIN index of every one-
-- and two-character piece of each name. pg_trgm would not do: in a
-- database whose LC_CTYPE is C it makes no trigrams of Chinese at all,
-- and it cannot serve a search shorter than three characters. The names
-- are copied to a table of their own, so that the writes that leave the
-- company alone, a claim among them, do not touch the index.
-- +goose StatementBegin
CREATE FUNCTION search_grams(company text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT DISTINCT substr(company, i, n)
        FROM generate_series(1, 2) AS n, generate_series(1, length(company) - n + 1) AS i)
$$;
-- +goose StatementEnd
CREATE TABLE customer_search (
    id      TEXT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    company TEXT NOT NULL
);
INSERT INTO customer_search (id, company) SELECT id, company FROM customers;
CREATE INDEX customer_search_grams ON customer_search USING gin (search_grams(company));
ANALYZE customer_search;

-- +goose StatementBegin
CREATE FUNCTION customers_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_search (id, company) VALUES (NEW.id, NEW.company)
        ON CONFLICT (id) DO UPDATE SET company = EXCLUDED.company;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers
    FOR EACH ROW EXECUTE FUNCTION customers_search_sync();
CREATE TRIGGER customers_search_update AFTER UPDATE OF company ON customers
    FOR EACH ROW WHEN (OLD.company IS DISTINCT FROM NEW.company) EXECUTE FUNCTION customers_search_sync();
ANALYZE customers;

-- +goose Down
DROP TRIGGER customers_search_update ON customers;
DROP TRIGGER customers_search_insert ON customers;
DROP FUNCTION customers_search_sync;
DROP TABLE customer_search;
DROP FUNCTION search_grams;
DROP INDEX customers_owner_due;
DROP INDEX customers_holder_region;
DROP INDEX customers_holder_region2;
DROP INDEX customers_holder_region1;
DROP INDEX customers_holder_source;
DROP INDEX customers_holder_product_line;
DROP INDEX customers_holder_industry;
DROP INDEX customers_holder_category;
DROP INDEX customers_holder;
