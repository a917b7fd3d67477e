-- +goose Up
-- Conflicts (撞单): every refused duplicate, every import row that matched
-- and every similar company created anyway. No personal data: the attempt
-- is named by company and the field that matched.
CREATE TABLE conflicts (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('refused', 'similar', 'import')),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'given', 'merged', 'dismissed')),
    at               BIGINT NOT NULL,
    actor_id         TEXT REFERENCES users (id),
    department_id    TEXT REFERENCES departments (id),
    field            TEXT NOT NULL,
    company          TEXT NOT NULL DEFAULT '',
    matched_id       TEXT NOT NULL REFERENCES customers (id),
    matched_owner_id TEXT REFERENCES users (id),
    new_id           TEXT REFERENCES customers (id),
    import_id        TEXT,
    row_number       INTEGER NOT NULL DEFAULT 0,
    resolved_by      TEXT REFERENCES users (id),
    resolved_at      BIGINT,
    note             TEXT NOT NULL DEFAULT ''
);
-- The open conflicts, newest first; and a customer's conflicts.
CREATE INDEX conflicts_status ON conflicts (status, at);
CREATE INDEX conflicts_matched ON conflicts (matched_id);
CREATE INDEX conflicts_new ON conflicts (new_id) WHERE new_id IS NOT NULL;

-- The conflict rate is conflicts per 100 new customers, per department and
-- month (in the organisation's zone): both counted here in the
-- transaction that creates the customer or records the conflict, by the
-- actor's department then ('' for none).
CREATE TABLE department_months (
    department_id TEXT NOT NULL,
    month         TEXT NOT NULL, -- YYYY-MM
    created       INTEGER NOT NULL DEFAULT 0,
    conflicts     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (department_id, month)
);

-- +goose Down
DROP TABLE department_months;
DROP TABLE conflicts;
