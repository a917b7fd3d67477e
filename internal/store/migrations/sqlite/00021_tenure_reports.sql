-- +goose Up
-- The tenure reports (holding-time, first-follow-up) read tenures by an
-- indexed range of time, never all of them. Migration 00019's indexes
-- lead with dept_path (a department's subtree is its paths, each one
-- seek) or owner_id (a rep); 00023 adds started_at and ended_at alone for
-- everyone's. These serve the rest:
-- won in the period, in any scope (won tenures only);
CREATE INDEX tenures_won ON tenures (won_at) WHERE won_at IS NOT NULL;
-- customers held now by a department's reps (open tenures only): the
-- longest held without a follow-up. A rep's are few enough on
-- tenures_owner.
CREATE INDEX tenures_open_path ON tenures (dept_path) WHERE ended_at IS NULL;

-- +goose Down
DROP INDEX tenures_open_path;
DROP INDEX tenures_won;
