-- Platform accounts of subjects.

-- list_for_subjects --
-- Every account of the given subjects, grouped by subject, for the accounts loader.
SELECT id, subject_id, platform, external_id, status, display_name, opened_at
FROM accounts
WHERE subject_id = ANY($1::bigint[])
ORDER BY subject_id, platform, external_id;

-- insert --
-- Add an account: $1 subject id, $2 platform, $3 external id, $4 status, $5 display name, $6 opened at.
INSERT INTO accounts (subject_id, platform, external_id, status, display_name, opened_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id, subject_id, platform, external_id, status, display_name, opened_at;
