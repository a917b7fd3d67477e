-- +goose Up
-- Import jobs (导入): the uploaded file is kept in the database, so that
-- any node, or one restarted, may run the job. A runner leases a job with
-- a conditional write (lease_node, lease_until): a dead node's lease
-- expires and the next runner resumes at the cursor, done, which each
-- batch advances in the transaction that writes its rows.
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    actor_id    TEXT NOT NULL REFERENCES users (id),
    file_name   TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    file_size   BIGINT NOT NULL,
    format      TEXT NOT NULL,
    encoding    TEXT NOT NULL DEFAULT '',
    header      TEXT NOT NULL,  -- JSON array
    options     TEXT NOT NULL,  -- JSON: pool, owner, policy, mapping, encoding
    status      TEXT NOT NULL CHECK (status IN ('dry_run', 'dry_run_done', 'queued', 'running', 'done', 'cancelled', 'failed')),
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    n_created   INTEGER NOT NULL DEFAULT 0,
    n_updated   INTEGER NOT NULL DEFAULT 0,
    n_skipped   INTEGER NOT NULL DEFAULT 0,
    n_conflicts INTEGER NOT NULL DEFAULT 0,
    n_errors    INTEGER NOT NULL DEFAULT 0,
    dry_counts  TEXT NOT NULL DEFAULT '', -- JSON: the dry run's counts
    failure     TEXT NOT NULL DEFAULT '',
    lease_node  TEXT,
    lease_until BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    finished_at BIGINT,
    expires_at  BIGINT NOT NULL
);
-- A user's recent imports; the jobs waiting for a runner; the sweep's.
CREATE INDEX imports_actor ON imports (actor_id, created_at);
CREATE INDEX imports_waiting ON imports (status) WHERE status IN ('queued', 'running');
CREATE INDEX imports_expires ON imports (expires_at);

-- The file, apart: listings never read it.
CREATE TABLE import_files (
    import_id TEXT PRIMARY KEY REFERENCES imports (id) ON DELETE CASCADE,
    data      BLOB NOT NULL
);

-- Row verdicts: every row of a dry run (phase 'dry'), and the refused
-- rows of the real run (phase 'run'), which the error file lists.
CREATE TABLE import_rows (
    import_id   TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    phase       TEXT NOT NULL CHECK (phase IN ('dry', 'run')),
    row_number  INTEGER NOT NULL,
    verdict     TEXT NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    matched_id  TEXT,
    in_file_row INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (import_id, phase, row_number)
);

-- The header mapping a user chose, per header (signature: a hash of the
-- header's texts), offered again for the next file with that header.
CREATE TABLE import_mappings (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    signature  TEXT NOT NULL,
    mapping    TEXT NOT NULL, -- JSON: field → column
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, signature)
);

-- +goose Down
DROP TABLE import_mappings;
DROP TABLE import_rows;
DROP TABLE import_files;
DROP TABLE imports;
