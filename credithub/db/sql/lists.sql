-- Entries of the SERIOUS_DISHONEST and RED lists and the records they rest on.

-- insert --
-- Put a subject on a list: $1 list, $2 subject id, $3 authority, $4 listed by, $5 listed at, $6 reason,
-- $7 legal basis, $8 legal basis reference, $9 exit condition, $10 valid from, $11 valid until.
INSERT INTO list_entries (list, subject_id, authority, listed_by, listed_at, reason, legal_basis, legal_basis_ref,
                          exit_condition, valid_from, valid_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id;

-- insert_records --
-- The records an entry rests on: $1 entry id, $2 record ids.
INSERT INTO list_entry_records (entry_id, record_id) SELECT $1, unnest($2::bigint[]);

-- get_many --
-- Entries by id with the ids of their records. Missing ids are simply absent.
SELECT e.*, coalesce(array(SELECT record_id FROM list_entry_records WHERE entry_id = e.id ORDER BY record_id),
                     '{}') AS record_ids
FROM list_entries e WHERE e.id = ANY($1::bigint[]);

-- lock --
-- Lock an entry for a change: $1 entry id. Returns nothing when there is no such entry.
SELECT id FROM list_entries WHERE id = $1 FOR UPDATE;

-- remove --
-- Take a subject off a list: $1 entry id, $2 removed at, $3 removed by, $4 reason. Only once.
UPDATE list_entries SET removed_at = $2, removed_by = $3, removal_reason = $4
WHERE id = $1 AND removed_at IS NULL
RETURNING id;

-- list_page --
-- Entries, newest first: $1 list, $2 subject id, $3 in force at (null: every entry), $4 before id, $5 limit.
SELECT e.*, coalesce(array(SELECT record_id FROM list_entry_records WHERE entry_id = e.id ORDER BY record_id),
                     '{}') AS record_ids
FROM list_entries e
WHERE ($1::text IS NULL OR e.list = $1)
  AND ($2::bigint IS NULL OR e.subject_id = $2)
  AND ($3::timestamptz IS NULL OR (e.valid_from <= $3 AND (e.valid_until IS NULL OR e.valid_until > $3)
                                   AND (e.removed_at IS NULL OR e.removed_at > $3)))
  AND ($4::bigint IS NULL OR e.id < $4)
ORDER BY e.id DESC
LIMIT $5;

-- count --
-- How many entries match list_page's filters: $1 list, $2 subject id, $3 in force at.
SELECT count(*)
FROM list_entries e
WHERE ($1::text IS NULL OR e.list = $1)
  AND ($2::bigint IS NULL OR e.subject_id = $2)
  AND ($3::timestamptz IS NULL OR (e.valid_from <= $3 AND (e.valid_until IS NULL OR e.valid_until > $3)
                                   AND (e.removed_at IS NULL OR e.removed_at > $3)));

-- remove_unsupported --
-- After record $1 was withdrawn or repaired, take off every entry resting on it that no longer
-- rests on any record in force: $2 at, $3 by, $4 reason. Returns the removed entries' ids.
UPDATE list_entries e SET removed_at = $2, removed_by = $3, removal_reason = $4
WHERE e.removed_at IS NULL
  AND e.id IN (SELECT entry_id FROM list_entry_records WHERE record_id = $1)
  AND NOT EXISTS (SELECT 1 FROM list_entry_records l JOIN credit_records r ON r.id = l.record_id
                  WHERE l.entry_id = e.id AND r.status IN ('ACTIVE', 'OBJECTION_PENDING'))
RETURNING e.id;
