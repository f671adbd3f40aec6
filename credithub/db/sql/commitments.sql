-- Public credit commitments.

-- insert --
-- Keep a commitment: $1 subject id, $2 content, $3 purpose, $4 term from, $5 term until, $6 made by, $7 made at.
INSERT INTO credit_commitments (subject_id, content, purpose, term_from, term_until, made_by, made_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- list_for_subjects --
-- The commitments of the given subjects, newest first: $1 subject ids.
SELECT * FROM credit_commitments WHERE subject_id = ANY($1::bigint[]) ORDER BY subject_id, id DESC;

-- list_breach_candidates --
-- The general and serious records of the given subjects (any status; the domain decides): $1 subject ids.
SELECT * FROM credit_records
WHERE subject_id = ANY($1::bigint[]) AND severity IN ('GENERAL', 'SERIOUS')
ORDER BY subject_id, occurred_at, id;
