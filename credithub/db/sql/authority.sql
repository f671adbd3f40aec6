-- Authority decisions recorded in bulk (import authority, recordAuthorityDecision).
--
-- A batch is copied into a temporary table first (binary COPY: array parameters had asyncpg check
-- every element on the client, the largest part of recording a batch in Python), and every step
-- reads it there: `authority_batch` holds the batch of the connection's current transaction, one
-- row per decision, `n` its position in the batch. Lookups run first (plan_lookups), then the
-- writes (plan_writes).

-- lock_importers --
-- Serialise recorders of authority decisions for the transaction: two imports of overlapping
-- files then never race to create the same (authority, decision number).
SELECT pg_advisory_xact_lock(7526150361247318016);

-- plan_lookups --
-- Plan the lookups of the batch for the batch and the tables as they are now. The pool's generic
-- plans suit key lookups; a generic plan made while credit_records was nearly empty joins a
-- 5,000-key batch by scanning the table once per key (seconds, then minutes).
SET LOCAL plan_cache_mode = force_custom_plan;

-- plan_writes --
-- Writes go back to generic plans: every row they write fires foreign-key checks, whose cached
-- query PostgreSQL plans anew for each row under force_custom_plan (~20 µs a check, three or
-- four checks a decision). The writes' own statements read the staging table by its key and
-- keyed arrays, whatever the sizes.
SET LOCAL plan_cache_mode = force_generic_plan;

-- create_batch_table --
-- The connection's staging table, emptied at every commit (and by a rollback). Kept across
-- transactions of a pooled connection, so its statements stay prepared.
CREATE TEMP TABLE IF NOT EXISTS authority_batch (
    n             integer PRIMARY KEY,
    authority     text NOT NULL,
    ref           text NOT NULL,
    subject_name  text NOT NULL,
    credit_code   text,
    person_hash   bytea,
    category      text NOT NULL,
    severity      text,
    occurred      timestamptz NOT NULL,
    decided       timestamptz NOT NULL,
    until         timestamptz,
    description   text,
    basis         text NOT NULL,
    basis_ref     text,
    digest        bytea NOT NULL
) ON COMMIT DELETE ROWS;

-- clear_batch --
-- Empty the staging table: a connection records one batch per transaction, this makes sure.
DELETE FROM authority_batch;

-- find_existing --
-- The records already kept for the batch's decisions, by position in the batch, and whether the
-- source says the same as when it was recorded. Read without a lock: only recorders of authority
-- decisions change a record's subject or digest, and they are serialised (lock_importers); the
-- records a batch may change are then locked by lock_records. Locking every record of a
-- re-imported file wrote a lock into each of its rows.
-- One index probe per decision (LIMIT 1 keeps the lateral subquery from becoming a join that the
-- planner, with statistics taken while the table was smaller, hashes every authority record for).
SELECT b.n, r.id, r.subject_id, r.status, r.source_digest IS NOT DISTINCT FROM b.digest AS same
FROM authority_batch b
CROSS JOIN LATERAL (
    SELECT id, subject_id, status, source_digest FROM credit_records
    WHERE source_type = 'AUTHORITY' AND source_authority = b.authority AND source_ref = b.ref
    LIMIT 1
) r;

-- lock_records --
-- Lock the records a batch may change, in id order: $1 record ids.
SELECT id FROM credit_records WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE;

-- find_organisations --
-- The subjects with the batch's credit codes, rows at positions $1 left out.
SELECT DISTINCT s.id, s.credit_code
FROM authority_batch b JOIN subjects s ON s.credit_code = b.credit_code
WHERE b.n <> ALL ($1::integer[]);

-- register_organisations --
-- Register merchants from the batch's rows at positions $1, by their credit code and name. A
-- code registered meanwhile by another session is skipped (and absent from what is returned).
INSERT INTO subjects (kind, name, credit_code)
SELECT 'MERCHANT', b.subject_name, b.credit_code
FROM unnest($1::integer[]) AS t (n) JOIN authority_batch b USING (n)
ORDER BY b.credit_code
ON CONFLICT (credit_code) DO NOTHING
RETURNING id, credit_code;

