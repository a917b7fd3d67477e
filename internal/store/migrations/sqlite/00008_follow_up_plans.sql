-- +goose Up
-- A customer's next follow-up plan (下次跟进): at most one, for the owner it
-- was set for, in the tenure it was set in: event_seq is the customer's
-- event_seq then. A plan whose customer has since changed owner or gone
-- back to a pool, even to come back to the same owner, stays behind
-- unread: every read joins it on the owner and event_seq the customer has
-- now, and the next plan set replaces it.
CREATE TABLE follow_up_plans (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    owner_id    TEXT NOT NULL REFERENCES users (id),
    event_seq   INTEGER NOT NULL,
    day         TEXT NOT NULL, -- YYYY-MM-DD in the organisation's time zone
    note        TEXT NOT NULL DEFAULT '',
    set_by      TEXT NOT NULL REFERENCES users (id),
    set_at      BIGINT NOT NULL,
    -- remind_at is the start of the day, when the owner is reminded;
    -- NULL once the reminder is sent.
    remind_at   BIGINT
);
-- A rep's plans of a day (the home page).
CREATE INDEX follow_up_plans_owner_day ON follow_up_plans (owner_id, day);
-- The sweep reads only plans whose reminder is due, from the index alone.
CREATE INDEX follow_up_plans_due ON follow_up_plans (remind_at, customer_id, owner_id) WHERE remind_at IS NOT NULL;

-- Customers given to a rep since a time (the home page: assigned to me
-- today).
CREATE INDEX events_received ON ownership_events (to_owner_id, at) WHERE kind IN ('assigned', 'transferred');

-- +goose Down
DROP INDEX events_received;
DROP TABLE follow_up_plans;
