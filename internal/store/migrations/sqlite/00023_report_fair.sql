-- +goose Up
-- Time ranges for the fairness, RFM and sales-growth reports, whatever
-- the scope: assignments and claims by when their tenure started, relays
-- by when the first owner let go, orders by their day. A department's
-- report narrows these ranges by path; everyone's reads them alone.
CREATE INDEX tenures_started_at ON tenures (started_at);
CREATE INDEX tenures_ended_at ON tenures (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX orders_ordered ON orders (ordered_at);

-- +goose Down
DROP INDEX orders_ordered;
DROP INDEX tenures_ended_at;
DROP INDEX tenures_started_at;
