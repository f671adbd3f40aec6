-- Credit subjects and the people behind them.

-- get_many --
-- Subjects by id for the subject loader. Missing ids are simply absent.
SELECT id, kind, name, credit_code, person_id, created_at, facts_version FROM subjects WHERE id = ANY($1::bigint[]);

-- get_many_by_credit_code --
-- Subjects by credit code (normalised upper case). Unknown codes are simply absent.
SELECT id, kind, name, credit_code, person_id, created_at, facts_version FROM subjects WHERE credit_code = ANY($1::text[]);

-- get_many_by_account --
-- Subjects by platform account: $1 platform codes, $2 external ids (pairwise). Unknown pairs are absent.
SELECT k.platform, k.external_id, s.id, s.kind, s.name, s.credit_code, s.person_id, s.created_at, s.facts_version
FROM unnest($1::text[], $2::text[]) AS k (platform, external_id)
JOIN accounts a ON a.platform = k.platform AND a.external_id = k.external_id
JOIN subjects s ON s.id = a.subject_id;

-- list_page --
-- Subjects in id order: $1 kind, $2 platform with an account, $3 name substring (case-insensitive),
-- $4 stored tier, $5 list the subject is on at $6; the viewer's scope: $7 only subjects with an
-- account on this platform, $8 only this subject; $9 after id, $10 limit. Null filters match all.
SELECT s.id, s.kind, s.name, s.credit_code, s.person_id, s.created_at, s.facts_version
FROM subjects s
WHERE ($1::text IS NULL OR s.kind = $1)
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.subject_id = s.id AND a.platform = $2))
  AND ($3::text IS NULL OR strpos(lower(s.name), lower($3)) > 0)
  AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM subject_statuses ss WHERE ss.subject_id = s.id AND ss.tier = $4))
  AND ($5::text IS NULL OR EXISTS (
        SELECT 1 FROM list_entries e
        WHERE e.subject_id = s.id AND e.list = $5 AND entry_in_force(e.valid_from, e.valid_until, e.ended_at, $6)))
  AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.subject_id = s.id AND a.platform = $7))
  AND ($8::bigint IS NULL OR s.id = $8)
  AND ($9::bigint IS NULL OR s.id > $9)
ORDER BY s.id
LIMIT $10;

-- count --
-- How many subjects match the list_page filters: $1 kind, $2 platform, $3 name substring, $4 tier,
-- $5 list, $6 instant for the list, $7 viewer's platform, $8 viewer's own subject.
SELECT count(*)
FROM subjects s
WHERE ($1::text IS NULL OR s.kind = $1)
  AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.subject_id = s.id AND a.platform = $2))
  AND ($3::text IS NULL OR strpos(lower(s.name), lower($3)) > 0)
  AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM subject_statuses ss WHERE ss.subject_id = s.id AND ss.tier = $4))
  AND ($5::text IS NULL OR EXISTS (
        SELECT 1 FROM list_entries e
        WHERE e.subject_id = s.id AND e.list = $5 AND entry_in_force(e.valid_from, e.valid_until, e.ended_at, $6)))
  AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.subject_id = s.id AND a.platform = $7))
  AND ($8::bigint IS NULL OR s.id = $8);

-- insert --
-- Add a subject: $1 kind, $2 name, $3 credit code (organisations), $4 person id (anchors).
INSERT INTO subjects (kind, name, credit_code, person_id) VALUES ($1, $2, $3, $4)
RETURNING id, kind, name, credit_code, person_id, created_at, facts_version;

-- upsert_person --
-- The person with this id hash, created if new: $1 the 32-byte HMAC.
WITH inserted AS (
    INSERT INTO persons (id_hash) VALUES ($1) ON CONFLICT (id_hash) DO NOTHING RETURNING id
)
SELECT id FROM inserted
UNION ALL
SELECT id FROM persons WHERE id_hash = $1 AND NOT EXISTS (SELECT 1 FROM inserted);

-- get_by_credit_code --
-- The subject with this credit code, locked for the change that follows: $1 code.
SELECT id, kind, name, credit_code, person_id, created_at, facts_version FROM subjects
WHERE credit_code = $1 FOR UPDATE;

-- get_by_person_hash --
-- The anchor who is this person, locked for the change that follows: $1 the person hash.
SELECT s.id, s.kind, s.name, s.credit_code, s.person_id, s.created_at, s.facts_version
FROM persons p JOIN subjects s ON s.person_id = p.id
WHERE p.id_hash = $1
FOR UPDATE OF s;

-- insert_if_absent --
-- Register a subject unless one with the same credit code or person exists (perhaps being
-- registered by a concurrent transaction, which this waits for): $1 kind, $2 name, $3 credit code,
-- $4 person id. Returns nothing when it existed.
INSERT INTO subjects (kind, name, credit_code, person_id) VALUES ($1, $2, $3, $4)
ON CONFLICT DO NOTHING
RETURNING id, kind, name, credit_code, person_id, created_at, facts_version;

-- get_person --
-- The id of the person with this hash: $1 the hash. (After upsert_person lost a race.)
SELECT id FROM persons WHERE id_hash = $1;

-- lock_many_by_credit_code --
-- Subjects by credit code, locked for the batch that writes next: $1 codes (the caller sorts them,
-- so batches lock in one order). Unknown codes are absent. One index probe per code.
SELECT s.id, s.kind, s.name, s.credit_code, s.person_id, s.created_at, s.facts_version
FROM unnest($1::text[]) WITH ORDINALITY AS k (code, n)
CROSS JOIN LATERAL (
    SELECT id, kind, name, credit_code, person_id, created_at, facts_version FROM subjects
    WHERE credit_code = k.code LIMIT 1 FOR UPDATE
) s
ORDER BY k.n;

-- insert_organisations_if_absent --
-- Register organisations unless their credit code is taken (perhaps by a concurrent transaction,
-- which this waits for): $1 kinds, $2 names, $3 credit codes (pairwise). Returns those registered.
INSERT INTO subjects (kind, name, credit_code)
SELECT kind, name, code FROM unnest($1::text[], $2::text[], $3::text[]) AS t (kind, name, code)
ORDER BY code
ON CONFLICT DO NOTHING
RETURNING id, kind, name, credit_code, person_id, created_at, facts_version;
