-- Credit records and their status history.

-- list_page_for_subjects --
-- One page of records per subject, newest occurrence first: $1 subject ids, $2 limit per subject,
-- $3 cursor occurred_at, $4 cursor id, $5 categories, $6 severities, $7 statuses,
-- $8 source platform, $9 occurred from, $10 occurred before; the viewer's scope
-- (domain.visibility.RecordScope, see record_visibility): $11 include repaired records, $12 sees
-- all, $13 own platform, $14 own subject, $15 published severities, $16 their maximum publicity
-- months (pairwise), $17 the instant. Only records the viewer is shown; the source of a redacted
-- record is not shown, so it cannot be filtered on either.
SELECT r.*
FROM unnest($1::bigint[]) AS s (id)
CROSS JOIN LATERAL (
    SELECT id, subject_id, source_type, source_platform, source_authority, source_ref, category, severity,
           occurred_at, reported_at, description, legal_basis, legal_basis_ref, status, valid_until,
           decided_at, version
    FROM credit_records
    CROSS JOIN LATERAL (
        SELECT record_visibility(subject_id, status, source_platform, severity,
                                 record_counts_from(occurred_at, decided_at), valid_until,
                                 $11::boolean, $12::boolean, $13::text, $14::bigint, $15::text[], $16::int[],
                                 $17::timestamptz) AS shown
    ) AS v
    WHERE subject_id = s.id
      AND ($3::timestamptz IS NULL OR (occurred_at, id) < ($3, $4::bigint))
      AND ($5::text[] IS NULL OR category = ANY($5))
      AND ($6::text[] IS NULL OR severity = ANY($6))
      AND ($7::text[] IS NULL OR status = ANY($7))
      AND ($8::text IS NULL OR (source_platform = $8 AND v.shown = 'FULL'))
      AND ($9::timestamptz IS NULL OR occurred_at >= $9)
      AND ($10::timestamptz IS NULL OR occurred_at < $10)
      AND v.shown <> 'HIDDEN'
    ORDER BY occurred_at DESC, id DESC
    LIMIT $2
) r;

-- count_for_subjects --
-- How many records match per subject; same filters and scope as list_page_for_subjects
-- ($2-$14 = its $5-$17).
SELECT subject_id, count(*) AS total
FROM credit_records
CROSS JOIN LATERAL (
    SELECT record_visibility(subject_id, status, source_platform, severity,
                             record_counts_from(occurred_at, decided_at), valid_until,
                             $8::boolean, $9::boolean, $10::text, $11::bigint, $12::text[], $13::int[],
                             $14::timestamptz) AS shown
) AS v
WHERE subject_id = ANY($1::bigint[])
  AND ($2::text[] IS NULL OR category = ANY($2))
  AND ($3::text[] IS NULL OR severity = ANY($3))
  AND ($4::text[] IS NULL OR status = ANY($4))
  AND ($5::text IS NULL OR (source_platform = $5 AND v.shown = 'FULL'))
  AND ($6::timestamptz IS NULL OR occurred_at >= $6)
  AND ($7::timestamptz IS NULL OR occurred_at < $7)
  AND v.shown <> 'HIDDEN'
GROUP BY subject_id;

-- list_status_changes_for_records --
-- The status history of the given records, oldest first.
SELECT record_id, from_status, to_status, actor, reason, at
FROM record_status_changes
WHERE record_id = ANY($1::bigint[])
ORDER BY record_id, at, id;

