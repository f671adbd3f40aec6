-- The change feed of all-platform flags (migrations/0011 explains why positions follow commit order).

-- lock_writers --
-- Taken by a writer right before it draws positions, held until it commits: feed writers commit
-- in the order of their positions.
SELECT pg_advisory_xact_lock(7526150361247318017);

-- insert_many --
-- Changes: $1 subject ids, $2 flag keys, $3 flags (null: lifted) (pairwise, in this order), $4 at.
INSERT INTO flag_changes (subject_id, flag_key, flag, at)
SELECT subject_id, flag_key, flag, $4
FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS t (subject_id, flag_key, flag, n)
ORDER BY n;

-- get_position --
-- The feed's position now: every change at or below it has committed.
SELECT coalesce(max(id), 0) FROM flag_changes;

-- list_snapshot --
-- The flags in force at position $1 (each flag's latest change at or below it, unless a lift),
-- in (subject, flag key) order after ($2, $3): up to $4; only subject $5's unless it is null.
SELECT subject_id, flag_key, flag, at FROM (
    SELECT DISTINCT ON (subject_id, flag_key) subject_id, flag_key, flag, at
    FROM flag_changes
    WHERE id <= $1 AND (subject_id, flag_key) > ($2::bigint, $3::text) AND ($5::bigint IS NULL OR subject_id = $5)
    ORDER BY subject_id, flag_key, id DESC
) latest
WHERE flag IS NOT NULL
ORDER BY subject_id, flag_key
LIMIT $4;

-- list_after --
-- Changes after position $1, in order: up to $2; only subject $3's unless it is null.
SELECT id, subject_id, flag_key, flag, at FROM flag_changes
WHERE id > $1 AND ($3::bigint IS NULL OR subject_id = $3)
ORDER BY id LIMIT $2;

-- compute_key --
-- The SQL twin of domain.flag_feed.compute_flag_key, for the parity test: $1 encoded flags.
SELECT flag_feed_key(flag) AS key FROM unnest($1::jsonb[]) WITH ORDINALITY AS t (flag, n) ORDER BY n;
