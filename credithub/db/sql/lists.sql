-- Entries of the SERIOUS_DISHONEST, JOINT_CONSTRAINT and RED lists, the records they rest on,
-- the defences stated against proposals, and exit reviews. "In force at t" is entry_in_force().

-- insert_proposal --
-- Propose a listing: $1 list, $2 subject id, $3 authority, $4 proposed by, $5 proposing platform,
-- $6 proposed at, $7 reason, $8 legal basis, $9 reference, $10 level, $11 exit condition,
-- $12 notice sent at, $13 defence deadline.
INSERT INTO list_entries (list, subject_id, authority, proposed_by, proposed_by_platform, proposed_at, reason,
                          legal_basis, legal_basis_ref, legal_basis_level, exit_condition, notice_sent_at,
                          defence_deadline, state)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'PROPOSED')
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

-- decide --
-- Decide a proposal: $1 entry id, $2 new state (IN_FORCE or DROPPED), $3 decided by, $4 decided at,
-- $5 note, $6 decision reference, $7 valid until (null when dropped). Only a proposal.
UPDATE list_entries
SET state = $2, decided_by = $3, decided_at = $4, decision_note = $5, decision_ref = $6,
    valid_from = CASE WHEN $2::text = 'IN_FORCE' THEN $4::timestamptz END,
    valid_until = CASE WHEN $2::text = 'IN_FORCE' THEN $7::timestamptz END
WHERE id = $1 AND state = 'PROPOSED'
RETURNING id;

-- end --
-- End an entry in force: $1 entry id, $2 at, $3 by, $4 reason, $5 cause. Only while in force.
UPDATE list_entries SET state = 'ENDED', ended_at = $2, ended_by = $3, end_reason = $4, end_cause = $5
WHERE id = $1 AND entry_in_force(valid_from, valid_until, ended_at, $2)
RETURNING id;

-- list_page --
-- Entries, newest first: $1 list, $2 subject id, $3 in force at (null: every entry), $4 state
-- shown at $8 (entry_state_at), $5 before id, $6 limit, $7 only subjects with an account on this
-- platform (null: any).
SELECT e.*, coalesce(array(SELECT record_id FROM list_entry_records WHERE entry_id = e.id ORDER BY record_id),
                     '{}') AS record_ids
FROM list_entries e
WHERE ($1::text IS NULL OR e.list = $1)
  AND ($2::bigint IS NULL OR e.subject_id = $2)
  AND ($3::timestamptz IS NULL OR entry_in_force(e.valid_from, e.valid_until, e.ended_at, $3))
  AND ($4::text IS NULL OR entry_state_at(e.state, e.valid_until, $8) = $4)
  AND ($5::bigint IS NULL OR e.id < $5)
  AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.subject_id = e.subject_id AND a.platform = $7))
ORDER BY e.id DESC
LIMIT $6;

-- count --
-- How many entries match list_page's filters: $1 list, $2 subject id, $3 in force at, $4 state
-- shown at $6, $5 platform.
SELECT count(*)
FROM list_entries e
WHERE ($1::text IS NULL OR e.list = $1)
  AND ($2::bigint IS NULL OR e.subject_id = $2)
  AND ($3::timestamptz IS NULL OR entry_in_force(e.valid_from, e.valid_until, e.ended_at, $3))
  AND ($4::text IS NULL OR entry_state_at(e.state, e.valid_until, $6) = $4)
  AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM accounts a WHERE a.subject_id = e.subject_id AND a.platform = $5));

-- list_resting_on --
-- Entries in force at $2 resting on record $1, with the ids of their records, locked for a change.
SELECT e.*, coalesce(array(SELECT record_id FROM list_entry_records WHERE entry_id = e.id ORDER BY record_id),
                     '{}') AS record_ids
FROM list_entries e
WHERE e.id IN (SELECT entry_id FROM list_entry_records WHERE record_id = $1)
  AND entry_in_force(e.valid_from, e.valid_until, e.ended_at, $2)
ORDER BY e.id
FOR UPDATE;

-- list_in_force_of_subject --
-- The subject's entries in force at $2, locked: $1 subject id.
SELECT e.*, coalesce(array(SELECT record_id FROM list_entry_records WHERE entry_id = e.id ORDER BY record_id),
                     '{}') AS record_ids
FROM list_entries e
WHERE e.subject_id = $1 AND entry_in_force(e.valid_from, e.valid_until, e.ended_at, $2)
ORDER BY e.id
FOR UPDATE;

-- list_red_in_force_of_subjects --
-- The red entries in force at $2 of the subjects $1, locked.
SELECT e.*, coalesce(array(SELECT record_id FROM list_entry_records WHERE entry_id = e.id ORDER BY record_id),
                     '{}') AS record_ids
FROM list_entries e
WHERE e.subject_id = ANY($1::bigint[]) AND e.list = 'RED' AND entry_in_force(e.valid_from, e.valid_until, e.ended_at, $2)
ORDER BY e.id
FOR UPDATE;

-- insert_defence --
-- A defence against a proposal: $1 entry id, $2 submitted by, $3 statement, $4 at.
INSERT INTO listing_defences (entry_id, submitted_by, statement, submitted_at) VALUES ($1, $2, $3, $4)
RETURNING *;

-- list_defences --
-- The defences stated against these entries, oldest first: $1 entry ids.
SELECT * FROM listing_defences WHERE entry_id = ANY($1::bigint[]) ORDER BY entry_id, id;

-- open_exit_review --
-- Ask an entry's authority whether the listing still stands: $1 entry id, $2 record id, $3 cause,
-- $4 opened by, $5 at. Nothing when one is already open for the same entry and record.
INSERT INTO exit_reviews (entry_id, record_id, cause, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (entry_id, record_id) WHERE status = 'OPEN' DO NOTHING
RETURNING *;

-- get_exit_review_for_update --
-- One exit review, locked: $1 id.
SELECT * FROM exit_reviews WHERE id = $1 FOR UPDATE;

-- close_exit_reviews --
-- Close the open reviews of an entry: $1 entry id, $2 status (ENDED or KEPT), $3 by, $4 at, $5 note.
UPDATE exit_reviews SET status = $2, decided_by = $3, decided_at = $4, note = $5
WHERE entry_id = $1 AND status = 'OPEN'
RETURNING *;

-- exit_review_page --
-- Exit reviews, newest first: $1 status, $2 authority, $3 subject id, $4 before id, $5 limit.
SELECT x.*, e.authority, e.subject_id, e.list
FROM exit_reviews x JOIN list_entries e ON e.id = x.entry_id
WHERE ($1::text IS NULL OR x.status = $1)
  AND ($2::text IS NULL OR e.authority = $2)
  AND ($3::bigint IS NULL OR e.subject_id = $3)
  AND ($4::bigint IS NULL OR x.id < $4)
ORDER BY x.id DESC
LIMIT $5;

-- exit_review_count --
-- How many exit reviews match exit_review_page's filters: $1 status, $2 authority, $3 subject id.
SELECT count(*)
FROM exit_reviews x JOIN list_entries e ON e.id = x.entry_id
WHERE ($1::text IS NULL OR x.status = $1)
  AND ($2::text IS NULL OR e.authority = $2)
  AND ($3::bigint IS NULL OR e.subject_id = $3);
