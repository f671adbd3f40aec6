-- Platform adapters both ways: where to reach a platform's API, its own codes, pull cursors and
-- refused items; the push outbox with a log row per attempt; execution feedback.

-- The platform's API (pull feeds; family adapters also push there unless push_url says otherwise).
ALTER TABLE platforms ADD COLUMN api_url text;

-- 'api': the key a platform gave the hub for calling its API. Not a whsec_ signing secret.
ALTER TABLE platform_secrets DROP CONSTRAINT platform_secrets_purpose_check;
ALTER TABLE platform_secrets ADD CONSTRAINT platform_secrets_purpose_check
    CHECK (purpose IN ('webhook', 'outbound', 'api'));
ALTER TABLE platform_secrets DROP CONSTRAINT platform_secrets_secret_check;
ALTER TABLE platform_secrets ADD CONSTRAINT platform_secrets_secret_check
    CHECK (purpose = 'api' OR secret LIKE 'whsec\_%');

-- A platform's own penalty codes and what they mean here (data, per platform).
CREATE TABLE platform_codes (
    platform     text NOT NULL REFERENCES platforms (code),
    code         text NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
    category     text NOT NULL,
    severity     text NOT NULL CHECK (severity IN ('MINOR', 'GENERAL', 'SERIOUS')),
    description  text,
    PRIMARY KEY (platform, code)
);

-- Where each pull stream of each platform stands. The cursor is the adapter's own (opaque here)
-- and moves in the same transaction as the events of the page it follows.
CREATE TABLE sync_cursors (
    platform       text NOT NULL REFERENCES platforms (code),
    stream         text NOT NULL,
    cursor         text,
    pages          bigint NOT NULL DEFAULT 0,
    items          bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL,
    caught_up_at   timestamptz,
    last_error     text,
    last_error_at  timestamptz,
    PRIMARY KEY (platform, stream)
);

-- Items of a feed the hub could not take (an unmapped code, an invalid identifier), with why.
-- The raw item is not kept: it may hold personal data.
CREATE TABLE sync_rejects (
    platform  text NOT NULL REFERENCES platforms (code),
    stream    text NOT NULL,
    item_id   text NOT NULL,
    error     text NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (platform, stream, item_id)
);

-- The outbox: one row per message to one platform, written in the transaction that stored the
-- status change it reports.
CREATE TABLE outbox (
    id               bigserial PRIMARY KEY,
    platform         text NOT NULL REFERENCES platforms (code),
    subject_id       bigint NOT NULL REFERENCES subjects (id),
    message_type     text NOT NULL,
    payload          jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    status           text NOT NULL DEFAULT 'PENDING'
                     CHECK (status IN ('PENDING', 'DELIVERING', 'DELIVERED', 'DEAD')),
    attempts         integer NOT NULL DEFAULT 0,
    throttled        integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    locked_until     timestamptz,
    claim_token      uuid,
    last_error       text,
    delivered_at     timestamptz
);
CREATE INDEX outbox_ready_idx ON outbox (next_attempt_at, id) WHERE status IN ('PENDING', 'DELIVERING');
CREATE INDEX outbox_subject_idx ON outbox (platform, subject_id, id) WHERE status IN ('PENDING', 'DELIVERING');
CREATE INDEX outbox_dead_idx ON outbox (platform, id) WHERE status = 'DEAD';

-- One row per delivery attempt: when, how long, what came back.
CREATE TABLE outbox_attempts (
    id           bigserial PRIMARY KEY,
    message_id   bigint NOT NULL REFERENCES outbox (id),
    attempt      integer NOT NULL,
    started_at   timestamptz NOT NULL,
    duration_ms  integer NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('DELIVERED', 'RETRY', 'THROTTLED', 'DEAD')),
    http_status  integer,
    error        text
);
CREATE INDEX outbox_attempts_message_idx ON outbox_attempts (message_id, id);

-- Execution feedback: a platform applied or lifted a measure.
CREATE TABLE measure_executions (
    id           bigserial PRIMARY KEY,
    platform     text NOT NULL REFERENCES platforms (code),
    subject_id   bigint NOT NULL REFERENCES subjects (id),
    measure      text NOT NULL,
    action       text NOT NULL CHECK (action IN ('APPLIED', 'LIFTED')),
    executed_at  timestamptz NOT NULL,
    reported_at  timestamptz NOT NULL,
    note         text,
    CONSTRAINT measure_executions_once UNIQUE (platform, subject_id, measure, action, executed_at)
);
CREATE INDEX measure_executions_subject_idx ON measure_executions (subject_id, measure, executed_at);
