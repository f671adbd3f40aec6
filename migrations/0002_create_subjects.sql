-- Credit subjects, the people behind anchors and legal representatives, platform accounts,
-- and the relations (MCN signings, legal representation) that flags propagate along.

-- A person is known only by HMAC-SHA256(server key, resident ID). The number is never stored.
CREATE TABLE persons (
    id          bigserial PRIMARY KEY,
    id_hash     bytea NOT NULL CONSTRAINT persons_id_hash_key UNIQUE CHECK (length(id_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subjects (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('MERCHANT', 'ANCHOR', 'MCN_AGENCY')),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    credit_code  text CONSTRAINT subjects_credit_code_key UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    person_id    bigint CONSTRAINT subjects_person_id_key UNIQUE REFERENCES persons (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subjects_identity CHECK (
        CASE kind WHEN 'ANCHOR' THEN person_id IS NOT NULL AND credit_code IS NULL
                  ELSE credit_code IS NOT NULL AND person_id IS NULL END)
);
CREATE INDEX subjects_kind_idx ON subjects (kind, id);

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    subject_id    bigint NOT NULL REFERENCES subjects (id),
    platform      text NOT NULL REFERENCES platforms (code),
    external_id   text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
    status        text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
    display_name  text,
    opened_at     timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_platform_external_id_key UNIQUE (platform, external_id)
);
CREATE INDEX accounts_subject_idx ON accounts (subject_id);

CREATE TABLE mcn_signings (
    id               bigserial PRIMARY KEY,
    agency_id        bigint NOT NULL REFERENCES subjects (id),
    anchor_id        bigint NOT NULL REFERENCES subjects (id),
    valid_from       timestamptz NOT NULL,
    valid_to         timestamptz CHECK (valid_to IS NULL OR valid_to > valid_from),
    source_platform  text REFERENCES platforms (code),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mcn_signings_period_key UNIQUE (agency_id, anchor_id, valid_from)
);
CREATE INDEX mcn_signings_agency_idx ON mcn_signings (agency_id, id);
CREATE INDEX mcn_signings_anchor_idx ON mcn_signings (anchor_id);

CREATE TABLE legal_representatives (
    id               bigserial PRIMARY KEY,
    person_id        bigint NOT NULL REFERENCES persons (id),
    subject_id       bigint NOT NULL REFERENCES subjects (id),
    valid_from       timestamptz NOT NULL,
    valid_to         timestamptz CHECK (valid_to IS NULL OR valid_to > valid_from),
    source_platform  text REFERENCES platforms (code),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT legal_representatives_period_key UNIQUE (person_id, subject_id, valid_from)
);
CREATE INDEX legal_representatives_person_idx ON legal_representatives (person_id);
CREATE INDEX legal_representatives_subject_idx ON legal_representatives (subject_id);
