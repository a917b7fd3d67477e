-- +goose Up
-- The pool flow report's drill-down finds the moves into and out of a
-- pool by kind over a range of days.
CREATE INDEX events_into_pool ON ownership_events (to_pool_id, kind, at);
CREATE INDEX events_out_of_pool ON ownership_events (from_pool_id, kind, at);
-- Its turnover counts the customers whose tenure in a pool started or
-- ended in the period, whatever the scope: by pool and time.
CREATE INDEX tenures_pool_started ON tenures (pool_id, started_at);
CREATE INDEX tenures_pool_ended ON tenures (pool_id, ended_at) WHERE ended_at IS NOT NULL;

-- The weekly digest each manager gets on Monday morning: written once per
-- manager and week (the key decides which sweeper writes it, on any
-- number of nodes), offered to the organisation's webhook from next_at
-- on until sent or WebhookMaxAttempts tries, and kept to be read back.
-- body is the message's markdown: counts and rep names, no customer.
CREATE TABLE digests (
    manager_id TEXT NOT NULL REFERENCES users (id),
    week       TEXT NOT NULL, -- the week's Monday, YYYY-MM-DD in the organisation's zone
    created_at BIGINT NOT NULL,
    body       TEXT NOT NULL,
    next_at    BIGINT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    sent_at    BIGINT,
    PRIMARY KEY (manager_id, week)
);
CREATE INDEX digests_webhook ON digests (next_at) WHERE next_at IS NOT NULL;

-- +goose Down
DROP TABLE digests;
DROP INDEX tenures_pool_ended;
DROP INDEX tenures_pool_started;
DROP INDEX events_out_of_pool;
DROP INDEX events_into_pool;
