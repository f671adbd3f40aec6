-- The record of applied migrations (credithub/db/migrate.py).

-- lock --
-- Serialise migrating processes: $1 the advisory lock key. Session-level, released by unlock.
SELECT pg_advisory_lock($1);

-- unlock --
-- Release the advisory lock taken by lock: $1 the key.
SELECT pg_advisory_unlock($1);

-- create_table --
-- The table itself, created by the first migrating process.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- list_applied --
-- Versions and checksums already applied.
SELECT version, checksum FROM schema_migrations ORDER BY version;

-- insert_applied --
-- Record one applied migration: $1 version, $2 name, $3 checksum (SHA-256 hex of the file).
INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3);
