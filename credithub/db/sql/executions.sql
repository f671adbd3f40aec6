-- Execution feedback: platforms applying and lifting measures.

-- insert --
-- Keep a report (once): $1 platform, $2 subject id, $3 measure, $4 action, $5 executed at,
-- $6 reported at, $7 note. Returns nothing when the same report was kept before.
INSERT INTO measure_executions (platform, subject_id, measure, action, executed_at, reported_at, note)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT ON CONSTRAINT measure_executions_once DO NOTHING
RETURNING id;

-- list_for_subjects --
-- Every report about the given subjects, oldest first: $1 subject ids.
SELECT id, platform, subject_id, measure, action, executed_at, reported_at, note
FROM measure_executions WHERE subject_id = ANY($1::bigint[])
ORDER BY subject_id, executed_at, id;