-- find_people --
-- Anchors by the person hashes of the batch, rows at positions $1 left out (unknown hashes are
-- absent, and never stored).
SELECT DISTINCT s.id, p.id_hash
FROM authority_batch b JOIN persons p ON p.id_hash = b.person_hash JOIN subjects s ON s.person_id = p.id
WHERE b.n <> ALL ($1::integer[]);

-- insert_many --
-- New records with their first status change and audit row: $1 positions in the batch, $2 their
-- subject ids (pairwise), $3 at, $4 actor.
WITH added AS (
    INSERT INTO credit_records (subject_id, source_type, source_authority, source_ref, category, severity,
                                occurred_at, reported_at, decided_at, valid_until, description, legal_basis,
                                legal_basis_ref, source_digest)
    SELECT t.subject_id, 'AUTHORITY', b.authority, b.ref, b.category, b.severity, b.occurred, $3, b.decided, b.until,
           b.description, b.basis, b.basis_ref, b.digest
    FROM unnest($1::integer[], $2::bigint[]) AS t (n, subject_id) JOIN authority_batch b USING (n)
    ORDER BY t.n
    RETURNING id, subject_id, source_authority, source_ref, category, severity, occurred_at, decided_at, valid_until,
              description, legal_basis, legal_basis_ref
), history AS (
    INSERT INTO record_status_changes (record_id, from_status, to_status, actor, reason, at)
    SELECT id, NULL, 'ACTIVE', $4, 'published by ' || source_authority, $3 FROM added
), audited AS (
    INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)
    SELECT $3, $4, 'publish', 'record', id::text, subject_id, NULL, to_jsonb(added) FROM added
)
SELECT id, source_authority, source_ref FROM added;

-- update_many --
-- A changed re-publication: the old fields become a version, the record takes the new ones and
-- its audit row: $1 positions in the batch, $2 the records they change (pairwise), $3 at, $4 actor.
WITH input AS (
    SELECT t.id, b.category, b.severity, b.occurred, b.decided, b.until, b.description, b.basis, b.basis_ref, b.digest
    FROM unnest($1::integer[], $2::bigint[]) AS t (n, id) JOIN authority_batch b USING (n)
), old AS (
    SELECT r.id, r.subject_id, r.version,
           jsonb_build_object('category', r.category, 'severity', r.severity, 'occurred_at', r.occurred_at,
                              'decided_at', r.decided_at, 'valid_until', r.valid_until,
                              'description', r.description, 'legal_basis', r.legal_basis,
                              'legal_basis_ref', r.legal_basis_ref) AS fields
    FROM credit_records r JOIN input USING (id)
), kept AS (
    INSERT INTO credit_record_versions (record_id, version, replaced_at, replaced_by, fields)
    SELECT id, version, $3, $4, fields FROM old
), changed AS (
    UPDATE credit_records r
    SET category = i.category, severity = i.severity, occurred_at = i.occurred, decided_at = i.decided,
        valid_until = i.until, description = i.description, legal_basis = i.basis, legal_basis_ref = i.basis_ref,
        source_digest = i.digest, version = r.version + 1
    FROM input i WHERE r.id = i.id
    RETURNING r.id, r.version
)
INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)
SELECT $3, $4, 'republish', 'record', old.id::text, old.subject_id, old.fields,
       jsonb_build_object('category', i.category, 'severity', i.severity, 'occurred_at', i.occurred,
                          'decided_at', i.decided, 'valid_until', i.until, 'description', i.description,
                          'legal_basis', i.basis, 'legal_basis_ref', i.basis_ref, 'version', changed.version)
FROM old JOIN input i USING (id) JOIN changed USING (id);

-- list_versions_for_records --
-- Earlier versions of the given records, oldest first: $1 record ids.
SELECT record_id, version, replaced_at, replaced_by, fields FROM credit_record_versions
WHERE record_id = ANY($1::bigint[])
ORDER BY record_id, version;
