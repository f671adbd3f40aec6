-- The audit trail's month partitions (migrations/0027 defines the functions they call).

-- ensure --
-- Move rows out of the DEFAULT partition into their months, and create the partitions of the
-- coming months: $1 table, $2 first month, $3 how many months.
SELECT created, moved FROM audit_partitions_ensure($1::text, $2::date, $3::integer);

-- list_partitions --
-- The partitions of a table, by name.
SELECT c.relname AS partition
FROM pg_inherits AS i
JOIN pg_class AS c ON c.oid = i.inhrelid
WHERE i.inhparent = to_regclass(format('%I', $1::text))
ORDER BY c.relname;

-- limit_waits --
-- For this transaction: wait at most $1 for a lock (others queue behind a waiting DDL lock), and
-- let statements and idle gaps run as long as a month's archive takes.
SELECT set_config('lock_timeout', $1::text, true),
       set_config('statement_timeout', '0', true),
       set_config('idle_in_transaction_session_timeout', '0', true);

-- freeze --
-- Hold a month's partition still until commit (no insert into it): $1 table, $2 month.
SELECT audit_partition_freeze($1::text, $2::date);

-- count_rows --
-- How many rows a month's partition holds: $1 table, $2 month.
SELECT audit_partition_rows($1::text, $2::date);

-- drop --
-- Detach and drop a month's partition: $1 table, $2 month.
SELECT audit_partition_drop($1::text, $2::date);
