-- Platforms and their signing secrets.

-- insert --
-- Register a platform: $1 code, $2 name, $3 family, $4 push URL, $5 API URL (both nullable).
INSERT INTO platforms (code, name, family, push_url, api_url)
VALUES ($1, $2, $3, $4, $5)
RETURNING code, name, family, push_url, api_url, created_at;

-- get --
-- One platform by code, or nothing.
SELECT code, name, family, push_url, api_url, created_at FROM platforms WHERE code = $1;

-- list_all --
-- Every platform, by code.
SELECT code, name, family, push_url, api_url, created_at FROM platforms ORDER BY code;

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

-- get_link --
-- What an adapter needs to talk to a platform: $1 code. Nothing for an unknown platform.
SELECT p.code, p.family, p.api_url, p.push_url,
       (SELECT s.secret FROM platform_secrets s WHERE s.platform = p.code AND s.purpose = 'api'
        AND s.retired_at IS NULL ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS api_key,
       array(SELECT s.secret FROM platform_secrets s WHERE s.platform = p.code AND s.purpose = 'webhook'
             AND s.retired_at IS NULL ORDER BY s.created_at DESC, s.id DESC) AS webhook_secrets,
       (SELECT s.secret FROM platform_secrets s WHERE s.platform = p.code AND s.purpose = 'outbound'
        AND s.retired_at IS NULL ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS outbound_secret,
       array(SELECT ARRAY[c.code, c.category, c.severity] FROM platform_codes c WHERE c.platform = p.code) AS codes
FROM platforms p WHERE p.code = $1;

-- list_pulled --
-- Platforms with an API to pull from, by code.
SELECT code FROM platforms WHERE api_url IS NOT NULL ORDER BY code;

-- update_api --
-- Set where to reach a platform's API: $1 code, $2 API URL (null: none), $3 push URL (null: none).
UPDATE platforms SET api_url = $2, push_url = $3 WHERE code = $1
RETURNING code, name, family, push_url, api_url, created_at;

-- delete_codes --
-- Forget a platform's code mapping (before replacing it): $1 platform.
DELETE FROM platform_codes WHERE platform = $1;

-- insert_codes --
-- Add to a platform's code mapping: $1 platform, $2 codes, $3 categories, $4 severities,
-- $5 descriptions (pairwise).
INSERT INTO platform_codes (platform, code, category, severity, description)
SELECT $1, code, category, severity, description
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS c (code, category, severity, description);

-- list_codes --
-- A platform's code mapping, by code: $1 platform.
SELECT code, category, severity, description FROM platform_codes WHERE platform = $1 ORDER BY code;
