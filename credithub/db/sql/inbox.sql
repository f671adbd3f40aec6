-- The inbox of platform events.

-- insert --
-- Keep an accepted event unless it was delivered before: $1 platform, $2 event id (webhook-id),
-- $3 event type, $4 event (validated command), $5 received at, $6 whether to wake the inbox
-- processors of other processes (NOTIFY on commit, migration 0031; only when a row is stored).
-- Returns nothing for a repeat.
INSERT INTO inbox_events (platform, event_id, event_type, event, received_at, next_attempt_at)
VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (platform, event_id) DO NOTHING
RETURNING id, inbox_notify($6);

-- insert_unless_reported --
-- Keep an accepted violation report unless it was delivered before, or the platform's violation id
-- already has a record (then nothing is kept, and the record's digest is returned for the caller
-- to compare): $1 platform, $2 event id, $3 event type, $4 event, $5 received at, $6 violation id,
-- $7 whether to wake the inbox processors of other processes (as `insert`). One round trip for the
-- common case, a report never seen. Returns the new event's id (null when not kept), whether a
-- record exists, and its digest.
WITH kept AS (
    SELECT report_digest FROM credit_records
    WHERE source_type = 'PLATFORM' AND source_platform = $1 AND source_ref = $6
    LIMIT 1
), added AS (
    INSERT INTO inbox_events (platform, event_id, event_type, event, received_at, next_attempt_at)
    SELECT $1, $2, $3, $4, $5, $5 WHERE NOT EXISTS (SELECT 1 FROM kept)
    ON CONFLICT (platform, event_id) DO NOTHING
    RETURNING id, inbox_notify($7)
)
SELECT (SELECT id FROM added) AS id, EXISTS (SELECT 1 FROM kept) AS reported, (SELECT report_digest FROM kept) AS digest;

-- insert_many --
-- Keep events pulled from a platform's feed, skipping those taken before: $1 platform, $2 event
-- ids, $3 event types, $4 events (pairwise), $5 received at, $6 whether to wake the inbox
-- processors (as `insert`). Returns how many were new. The notice is sent by one call for the
-- whole page, and only when it stored a row: a page is one transaction, so one notice on commit
-- (were it sent per row instead, PostgreSQL would still deliver it once: identical notices of one
-- transaction, same channel and payload, reach listeners as one, as its NOTIFY reference says).
WITH added AS (
    INSERT INTO inbox_events (platform, event_id, event_type, event, received_at, next_attempt_at)
    SELECT $1, event_id, event_type, event, $5, $5
    FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS e (event_id, event_type, event)
    ON CONFLICT (platform, event_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS added, inbox_notify($6 AND count(*) > 0) FROM added;

-- count_waiting --
-- Events not applied yet (pending, retrying or being applied), counted up to $1 at most: what
-- webhook ingest compares with its backlog limit. The count walks the partial index of live
-- rows (inbox_events_ready_idx) and stops at $1, so it costs min(backlog, $1), never history.
SELECT count(*) FROM (SELECT 1 FROM inbox_events WHERE status IN ('PENDING', 'PROCESSING') LIMIT $1) AS waiting;

-- claim --
-- Lease up to $2 events due at $1 (or whose lease ran out) until $3 under claim token $4; other
-- workers skip them meanwhile. This and the four below are the work queue's (migration 0027).
SELECT id, platform, event_id, event, attempts FROM work_claim(NULL::inbox_events, $1, $2, $3, $4);

-- complete --
-- The event is applied: $1 id, $2 claim token, $3 processed at. False when the lease was lost to
-- another worker (then the caller's transaction must roll back).
SELECT work_complete(NULL::inbox_events, $1, $2, $3);

-- complete_many --
-- Events applied together in one transaction: $1 ids, $2 claim token, $3 processed at. Returns
-- the ids whose lease was lost to another worker (then the caller's transaction must roll back).
SELECT id FROM unnest($1::bigint[]) AS id WHERE NOT work_complete(NULL::inbox_events, id, $2, $3);

-- fail --
-- A failed attempt, to be retried: $1 id, $2 claim token, $3 error, $4 next attempt at.
SELECT work_fail(NULL::inbox_events, $1, $2, $3, $4);

-- park --
-- Set the event aside as DEAD with its error: $1 id, $2 claim token, $3 error, $4 at.
SELECT work_park(NULL::inbox_events, $1, $2, $3, $4);

-- requeue --
-- Give parked events $1 another go from $2. Returns the ids of those that were still parked.
SELECT id FROM work_requeue(NULL::inbox_events, $1, $2) AS id;

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

-- list_dead_ids --
-- The parked events of platform $1 (null: every platform), to requeue.
SELECT id FROM inbox_events WHERE status = 'DEAD' AND ($1::text IS NULL OR platform = $1) ORDER BY id;
