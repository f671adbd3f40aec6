-- The change feed of all-platform flags (flagChanges): every change of a subject's flags of
-- ALL_PLATFORMS measures, written by the status refresher in the transaction that stores the
-- status, so a platform can mirror the joint restrictions and screen offline.
--
-- Positions are the ids of this table, and they follow commit order: a writer takes the feed's
-- transaction-scoped advisory lock before it draws ids and holds it until it commits
-- (db/sql/flag_feed.sql, lock_writers), so no id becomes visible after a greater one. A reader
-- paging by id therefore never skips a change that commits late.
CREATE TABLE flag_changes (
    id          bigserial PRIMARY KEY,
    subject_id  bigint NOT NULL REFERENCES subjects (id),
    flag_key    text NOT NULL,
    flag        jsonb,  -- the flag as it now is (the status store's encoding); NULL: lifted
    at          timestamptz NOT NULL
);
CREATE INDEX flag_changes_latest_idx ON flag_changes (subject_id, flag_key, id DESC);

-- Which flag a change is about: measure, source and the relation it came along. Twin of
-- credithub.domain.flag_feed.compute_flag_key (a test holds them together).
CREATE FUNCTION flag_feed_key(flag jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT concat_ws('|', flag ->> 'measure', coalesce(flag ->> 'platform', ''), coalesce(flag ->> 'authority', ''),
                     coalesce((flag -> 'via' ->> 0) || ':' || (flag -> 'via' ->> 1), ''))
$$;

-- The feed starts from what the status store holds now.
INSERT INTO flag_changes (subject_id, flag_key, flag, at)
SELECT ss.subject_id, flag_feed_key(f.flag), f.flag, ss.computed_for
FROM subject_statuses ss
CROSS JOIN LATERAL jsonb_array_elements(ss.status -> 'flags') AS f (flag)
WHERE ss.status ->> 'v' = '1' AND f.flag ->> 'scope' = 'ALL_PLATFORMS'
ORDER BY ss.subject_id, 2;
