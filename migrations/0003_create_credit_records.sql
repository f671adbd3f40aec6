-- Credit records and the full history of their status.

CREATE TABLE credit_records (
    id                bigserial PRIMARY KEY,
    subject_id        bigint NOT NULL REFERENCES subjects (id),
    source_type       text NOT NULL CHECK (source_type IN ('PLATFORM', 'AUTHORITY')),
    source_platform   text REFERENCES platforms (code),
    source_authority  text,
    source_ref        text NOT NULL CHECK (length(source_ref) BETWEEN 1 AND 200),
    account_id        bigint REFERENCES accounts (id),
    category          text NOT NULL,
    severity          text CHECK (severity IN ('MINOR', 'GENERAL', 'SERIOUS')),
    occurred_at       timestamptz NOT NULL,
    reported_at       timestamptz NOT NULL,
    description       text,
    legal_basis       text NOT NULL CHECK (length(legal_basis) > 0),
    legal_basis_ref   text,
    status            text NOT NULL DEFAULT 'ACTIVE'
                      CHECK (status IN ('ACTIVE', 'OBJECTION_PENDING', 'WITHDRAWN', 'REPAIRED')),
    valid_until       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_records_source CHECK (
        CASE source_type WHEN 'PLATFORM' THEN source_platform IS NOT NULL AND source_authority IS NULL
                         ELSE source_authority IS NOT NULL AND source_platform IS NULL END),
    CONSTRAINT credit_records_severity CHECK (
        (category IN ('RED_LIST', 'A_LEVEL_TAXPAYER', 'CREDIT_COMMITMENT')) = (severity IS NULL))
);
-- The source's own id is unique per source; one partial index per source type, because a
-- UNIQUE over the nullable platform/authority columns would never collide on NULL.
CREATE UNIQUE INDEX credit_records_platform_ref_key ON credit_records (source_platform, source_ref)
    WHERE source_type = 'PLATFORM';
CREATE UNIQUE INDEX credit_records_authority_ref_key ON credit_records (source_authority, source_ref)
    WHERE source_type = 'AUTHORITY';
CREATE INDEX credit_records_subject_idx ON credit_records (subject_id, occurred_at DESC, id DESC);

-- Append-only: every transition with actor, reason and time, the first one included.
CREATE TABLE record_status_changes (
    id           bigserial PRIMARY KEY,
    record_id    bigint NOT NULL REFERENCES credit_records (id),
    from_status  text,
    to_status    text NOT NULL,
    actor        text NOT NULL,
    reason       text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_status_changes_record_idx ON record_status_changes (record_id, at, id);
