-- +goose Up
-- The tenure reports (holding-time, first-follow-up) read tenures by an
-- indexed range of time, never all of them. Migration 00019's indexes
-- lead with dept_path (a department's subtree is its paths, each one
-- seek) or owner_id (a rep); these serve the rest:
-- won in the period, in any scope (won tenures only);
CREATE INDEX tenures_won ON tenures (won_at) WHERE won_at IS NOT NULL;
-- ended or started in the period, for everyone (an admin's whole
-- organisation), where no path or owner leads;
CREATE INDEX tenures_ended_at ON tenures (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX tenures_started_at ON tenures (started_at);
-- customers held now by a department's reps (open tenures only): the
-- longest held without a follow-up. A rep's are few enough on
-- tenures_owner.
CREATE INDEX tenures_open_path ON tenures (dept_path) WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX tenures_open_path;
DROP INDEX tenures_started_at;
DROP INDEX tenures_ended_at;
DROP INDEX tenures_won;
