-- Notices to subjects and their delivery state.

-- insert --
-- A notice: $1 subject id, $2 kind, $3 title, $4 body, $5 record id, $6 list entry id,
-- $7 objection id, $8 repair id, $9 repairable from, $10 created at, $11 created by, $12 delivery.
INSERT INTO notices (subject_id, kind, title, body, record_id, list_entry_id, objection_id, repair_id,
                     repairable_from, created_at, created_by, delivery)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING *;

-- mark_delivered --
-- A platform took a notice's message: $1 notice id, $2 at. The first delivery counts.
UPDATE notices SET delivery = 'DELIVERED', delivered_at = $2 WHERE id = $1 AND delivery <> 'DELIVERED';

-- list_page_for_subjects --
-- Notices of each subject, newest first: $1 subject ids, $2 before id (null: from the newest), $3 limit.
SELECT n.*
FROM unnest($1::bigint[]) AS s (id)
CROSS JOIN LATERAL (
    SELECT * FROM notices WHERE subject_id = s.id AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3
) n;

-- count_for_subjects --
-- How many notices each subject has: $1 subject ids.
SELECT subject_id, count(*) AS total FROM notices WHERE subject_id = ANY($1::bigint[]) GROUP BY subject_id;
