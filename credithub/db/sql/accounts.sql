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

-- get_by_key --
-- An account by platform and external id, locked for the change that follows: $1 platform, $2 external id.
SELECT id, subject_id, platform, external_id, status, display_name, opened_at
FROM accounts WHERE platform = $1 AND external_id = $2 FOR UPDATE;

-- update_state --
-- Update what a platform says about an account: $1 id, $2 status, $3 display name (null: keep),
-- $4 opened at (null: keep).
UPDATE accounts
SET status = $2, display_name = coalesce($3, display_name), opened_at = coalesce($4, opened_at), updated_at = now()
WHERE id = $1
RETURNING id, subject_id, platform, external_id, status, display_name, opened_at;

-- insert_if_absent --
-- Add an account unless (platform, external id) exists (perhaps being added concurrently, which
-- this waits for): $1 subject id, $2 platform, $3 external id, $4 status, $5 display name, $6 opened at.
INSERT INTO accounts (subject_id, platform, external_id, status, display_name, opened_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (platform, external_id) DO NOTHING
RETURNING id, subject_id, platform, external_id, status, display_name, opened_at;

-- list_platforms_of_subject --
-- The platforms where a subject has an account: $1 subject id.
SELECT DISTINCT platform FROM accounts WHERE subject_id = $1;

-- platform_known_since --
-- Since when a platform has known a subject: its account's opening (or, if earlier, when the hub
-- learned of it), the earliest if several: $1 subject id, $2 platform. Nothing without an account.
SELECT min(least(coalesce(opened_at, created_at), created_at)) FROM accounts WHERE subject_id = $1 AND platform = $2;

-- lock_known_parties --
-- Accounts by platform and external id, with what identifies their subjects (kind, credit code,
-- the person's hash), locked for the batch that writes next: $1 platforms, $2 external ids
-- (pairwise; the caller sorts them, so batches lock in one order). Unknown pairs are absent. One
-- index probe per key, whatever plan the statistics of a young table suggest.
SELECT a.id, k.platform, k.external_id, a.subject_id, s.kind, s.credit_code, p.id_hash
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k (platform, external_id, n)
CROSS JOIN LATERAL (
    SELECT id, subject_id FROM accounts WHERE platform = k.platform AND external_id = k.external_id LIMIT 1 FOR UPDATE
) a
JOIN subjects s ON s.id = a.subject_id
LEFT JOIN persons p ON p.id = s.person_id
ORDER BY k.n;

-- insert_many_if_absent --
-- Add ACTIVE accounts unless (platform, external id) exists (perhaps being added concurrently,
-- which this waits for): $1 subject ids, $2 platforms, $3 external ids, $4 display names
-- (pairwise). Returns those added.
INSERT INTO accounts (subject_id, platform, external_id, status, display_name)
SELECT subject_id, platform, external_id, 'ACTIVE', display_name
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t (subject_id, platform, external_id, display_name)
ORDER BY platform, external_id
ON CONFLICT (platform, external_id) DO NOTHING
RETURNING id, subject_id, platform, external_id, status, display_name, opened_at;
