-- The durable inbox of platform events (webhooks), processed asynchronously by the inbox worker.
--
-- A webhook is answered 2xx only after its row is committed here. (platform, event_id) is unique
-- for ever: a repeated delivery, even weeks later, changes nothing. Events carry the validated
-- command (person hashes, never resident ID numbers), not the raw body.

CREATE TABLE inbox_events (
    id               bigserial PRIMARY KEY,
    platform         text NOT NULL REFERENCES platforms (code),
    event_id         text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    event_type       text NOT NULL,
    event            jsonb NOT NULL,
    received_at      timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PROCESSING', 'DONE', 'DEAD')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    locked_until     timestamptz,
    claim_token      uuid,
    last_error       text,
    processed_at     timestamptz,
    CONSTRAINT inbox_events_platform_event_key UNIQUE (platform, event_id)
);
CREATE INDEX inbox_events_ready_idx ON inbox_events (next_attempt_at, id) WHERE status IN ('PENDING', 'PROCESSING');
CREATE INDEX inbox_events_dead_idx ON inbox_events (platform, id) WHERE status = 'DEAD';
