-- +goose Up
-- The recycles report reads the tenures ended by a recycle or a release in
-- a period across the whole organisation: by end kind and end time, so it
-- reads those rows alone, whatever the departments.
CREATE INDEX tenures_end_kind ON tenures (end_kind, ended_at) WHERE ended_at IS NOT NULL;

-- +goose Down
DROP INDEX tenures_end_kind;
