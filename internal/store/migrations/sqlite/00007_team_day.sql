-- +goose Up
-- A team's day lists the follow-ups its users logged today: by user, then
-- by time, so that a manager's morning reads a few ranges, not the table.
CREATE INDEX followups_user_at ON followups (user_id, at);

-- +goose Down
DROP INDEX followups_user_at;
