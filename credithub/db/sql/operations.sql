-- What /metrics reads about the queues. Each count walks a partial index of live rows only
-- (delivered and done rows are never touched), so the cost follows the backlog, not history.

-- get_backlog --
-- Inbox, status refresh queue and outbox backlogs at $1 (now): counts and the age of the oldest.
SELECT
    (SELECT count(*) FROM inbox_events WHERE status IN ('PENDING', 'PROCESSING')) AS inbox_pending,
    (SELECT extract(epoch FROM $1::timestamptz - min(received_at)) FROM inbox_events
      WHERE status IN ('PENDING', 'PROCESSING')) AS inbox_lag_seconds,
    (SELECT count(*) FROM inbox_events WHERE status = 'DEAD') AS inbox_dead,
    (SELECT count(*) FROM status_refresh_queue) AS refresh_queued,
    (SELECT extract(epoch FROM $1::timestamptz - min(queued_at)) FROM status_refresh_queue) AS refresh_lag_seconds;

-- list_outbox_backlog --
-- Per platform: messages waiting (PENDING or DELIVERING), the age of the oldest at $1 (now), and dead ones.
SELECT platform,
       count(*) FILTER (WHERE status IN ('PENDING', 'DELIVERING')) AS depth,
       extract(epoch FROM $1::timestamptz - min(created_at) FILTER (WHERE status IN ('PENDING', 'DELIVERING')))
           AS oldest_seconds,
       count(*) FILTER (WHERE status = 'DEAD') AS dead
FROM outbox
WHERE status IN ('PENDING', 'DELIVERING', 'DEAD')
GROUP BY platform
ORDER BY platform;
