-- One read-only view over what each queue parked: statuses the refresher could not compute,
-- inbox events and outbox messages that are DEAD. Each queue keeps its own table and rules.

-- count --
-- How many items each queue holds parked.
SELECT (SELECT count(*) FROM parked_statuses) AS statuses,
       (SELECT count(*) FROM inbox_events WHERE status = 'DEAD') AS inbox,
       (SELECT count(*) FROM outbox WHERE status = 'DEAD') AS outbox;

-- list_page --
-- Parked items, most recently parked first: $1 queue (null: all), $2 $3 $4 the (parked at, queue,
-- id) of the last item seen (null: from the start), $5 limit. An inbox event's time is when its
-- last attempt was due; an outbox message's, its last attempt.
SELECT queue, id, subject_id, platform, error, parked_at, attempts FROM (
    SELECT 'STATUSES' AS queue, p.subject_id AS id, p.subject_id, NULL::text AS platform, p.error,
           p.parked_at, p.attempts
    FROM parked_statuses p
    UNION ALL
    SELECT 'INBOX', e.id, NULL::bigint, e.platform, coalesce(e.last_error, ''), e.next_attempt_at, e.attempts
    FROM inbox_events e WHERE e.status = 'DEAD'
    UNION ALL
    SELECT 'OUTBOX', o.id, o.subject_id, o.platform, coalesce(o.last_error, ''), o.next_attempt_at, o.attempts
    FROM outbox o WHERE o.status = 'DEAD'
) parked
WHERE ($1::text IS NULL OR queue = $1)
  AND ($2::timestamptz IS NULL OR (parked_at, queue, id) < ($2, $3::text, $4::bigint))
ORDER BY parked_at DESC, queue DESC, id DESC
LIMIT $5;
