-- +goose Up
-- The channel-conversion report reads the records first touched in a
-- period: a range of first_touch_at (only channel leads have one).
CREATE INDEX customers_first_touch ON customers (first_touch_at) WHERE first_touch_at IS NOT NULL;
-- The conflict-rate report reads a period's conflicts (their resolutions,
-- by department), a rep's own, and the customers created in a month by a
-- department's or a rep's hand (the drill-down of new customers).
CREATE INDEX conflicts_at ON conflicts (at);
CREATE INDEX conflicts_actor ON conflicts (actor_id, at) WHERE actor_id IS NOT NULL;
CREATE INDEX events_created ON ownership_events (at, actor_id) WHERE kind = 'created';

-- +goose Down
DROP INDEX events_created;
DROP INDEX conflicts_actor;
DROP INDEX conflicts_at;
DROP INDEX customers_first_touch;
