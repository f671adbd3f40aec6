-- The push outbox and its attempt log.

-- list_recipients --
-- Platforms to tell about these subjects, with the subjects' accounts there: $1 subject ids.
-- Standard platforms are pushed at the push URL they registered; family platforms at their API
-- unless they registered a push URL.
SELECT a.subject_id, a.platform, array_agg(a.external_id ORDER BY a.external_id) AS account_ids
FROM accounts a
JOIN platforms p ON p.code = a.platform
WHERE a.subject_id = ANY($1::bigint[])
  AND (p.push_url IS NOT NULL OR (p.family <> 'standard' AND p.api_url IS NOT NULL))
GROUP BY a.subject_id, a.platform
ORDER BY a.subject_id, a.platform;

-- insert_many --
-- Queue messages: $1 platforms, $2 subject ids, $3 payloads (pairwise), $4 message type, $5 at.
-- Each payload's `version` is its message id: it grows with every message about a subject
-- (their refreshes hold the subject's status row, so they commit in id order), whatever
-- caused the change — a fact, the passing of time, a catalog edit.
-- (A batch holds at most one message per platform and subject, so its own order is free.)
WITH m AS (
    SELECT nextval(pg_get_serial_sequence('outbox', 'id')) AS id, platform, subject_id, payload
    FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) AS u (platform, subject_id, payload)
)
INSERT INTO outbox (id, platform, subject_id, message_type, payload, created_at, next_attempt_at)
SELECT id, platform, subject_id, $4, payload || jsonb_build_object('version', id), $5, $5 FROM m;

-- claim --
-- Take up to $2 messages due at $1 (new, due for a retry, or held by a worker whose lease ran
-- out), leasing them until $3 under claim token $4. A message waits while an earlier one for the
-- same platform and subject is undelivered, so a platform gets a subject's changes in order.
-- This and the four below are the work queue's (migration 0027).
SELECT id, platform, subject_id, payload, created_at, attempts, throttled, message_type
FROM work_claim(NULL::outbox, $1, $2, $3, $4);

-- complete --
-- The message was delivered: $1 id, $2 claim token, $3 at. False when the lease was lost.
SELECT work_complete(NULL::outbox, $1, $2, $3);

-- fail --
-- A failed attempt, to be retried: $1 id, $2 claim token, $3 error, $4 next attempt at. False
-- when the lease was lost.
SELECT work_fail(NULL::outbox, $1, $2, $3, $4);

-- park --
-- Set the message aside as DEAD with its error: $1 id, $2 claim token, $3 error, $4 at. False
-- when the lease was lost.
SELECT work_park(NULL::outbox, $1, $2, $3, $4);

-- requeue --
-- Give dead messages $1 a fresh round of attempts from $2. Returns the ids of those still dead.
SELECT id FROM work_requeue(NULL::outbox, $1, $2) AS id;

-- give_back_attempt --
-- The platform throttled attempt $1 (429/503): it is given back and counted as throttled instead.
UPDATE outbox SET attempts = attempts - 1, throttled = throttled + 1 WHERE id = $1;

-- insert_attempt --
-- Log one attempt: $1 message id, $2 attempt number, $3 started at, $4 duration ms, $5 outcome,
-- $6 HTTP status, $7 error.
INSERT INTO outbox_attempts (message_id, attempt, started_at, duration_ms, outcome, http_status, error)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- list_dead --
-- Dead messages, oldest first: $1 platform (null: all), $2 limit.
SELECT id, platform, subject_id, created_at, attempts, last_error FROM outbox
WHERE status = 'DEAD' AND ($1::text IS NULL OR platform = $1)
ORDER BY id
LIMIT $2;

-- list_replayable --
-- Dead messages to give a new round of attempts: $1 platform (null: all), $2 ids (null: all).
-- A dead status message that a later delivered one about the same subject supersedes stays dead:
-- each carries the whole state, so sending the older one now could only undo the newer. (A notice
-- is superseded by nothing: each says something of its own.)
SELECT o.id FROM outbox o
WHERE o.status = 'DEAD' AND ($1::text IS NULL OR o.platform = $1) AND ($2::bigint[] IS NULL OR o.id = ANY($2))
  AND NOT EXISTS (SELECT 1 FROM outbox later
                  WHERE later.platform = o.platform AND later.subject_id = o.subject_id
                    AND later.message_type = o.message_type AND o.message_type = 'credit.status_changed'
                    AND later.id > o.id AND later.status = 'DELIVERED')
ORDER BY o.id;

-- count_by_status --
-- How many messages per platform and status.
SELECT platform, status, count(*) AS total FROM outbox GROUP BY platform, status ORDER BY platform, status;

-- list_attempts --
-- Every attempt at one message, in order: $1 message id.
SELECT attempt, started_at, duration_ms, outcome, http_status, error FROM outbox_attempts
WHERE message_id = $1 ORDER BY id;

-- list_by_status --
-- Messages in one state, newest first: $1 status, $2 platform (null: all), $3 limit.
SELECT id, platform, subject_id, status, created_at, attempts, next_attempt_at, last_error, delivered_at FROM outbox
WHERE status = $1 AND ($2::text IS NULL OR platform = $2)
ORDER BY id DESC
LIMIT $3;

-- list_existing --
-- Which of these message ids exist: $1 ids.
SELECT id FROM outbox WHERE id = ANY($1::bigint[]) ORDER BY id;
