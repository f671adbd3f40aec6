-- The append-only audit trail.

-- insert_reads --
-- Record reads of credit information, one row per position of the arrays: $1 at, $2 client ids,
-- $3 client names, $4 roles, $5 platforms, $6 operations, $7 subject ids, $8 purposes stated.
-- The rows of several requests go in one statement (services.audit).
INSERT INTO audit_reads (at, client_id, client, role, platform, operation, subject_id, purpose)
SELECT *
FROM unnest($1::timestamptz[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[]);

-- insert_write --
-- Record a write: $1 at, $2 actor, $3 action, $4 entity, $5 entity id, $6 subject id, $7 before, $8 after.
INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- list_reads --
-- Reads, newest first: $1 client id, $2 subject id, $3 operation, $4 from, $5 before (time),
-- $6 before id, $7 limit. The window is written with coalesce, not `$4 IS NULL OR`, so that the
-- pool's generic plans still skip the months outside it when they run (one partition a month).
SELECT * FROM audit_reads
WHERE ($1::bigint IS NULL OR client_id = $1) AND ($2::bigint IS NULL OR subject_id = $2)
  AND ($3::text IS NULL OR operation = $3) AND at >= coalesce($4::timestamptz, '-infinity')
  AND at < coalesce($5::timestamptz, 'infinity') AND ($6::bigint IS NULL OR id < $6)
ORDER BY id DESC
LIMIT $7;

-- count_reads --
-- How many reads match list_reads' filters: $1 client id, $2 subject id, $3 operation, $4 from, $5 before.
SELECT count(*) FROM audit_reads
WHERE ($1::bigint IS NULL OR client_id = $1) AND ($2::bigint IS NULL OR subject_id = $2)
  AND ($3::text IS NULL OR operation = $3) AND at >= coalesce($4::timestamptz, '-infinity')
  AND at < coalesce($5::timestamptz, 'infinity');

-- list_writes --
-- Writes, newest first: $1 actor, $2 entity, $3 subject id, $4 from, $5 before (time), $6 before id, $7 limit.
SELECT * FROM audit_writes
WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR entity = $2)
  AND ($3::bigint IS NULL OR subject_id = $3) AND at >= coalesce($4::timestamptz, '-infinity')
  AND at < coalesce($5::timestamptz, 'infinity') AND ($6::bigint IS NULL OR id < $6)
ORDER BY id DESC
LIMIT $7;

-- count_writes --
-- How many writes match list_writes' filters: $1 actor, $2 entity, $3 subject id, $4 from, $5 before.
SELECT count(*) FROM audit_writes
WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR entity = $2)
  AND ($3::bigint IS NULL OR subject_id = $3) AND at >= coalesce($4::timestamptz, '-infinity')
  AND at < coalesce($5::timestamptz, 'infinity');

-- insert_writes --
-- Record writes at $1 (one statement for a batch): $2 actors, $3 actions, $4 entities, $5 entity
-- ids, $6 subject ids, $7 befores, $8 afters (pairwise).
INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)
SELECT $1, actor, action, entity, entity_id, subject_id, before, after
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::jsonb[], $8::jsonb[])
    AS w (actor, action, entity, entity_id, subject_id, before, after);
