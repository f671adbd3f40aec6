-- Authority decisions recorded in bulk (import authority, recordAuthorityDecision).

-- lock_importers --
-- Serialise recorders of authority decisions for the transaction: two imports of overlapping
-- files then never race to create the same (authority, decision number).
SELECT pg_advisory_xact_lock(7526150361247318016);

-- use_custom_plans --
-- Plan this transaction's statements for their arrays and the tables as they are now. The pool's
-- generic plans suit key lookups; a generic plan made while credit_records was nearly empty
-- joins a 5,000-key batch by scanning the table once per key (seconds, then minutes).
SET LOCAL plan_cache_mode = force_custom_plan;

-- ensure_organisations --
-- The subjects with these credit codes, registering the missing ones as merchants: $1 credit
-- codes, $2 names (pairwise; the first name given for a code is used).
WITH wanted AS (
    SELECT DISTINCT ON (code) code, name FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t (code, name, n)
    ORDER BY code, n
), added AS (
    INSERT INTO subjects (kind, name, credit_code)
    SELECT 'MERCHANT', name, code FROM wanted ORDER BY code
    ON CONFLICT (credit_code) DO NOTHING
    RETURNING id, credit_code
)
SELECT id, credit_code FROM added
UNION ALL
SELECT s.id, s.credit_code FROM subjects s JOIN wanted w ON w.code = s.credit_code;

-- find_people --
-- Anchors by person hash (unknown hashes are absent, and never stored): $1 hashes.
SELECT s.id, p.id_hash FROM persons p JOIN subjects s ON s.person_id = p.id WHERE p.id_hash = ANY($1::bytea[]);

-- lock_existing --
-- The records already kept for these decisions, locked for the change that follows:
-- $1 authorities, $2 decision numbers (pairwise).
SELECT r.id, r.subject_id, r.source_authority, r.source_ref, r.source_digest, r.version, r.status, r.category,
       r.severity, r.occurred_at, r.decided_at, r.valid_until, r.description, r.legal_basis, r.legal_basis_ref
FROM unnest($1::text[], $2::text[]) AS k (authority, ref)
JOIN credit_records r ON r.source_type = 'AUTHORITY' AND r.source_authority = k.authority AND r.source_ref = k.ref
ORDER BY r.id
FOR UPDATE OF r;

-- insert_many --
-- New records with their first status change and audit row: $1 subject ids, $2 authorities,
-- $3 decision numbers, $4 categories, $5 severities, $6 occurred at, $7 decided at, $8 publicity
-- until, $9 descriptions, $10 legal bases, $11 their references, $12 digests (pairwise), $13 at,
-- $14 actor.
WITH added AS (
    INSERT INTO credit_records (subject_id, source_type, source_authority, source_ref, category, severity,
                                occurred_at, reported_at, decided_at, valid_until, description, legal_basis,
                                legal_basis_ref, source_digest)
    SELECT subject_id, 'AUTHORITY', authority, ref, category, severity, occurred, $13, decided, until, description,
           basis, basis_ref, digest
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::bytea[])
         AS t (subject_id, authority, ref, category, severity, occurred, decided, until, description, basis,
               basis_ref, digest)
    RETURNING id, subject_id, source_authority, source_ref, category, severity, occurred_at, decided_at, valid_until,
              description, legal_basis, legal_basis_ref
), history AS (
    INSERT INTO record_status_changes (record_id, from_status, to_status, actor, reason, at)
    SELECT id, NULL, 'ACTIVE', $14, 'published by ' || source_authority, $13 FROM added
), audited AS (
    INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)
    SELECT $13, $14, 'publish', 'record', id::text, subject_id, NULL, to_jsonb(added) FROM added
)
SELECT id, source_authority, source_ref FROM added;

-- update_many --
-- A changed re-publication: the old fields become a version, the record takes the new ones and
-- its audit row: $1 record ids, $2 categories, $3 severities, $4 occurred at, $5 decided at,
-- $6 publicity until, $7 descriptions, $8 legal bases, $9 their references, $10 digests
-- (pairwise), $11 at, $12 actor.
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                         $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::bytea[])
                  AS t (id, category, severity, occurred, decided, until, description, basis, basis_ref, digest)
), old AS (
    SELECT r.id, r.subject_id, r.version,
           jsonb_build_object('category', r.category, 'severity', r.severity, 'occurred_at', r.occurred_at,
                              'decided_at', r.decided_at, 'valid_until', r.valid_until,
                              'description', r.description, 'legal_basis', r.legal_basis,
                              'legal_basis_ref', r.legal_basis_ref) AS fields
    FROM credit_records r JOIN input USING (id)
), kept AS (
    INSERT INTO credit_record_versions (record_id, version, replaced_at, replaced_by, fields)
    SELECT id, version, $11, $12, fields FROM old
), changed AS (
    UPDATE credit_records r
    SET category = i.category, severity = i.severity, occurred_at = i.occurred, decided_at = i.decided,
        valid_until = i.until, description = i.description, legal_basis = i.basis, legal_basis_ref = i.basis_ref,
        source_digest = i.digest, version = r.version + 1
    FROM input i WHERE r.id = i.id
    RETURNING r.id, r.version
)
INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)
SELECT $11, $12, 'republish', 'record', old.id::text, old.subject_id, old.fields,
       jsonb_build_object('category', i.category, 'severity', i.severity, 'occurred_at', i.occurred,
                          'decided_at', i.decided, 'valid_until', i.until, 'description', i.description,
                          'legal_basis', i.basis, 'legal_basis_ref', i.basis_ref, 'version', changed.version)
FROM old JOIN input i USING (id) JOIN changed USING (id);

-- list_versions_for_records --
-- Earlier versions of the given records, oldest first: $1 record ids.
SELECT record_id, version, replaced_at, replaced_by, fields FROM credit_record_versions
WHERE record_id = ANY($1::bigint[])
ORDER BY record_id, version;
