-- Credit repair applications.

-- insert --
-- Apply for repair: $1 record id, $2 applied by, $3 applying platform, $4 evidence, $5 commitment, $6 applied at.
WITH changed AS (
    INSERT INTO repair_applications (record_id, applied_by, applied_by_platform, evidence, commitment, applied_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING *
)
SELECT changed.*, r.subject_id FROM changed JOIN credit_records r ON r.id = changed.record_id;

-- get_record_id --
-- The record an application is about, unlocked (to lock the record first): $1 id.
SELECT record_id FROM repair_applications WHERE id = $1;

-- get_for_update --
-- One application, locked for its decision: $1 id. Lock its record first (see objections.sql).
SELECT a.*, r.subject_id FROM repair_applications a JOIN credit_records r ON r.id = a.record_id
WHERE a.id = $1 FOR UPDATE OF a;

-- decide --
-- Record the decision: $1 id, $2 new status, $3 decided by, $4 decided at, $5 note.
WITH changed AS (
    UPDATE repair_applications SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5
    WHERE id = $1 AND status = 'PENDING'
    RETURNING *
)
SELECT changed.*, r.subject_id FROM changed JOIN credit_records r ON r.id = changed.record_id;

-- list_page --
-- Applications, newest first: $1 status, $2 subject id, $3 record id, $4 before id, $5 limit,
-- $6 platform involved (the record's source, or who applied).
SELECT a.*, r.subject_id FROM repair_applications a JOIN credit_records r ON r.id = a.record_id
WHERE ($1::text IS NULL OR a.status = $1)
  AND ($2::bigint IS NULL OR r.subject_id = $2)
  AND ($3::bigint IS NULL OR a.record_id = $3)
  AND ($4::bigint IS NULL OR a.id < $4)
  AND ($6::text IS NULL OR r.source_platform = $6 OR a.applied_by_platform = $6)
ORDER BY a.id DESC
LIMIT $5;

-- count --
-- How many applications match list_page's filters: $1 status, $2 subject id, $3 record id, $4 platform involved.
SELECT count(*) FROM repair_applications a JOIN credit_records r ON r.id = a.record_id
WHERE ($1::text IS NULL OR a.status = $1)
  AND ($2::bigint IS NULL OR r.subject_id = $2)
  AND ($3::bigint IS NULL OR a.record_id = $3)
  AND ($4::text IS NULL OR r.source_platform = $4 OR a.applied_by_platform = $4);

-- reject_pending_of_record --
-- Close the record's pending application, if any, when the record can no longer be repaired: $1
-- record id, $2 decided by, $3 decided at, $4 note.
WITH changed AS (
    UPDATE repair_applications SET status = 'REJECTED', decided_by = $2, decided_at = $3, decision_note = $4
    WHERE record_id = $1 AND status = 'PENDING'
    RETURNING *
)
SELECT changed.*, r.subject_id FROM changed JOIN credit_records r ON r.id = changed.record_id;
