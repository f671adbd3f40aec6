-- Platforms that share data through the hub, their signing secrets, and API clients.

CREATE TABLE hub_meta (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE hub_meta IS 'Small facts about this hub installation, e.g. the fingerprint of the person-hash key.';

CREATE TABLE platforms (
    code        text PRIMARY KEY CONSTRAINT platforms_code_format CHECK (code ~ '^[a-z][a-z0-9_-]{1,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    family      text NOT NULL DEFAULT 'standard',
    push_url    text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Secrets are needed in clear to compute HMACs, so they cannot be hashed like tokens.
-- `webhook`: platform → hub signatures we verify; `outbound`: hub → platform pushes we sign.
CREATE TABLE platform_secrets (
    id          bigserial PRIMARY KEY,
    platform    text NOT NULL REFERENCES platforms (code),
    purpose     text NOT NULL CHECK (purpose IN ('webhook', 'outbound')),
    secret      text NOT NULL CHECK (secret LIKE 'whsec\_%'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);
CREATE INDEX platform_secrets_active_idx ON platform_secrets (platform, purpose) WHERE retired_at IS NULL;

CREATE TABLE clients (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role        text NOT NULL CHECK (role IN ('platform', 'regulator', 'viewer', 'admin')),
    platform    text REFERENCES platforms (code),
    token_hash  bytea NOT NULL CONSTRAINT clients_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CONSTRAINT clients_platform_role CHECK ((role = 'platform') = (platform IS NOT NULL))
);
