-- +goose Up
-- Exporting lists with contacts in full is a permission of its own, which
-- only admins hold (gonghai.CanExportUnmasked).
ALTER TABLE users ADD COLUMN export_unmasked BOOLEAN NOT NULL DEFAULT FALSE;

-- Rows each user may export to files per day.
ALTER TABLE organisation ADD COLUMN export_daily_quota INTEGER NOT NULL DEFAULT 2000 CHECK (export_daily_quota >= 0);

-- Rows exported per user and day: one guarded upsert counts an export
-- whole, or refuses it and counts nothing.
CREATE TABLE export_counts (
    user_id TEXT NOT NULL REFERENCES users (id),
    day     TEXT NOT NULL, -- YYYY-MM-DD in the organisation's time zone
    n       INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (user_id, day)
);

-- +goose Down
DROP TABLE export_counts;
ALTER TABLE organisation DROP COLUMN export_daily_quota;
ALTER TABLE users DROP COLUMN export_unmasked;
