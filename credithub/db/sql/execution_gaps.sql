-- What executionGaps is computed from: the mandatory flags the hub has pushed, the spans of flags
-- that forbid relations, and the signings of the agencies that carried them. The flag change
-- feed (flag_changes) is the record of what was pushed and when; the rules that turn these into
-- gaps are credithub.domain.executions.find_unapplied and find_relations_in_breach.

-- list_pushed_mandatory --
-- Mandatory, enforced all-platform flags in force at $1, each since the start of its current run
-- in the feed, with the platforms where the subject holds an account that is not closed.
WITH keys AS (
    SELECT DISTINCT subject_id, flag_key FROM flag_changes WHERE (flag ->> 'mandatory')::boolean
), latest AS (
    SELECT DISTINCT ON (c.subject_id, c.flag_key) c.*
    FROM flag_changes c JOIN keys USING (subject_id, flag_key)
    ORDER BY c.subject_id, c.flag_key, c.id DESC
)
SELECT l.subject_id, l.flag ->> 'measure' AS measure,
       (SELECT min(c.at) FROM flag_changes c
        WHERE c.subject_id = l.subject_id AND c.flag_key = l.flag_key
          AND c.id > coalesce((SELECT max(n.id) FROM flag_changes n
                               WHERE n.subject_id = l.subject_id AND n.flag_key = l.flag_key AND n.flag IS NULL), 0)
       ) AS since,
       array(SELECT a.platform FROM accounts a
             WHERE a.subject_id = l.subject_id AND a.status <> 'CLOSED' ORDER BY a.platform) AS platforms
FROM latest l
WHERE l.flag IS NOT NULL AND (l.flag ->> 'mandatory')::boolean AND (l.flag ->> 'enforced')::boolean
  AND (l.flag ->> 'until' IS NULL OR (l.flag ->> 'until')::timestamptz > $1)
ORDER BY l.subject_id, l.flag_key;

-- list_flag_spans --
-- Every span during which the feed showed a subject carrying one of the measures $1: from the
-- later of the change and the flag's own start, to the earlier of its own end and the next change.
SELECT subject_id, measure, greatest(at, starts) AS start, nullif(least(ends, next_at), 'infinity') AS "end"
FROM (
    SELECT c.subject_id, c.flag, c.at, c.flag ->> 'measure' AS measure,
           coalesce((c.flag ->> 'from')::timestamptz, c.at) AS starts,
           coalesce((c.flag ->> 'until')::timestamptz, 'infinity') AS ends,
           coalesce(lead(c.at) OVER (PARTITION BY c.subject_id, c.flag_key ORDER BY c.id), 'infinity') AS next_at
    FROM flag_changes c
    WHERE split_part(c.flag_key, '|', 1) = ANY($1::text[])
) spans
WHERE flag IS NOT NULL AND greatest(at, starts) < least(ends, next_at)
ORDER BY subject_id, start;

-- list_signings_of_agencies --
-- Every signing of the agencies $1, whenever it began.
SELECT * FROM mcn_signings WHERE agency_id = ANY($1::bigint[]) ORDER BY agency_id, valid_from, id;
