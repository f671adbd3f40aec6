-- Platforms and their signing secrets.

-- insert --
-- Register a platform: $1 code, $2 name, $3 family, $4 push URL (nullable).
INSERT INTO platforms (code, name, family, push_url)
VALUES ($1, $2, $3, $4)
RETURNING code, name, family, push_url, created_at;

-- get --
-- One platform by code, or nothing.
SELECT code, name, family, push_url, created_at FROM platforms WHERE code = $1;

-- list_all --
-- Every platform, by code.
SELECT code, name, family, push_url, created_at FROM platforms ORDER BY code;

-- insert_secret --
-- Add an active secret: $1 platform, $2 purpose ('webhook' | 'outbound'), $3 secret.
INSERT INTO platform_secrets (platform, purpose, secret) VALUES ($1, $2, $3) RETURNING id;

-- list_active_secrets --
-- The active secrets of a platform for one purpose, newest first: $1 platform, $2 purpose.
SELECT secret FROM platform_secrets
WHERE platform = $1 AND purpose = $2 AND retired_at IS NULL
ORDER BY created_at DESC, id DESC;

-- get_with_secrets --
-- A platform's code and its active secrets for one purpose: $1 platform, $2 purpose. Nothing for
-- an unknown platform; an empty array when it has no active secret.
SELECT p.code,
       array(SELECT s.secret FROM platform_secrets s
             WHERE s.platform = p.code AND s.purpose = $2 AND s.retired_at IS NULL
             ORDER BY s.created_at DESC, s.id DESC) AS secrets
FROM platforms p WHERE p.code = $1;

-- retire_secrets --
-- Retire a platform's active secrets of one purpose except the newest $3: $1 platform, $2 purpose,
-- $4 at. Returns the retired ids.
UPDATE platform_secrets SET retired_at = $4
WHERE id IN (SELECT id FROM platform_secrets
             WHERE platform = $1 AND purpose = $2 AND retired_at IS NULL
             ORDER BY created_at DESC, id DESC OFFSET $3)
RETURNING id;
