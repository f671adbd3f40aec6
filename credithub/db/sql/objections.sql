-- Objections against records.

-- insert --
-- File an objection: $1 record id, $2 filed by, $3 filing platform, $4 reason, $5 filed at, $6 due at,
-- $7 whether it suspends the record's measures.
WITH changed AS (
    INSERT INTO objections (record_id, filed_by, filed_by_platform, reason, filed_at, due_at, suspends)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    RETURNING *
)
SELECT changed.*, r.subject_id FROM changed JOIN credit_records r ON r.id = changed.record_id;

-- get_record_id --
-- The record an objection is about, unlocked (to lock the record first): $1 id.
SELECT record_id FROM objections WHERE id = $1;

-- get_for_update --
-- One objection, locked for its resolution: $1 id. Lock its record first: every path that
-- touches both takes the record, then the objection, so two of them never wait on each other.
SELECT o.*, r.subject_id FROM objections o JOIN credit_records r ON r.id = o.record_id
WHERE o.id = $1 FOR UPDATE OF o;

-- resolve --
-- Record the resolution: $1 id, $2 new status, $3 resolved by, $4 resolved at, $5 note, $6 outcome
-- (upheld only).
WITH changed AS (
    UPDATE objections SET status = $2, resolved_by = $3, resolved_at = $4, resolution_note = $5, outcome = $6
    WHERE id = $1 AND status = 'OPEN'
    RETURNING *
)
SELECT changed.*, r.subject_id FROM changed JOIN credit_records r ON r.id = changed.record_id;

-- list_page --
-- Objections, newest first: $1 status, $2 subject id, $3 record id, $4 overdue at (only open ones
-- due by then), $5 before id, $6 limit, $7 platform involved (the record's source, or who filed it).
SELECT o.*, r.subject_id FROM objections o JOIN credit_records r ON r.id = o.record_id
WHERE ($1::text IS NULL OR o.status = $1)
  AND ($2::bigint IS NULL OR r.subject_id = $2)
  AND ($3::bigint IS NULL OR o.record_id = $3)
  AND ($4::timestamptz IS NULL OR (o.status = 'OPEN' AND o.due_at <= $4))
  AND ($5::bigint IS NULL OR o.id < $5)
  AND ($7::text IS NULL OR r.source_platform = $7 OR o.filed_by_platform = $7)
ORDER BY o.id DESC
LIMIT $6;

-- count --
-- How many objections match list_page's filters: $1 status, $2 subject id, $3 record id,
-- $4 overdue at, $5 platform involved.
SELECT count(*) FROM objections o JOIN credit_records r ON r.id = o.record_id
WHERE ($1::text IS NULL OR o.status = $1)
  AND ($2::bigint IS NULL OR r.subject_id = $2)
  AND ($3::bigint IS NULL OR o.record_id = $3)
  AND ($4::timestamptz IS NULL OR (o.status = 'OPEN' AND o.due_at <= $4))
  AND ($5::text IS NULL OR r.source_platform = $5 OR o.filed_by_platform = $5);

-- resolve_open_of_record --
-- Close the record's open objection, if any, when the record leaves review another way: $1 record
-- id, $2 new status, $3 resolved by, $4 resolved at, $5 note.
WITH changed AS (
    UPDATE objections SET status = $2, resolved_by = $3, resolved_at = $4, resolution_note = $5,
                          outcome = CASE WHEN $2::text = 'UPHELD' THEN 'WITHDRAW' END
    WHERE record_id = $1 AND status = 'OPEN'
    RETURNING *
)
SELECT changed.*, r.subject_id FROM changed JOIN credit_records r ON r.id = changed.record_id;

-- list_of_record --
-- Every objection ever filed against a record, oldest first: $1 record id.
SELECT o.*, r.subject_id FROM objections o JOIN credit_records r ON r.id = o.record_id
WHERE o.record_id = $1 ORDER BY o.id;