-- insert --
-- Add a record: $1 subject id, $2 source type, $3 source platform, $4 source authority, $5 source ref,
-- $6 account id, $7 category, $8 severity, $9 occurred at, $10 reported at, $11 description,
-- $12 legal basis, $13 legal basis reference, $14 valid until, $15 digest of the report (or null),
-- $16 decided at.
INSERT INTO credit_records (subject_id, source_type, source_platform, source_authority, source_ref, account_id,
                            category, severity, occurred_at, reported_at, description, legal_basis,
                            legal_basis_ref, valid_until, report_digest, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
RETURNING id, subject_id, source_type, source_platform, source_authority, source_ref, category, severity,
          occurred_at, reported_at, description, legal_basis, legal_basis_ref, status, valid_until,
          decided_at, version;

-- insert_status_change --
-- Keep one transition: $1 record id, $2 from status (null when created), $3 to status, $4 actor,
-- $5 reason, $6 at.
INSERT INTO record_status_changes (record_id, from_status, to_status, actor, reason, at)
VALUES ($1, $2, $3, $4, $5, $6);

-- update_status --
-- Move a record to another status: $1 record id, $2 expected current status, $3 new status.
-- Returns nothing when the record was not in the expected status (a concurrent change won).
UPDATE credit_records SET status = $3 WHERE id = $1 AND status = $2 RETURNING id;

-- get_many --
-- Records by id. Missing ids are simply absent.
SELECT id, subject_id, source_type, source_platform, source_authority, source_ref, category, severity,
       occurred_at, reported_at, description, legal_basis, legal_basis_ref, status, valid_until,
           decided_at, version
FROM credit_records WHERE id = ANY($1::bigint[]);

-- get_by_source_ref --
-- A platform's record by the platform's own id, locked for the change that follows: $1 platform, $2 ref.
SELECT id, subject_id, source_type, source_platform, source_authority, source_ref, category, severity,
       occurred_at, reported_at, description, legal_basis, legal_basis_ref, status, valid_until,
           decided_at, version
FROM credit_records WHERE source_type = 'PLATFORM' AND source_platform = $1 AND source_ref = $2
FOR UPDATE;

-- get_for_update --
-- One record, locked for a change of status: $1 id.
SELECT id, subject_id, source_type, source_platform, source_authority, source_ref, category, severity,
       occurred_at, reported_at, description, legal_basis, legal_basis_ref, status, valid_until,
           decided_at, version
FROM credit_records WHERE id = $1 FOR UPDATE;

-- list_of_subject --
-- Every record of a subject, whatever its status: $1 subject id.
SELECT * FROM credit_records WHERE subject_id = $1 ORDER BY occurred_at DESC, id DESC;

-- correct --
-- Change a record's category and severity after an upheld objection: $1 record id, $2 category,
-- $3 severity. The record is locked by the caller.
UPDATE credit_records SET category = $2, severity = $3 WHERE id = $1 RETURNING id;

-- insert_correction --
-- Keep what a correction changed: $1 record id, $2 objection id, $3 from category, $4 from severity,
-- $5 to category, $6 to severity, $7 actor, $8 reason, $9 at.
INSERT INTO record_corrections (record_id, objection_id, from_category, from_severity, to_category, to_severity,
                                actor, reason, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- list_corrections_for_records --
-- The corrections of the given records, oldest first.
SELECT * FROM record_corrections WHERE record_id = ANY($1::bigint[]) ORDER BY record_id, at, id;

-- get_report_digest --
-- The digest of what a platform reported under its violation id: $1 platform, $2 violation id.
-- No row: nothing reported under it; a null digest: reported before digests were kept.
SELECT id, report_digest FROM credit_records
WHERE source_type = 'PLATFORM' AND source_platform = $1 AND source_ref = $2;

-- lock_platform_reports --
-- The digests of what platforms reported under violation ids, their records locked for the batch
-- that writes next: $1 platforms, $2 violation ids (pairwise; the caller sorts them, so batches
-- lock in one order). Pairs with no record are absent; a null digest: reported before digests
-- were kept. One index probe per key: a generic plan made while credit_records was nearly empty
-- joined the keys by scanning the table (0.4 s a batch at 8,000 records).
SELECT k.platform, k.ref, r.report_digest
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (platform, ref, n)
CROSS JOIN LATERAL (
    SELECT report_digest FROM credit_records
    WHERE source_type = 'PLATFORM' AND source_platform = k.platform AND source_ref = k.ref
    LIMIT 1
    FOR UPDATE
) r
ORDER BY k.n;

-- insert_reported --
-- New records reported by platforms, each with its first status change, in the order given:
-- $1 subject ids, $2 platforms, $3 violation ids, $4 account ids, $5 categories, $6 severities,
-- $7 occurred at, $8 descriptions, $9 legal bases, $10 legal basis references, $11 digests,
-- $12 actors (all pairwise), $13 reported at. One statement whatever the count, so the
-- fact-version trigger touches each subject once.
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                         $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::bytea[], $12::text[])
        WITH ORDINALITY AS t (subject_id, platform, ref, account_id, category, severity, occurred_at, description,
                              basis, basis_ref, digest, actor, n)
), added AS (
    INSERT INTO credit_records (subject_id, source_type, source_platform, source_ref, account_id, category, severity,
                                occurred_at, reported_at, description, legal_basis, legal_basis_ref, report_digest)
    SELECT subject_id, 'PLATFORM', platform, ref, account_id, category, severity, occurred_at, $13, description,
           basis, basis_ref, digest
    FROM input ORDER BY n
    RETURNING id, subject_id, source_type, source_platform, source_authority, source_ref, category, severity,
              occurred_at, reported_at, description, legal_basis, legal_basis_ref, status, valid_until,
              decided_at, version
), history AS (
    INSERT INTO record_status_changes (record_id, from_status, to_status, actor, reason, at)
    SELECT added.id, NULL, 'ACTIVE', input.actor, 'reported', $13
    FROM added JOIN input ON input.platform = added.source_platform AND input.ref = added.source_ref
)
SELECT * FROM added ORDER BY id;
