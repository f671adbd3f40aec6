-- Write-ahead log positions, for sending reads to a streaming replica only when it is recent enough.

-- primary_position --
-- The primary's current WAL position as a number: every transaction committed so far lies at or below it.
SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint;

-- replayed_position --
-- The position a standby has replayed (a server that is not one: its current position) as a number.
SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END
        - '0/0'::pg_lsn)::bigint;
