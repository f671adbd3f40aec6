-- The audit trail by month: audit_reads and audit_writes become range-partitioned on `at`, one
-- partition per calendar month in UTC (audit_reads_2026_01 holds 2026-01-01T00:00Z up to
-- 2026-02-01T00:00Z), so that a month past retention leaves as a whole: archived to a file, then
-- detached and dropped (`python -m credithub audit archive`), never deleted row by row. Rows stay
-- append-only: the row triggers sit on the partitioned table, so every partition has them, and
-- each partition gets its own TRUNCATE trigger (a statement trigger is not inherited).
--
-- A DEFAULT partition takes any row whose month has no partition yet, so an insert never fails.
-- The service creates the coming months ahead (audit_partitions_ensure, from `serve` hourly and
-- at start) and moves rows that reached the DEFAULT partition into partitions of their months.
--
-- Ids, indexes, triggers and every existing row are kept; each table keeps its id sequence. The
-- primary key becomes (id, at), as a partitioned table's key must hold the partition key; ids
-- stay unique because the sequence alone hands them out.

-- The partition of `parent` for the month starting on `month` (a first day).
CREATE FUNCTION audit_partition_name(parent text, month date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT parent || '_' || to_char(month, 'YYYY_MM') $$;

-- Serialises everything that adds, moves or removes partitions of `parent` (until commit).
CREATE FUNCTION audit_partitions_lock(parent text) RETURNS void
LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(hashtext('credithub.audit_partitions'), hashtext(parent)) $$;

-- Refuse TRUNCATE on one partition as on the whole table.
CREATE FUNCTION audit_partition_guard(partition text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change()',
                   partition || '_no_truncate', partition);
END $$;

-- Create the partition of `parent` for the month of `month` unless it exists; true if created.
-- Bounds are written in ISO 8601 with an explicit UTC offset: the session's TimeZone and
-- DateStyle cannot move them.
CREATE FUNCTION audit_partition_create(parent text, month date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    first_day date := date_trunc('month', month)::date;
    partition text := audit_partition_name(parent, first_day);
BEGIN
    IF to_regclass(format('%I', partition)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', partition, parent,
                   to_char(first_day, 'YYYY-MM-DD') || ' 00:00:00+00',
                   to_char(first_day + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
    PERFORM audit_partition_guard(partition);
    RETURN true;
END $$;

-- Create `parent`'s DEFAULT partition.
CREATE FUNCTION audit_partition_create_default(parent text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', parent || '_default', parent);
    PERFORM audit_partition_guard(parent || '_default');
END $$;

-- Copy every row of `source` into `parent`, creating first the partition of each month the rows
-- fall in; rows keep their ids. Returns the rows copied. Columns are matched by name.
CREATE FUNCTION audit_partitions_fill(parent text, source text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    month date;
    columns text;
    copied bigint;
BEGIN
    FOR month IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', at AT TIME ZONE ''UTC'')::date FROM %I', source)
    LOOP
        PERFORM audit_partition_create(parent, month);
    END LOOP;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
    FROM pg_attribute WHERE attrelid = to_regclass(format('%I', parent)) AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I', parent, columns, columns, source);
    GET DIAGNOSTICS copied = ROW_COUNT;
    RETURN copied;
END $$;

-- Move the rows that reached `parent`'s DEFAULT partition into partitions of their months (a new
-- month's partition cannot be created while DEFAULT holds rows of that month). The DEFAULT
-- partition is detached, its rows copied back through the parent, and the old table dropped:
-- no row is deleted. Returns the rows moved.
CREATE FUNCTION audit_partitions_spill(parent text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    fallback text := parent || '_default';
    spill text := parent || '_spill';
    has_rows boolean;
    moved bigint;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT FROM %I)', fallback) INTO has_rows;
    IF NOT has_rows THEN
        RETURN 0;
    END IF;
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, fallback);
    EXECUTE format('ALTER TABLE %I RENAME TO %I', fallback, spill);
    PERFORM audit_partition_create_default(parent);
    moved := audit_partitions_fill(parent, spill);
    EXECUTE format('DROP TABLE %I', spill);
    RETURN moved;
END $$;

-- What the service runs: rows in DEFAULT moved to their months, then the partitions of
-- `months` months from `first_month` on created if missing. `created` counts every partition
-- created, for the months ahead and for the rows moved.
CREATE FUNCTION audit_partitions_ensure(parent text, first_month date, months integer,
                                        OUT created integer, OUT moved bigint)
LANGUAGE plpgsql AS $$
DECLARE
    partitions_before integer;
BEGIN
    PERFORM audit_partitions_lock(parent);
    SELECT count(*) INTO partitions_before FROM pg_inherits WHERE inhparent = to_regclass(format('%I', parent));
    moved := audit_partitions_spill(parent);
    FOR step IN 0 .. months - 1 LOOP
        PERFORM audit_partition_create(parent, (date_trunc('month', first_month) + make_interval(months => step))::date);
    END LOOP;
    SELECT count(*) - partitions_before INTO created
    FROM pg_inherits WHERE inhparent = to_regclass(format('%I', parent));
END $$;

-- Hold the month's partition still (no insert into it) until commit, for its archive.
CREATE FUNCTION audit_partition_freeze(parent text, month date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM audit_partitions_lock(parent);
    EXECUTE format('LOCK TABLE %I IN SHARE MODE', audit_partition_name(parent, month));
END $$;

-- How many rows the month's partition holds.
CREATE FUNCTION audit_partition_rows(parent text, month date) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    counted bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I', audit_partition_name(parent, month)) INTO counted;
    RETURN counted;
END $$;

-- Detach and drop the month's partition: DDL, after its archive was verified.
CREATE FUNCTION audit_partition_drop(parent text, month date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', parent, audit_partition_name(parent, month));
    EXECUTE format('DROP TABLE %I', audit_partition_name(parent, month));
END $$;

-- audit_reads, partitioned.
ALTER TABLE audit_reads RENAME TO audit_reads_unpartitioned;
ALTER INDEX audit_reads_pkey RENAME TO audit_reads_unpartitioned_pkey;
ALTER INDEX audit_reads_subject_idx RENAME TO audit_reads_unpartitioned_subject_idx;
ALTER INDEX audit_reads_client_idx RENAME TO audit_reads_unpartitioned_client_idx;

CREATE TABLE audit_reads (
    id          bigint NOT NULL DEFAULT nextval('audit_reads_id_seq'),
    at          timestamptz NOT NULL,
    client_id   bigint NOT NULL,
    client      text NOT NULL,
    role        text NOT NULL,
    platform    text,
    operation   text NOT NULL,
    subject_id  bigint NOT NULL,
    purpose     text,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE audit_reads_id_seq OWNED BY audit_reads.id;
CREATE INDEX audit_reads_subject_idx ON audit_reads (subject_id, id);
CREATE INDEX audit_reads_client_idx ON audit_reads (client_id, id);
CREATE TRIGGER audit_reads_append_only BEFORE UPDATE OR DELETE ON audit_reads
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_reads_no_truncate BEFORE TRUNCATE ON audit_reads
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- audit_writes, partitioned.
ALTER TABLE audit_writes RENAME TO audit_writes_unpartitioned;
ALTER INDEX audit_writes_pkey RENAME TO audit_writes_unpartitioned_pkey;
ALTER INDEX audit_writes_entity_idx RENAME TO audit_writes_unpartitioned_entity_idx;
ALTER INDEX audit_writes_subject_idx RENAME TO audit_writes_unpartitioned_subject_idx;

CREATE TABLE audit_writes (
    id         bigint NOT NULL DEFAULT nextval('audit_writes_id_seq'),
    at         timestamptz NOT NULL,
    actor      text NOT NULL,
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    subject_id bigint,
    before     jsonb,
    after      jsonb,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE audit_writes_id_seq OWNED BY audit_writes.id;
CREATE INDEX audit_writes_entity_idx ON audit_writes (entity, entity_id, id);
CREATE INDEX audit_writes_subject_idx ON audit_writes (subject_id, id) WHERE subject_id IS NOT NULL;
CREATE TRIGGER audit_writes_append_only BEFORE UPDATE OR DELETE ON audit_writes
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_writes_no_truncate BEFORE TRUNCATE ON audit_writes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();

-- The rows move (a partition per month they fall in), the old tables go (DROP, not DELETE), and
-- this month and the next two get their partitions now; the service keeps creating them ahead.
SELECT audit_partition_create_default('audit_reads'), audit_partition_create_default('audit_writes');
SELECT audit_partitions_fill('audit_reads', 'audit_reads_unpartitioned'),
       audit_partitions_fill('audit_writes', 'audit_writes_unpartitioned');
DROP TABLE audit_reads_unpartitioned, audit_writes_unpartitioned;
SELECT audit_partitions_ensure('audit_reads', (now() AT TIME ZONE 'UTC')::date, 3),
       audit_partitions_ensure('audit_writes', (now() AT TIME ZONE 'UTC')::date, 3);

-- Each sequence goes on past every id it handed out (it only ever moves forward).
SELECT setval('audit_reads_id_seq', max(id)) FROM audit_reads
HAVING max(id) > (SELECT last_value FROM audit_reads_id_seq);
SELECT setval('audit_writes_id_seq', max(id)) FROM audit_writes
HAVING max(id) > (SELECT last_value FROM audit_writes_id_seq);
