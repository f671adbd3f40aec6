-- The inbox of platform events.

-- insert --
-- Keep an accepted event unless it was delivered before: $1 platform, $2 event id (webhook-id),
-- $3 event type, $4 event (validated command), $5 received at. Returns nothing for a repeat.
INSERT INTO inbox_events (platform, event_id, event_type, event, received_at, next_attempt_at)
VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (platform, event_id) DO NOTHING
RETURNING id;

-- insert_many --
-- Keep events pulled from a platform's feed, skipping those taken before: $1 platform, $2 event
-- ids, $3 event types, $4 events (pairwise), $5 received at. Returns the ids of the new ones.
INSERT INTO inbox_events (platform, event_id, event_type, event, received_at, next_attempt_at)
SELECT $1, event_id, event_type, event, $5, $5
FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS e (event_id, event_type, event)
ON CONFLICT (platform, event_id) DO NOTHING
RETURNING id;

-- count_waiting --
-- Events not applied yet (pending, retrying or being applied), counted up to $1 at most: what
-- webhook ingest compares with its backlog limit. The count walks the partial index of live
-- rows (inbox_events_ready_idx) and stops at $1, so it costs min(backlog, $1), never history.
SELECT count(*) FROM (SELECT 1 FROM inbox_events WHERE status IN ('PENDING', 'PROCESSING') LIMIT $1) AS waiting;

-- claim --
-- Take up to $2 events that are due at $1 (or whose lease ran out), lease them until $3 under
-- claim token $4. Other workers skip them meanwhile.
WITH ready AS (
    SELECT id FROM inbox_events
    WHERE (status = 'PENDING' AND next_attempt_at <= $1) OR (status = 'PROCESSING' AND locked_until <= $1)
    ORDER BY next_attempt_at, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE inbox_events e
SET status = 'PROCESSING', locked_until = $3, claim_token = $4, attempts = e.attempts + 1
FROM ready WHERE e.id = ready.id
RETURNING e.id, e.platform, e.event_id, e.event, e.attempts;

-- complete --
-- Mark a claimed event done: $1 id, $2 claim token, $3 processed at. Returns nothing if the lease
-- was lost to another worker (then the caller's transaction must roll back).
UPDATE inbox_events
SET status = 'DONE', processed_at = $3, locked_until = NULL, claim_token = NULL, last_error = NULL
WHERE id = $1 AND claim_token = $2 AND status = 'PROCESSING'
RETURNING id;

-- fail --
-- Record a failed attempt: $1 id, $2 claim token, $3 error, $4 next attempt at, or null to park
-- the event as DEAD.
UPDATE inbox_events
SET status = CASE WHEN $4::timestamptz IS NULL THEN 'DEAD' ELSE 'PENDING' END,
    next_attempt_at = coalesce($4, next_attempt_at), last_error = $3, locked_until = NULL, claim_token = NULL
WHERE id = $1 AND claim_token = $2 AND status = 'PROCESSING';

-- get_by_key --
-- One event by platform and event id, with its processing state: $1 platform, $2 event id.
SELECT id, platform, event_id, event_type, status, attempts, last_error, received_at, processed_at
FROM inbox_events WHERE platform = $1 AND event_id = $2;

-- list_page --
-- Events, newest first: $1 platform, $2 status, $3 before id, $4 limit.
SELECT id, platform, event_id, event_type, status, attempts, last_error, received_at, processed_at
FROM inbox_events
WHERE ($1::text IS NULL OR platform = $1) AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3)
ORDER BY id DESC
LIMIT $4;

-- requeue_dead --
-- Give parked events another go: $1 platform (null: every platform), $2 now. Returns their ids.
UPDATE inbox_events SET status = 'PENDING', next_attempt_at = $2, attempts = 0, last_error = NULL
WHERE status = 'DEAD' AND ($1::text IS NULL OR platform = $1)
RETURNING id;
