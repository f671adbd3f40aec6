-- API clients and their hashed bearer tokens.

-- insert --
-- Add a client: $1 name, $2 role, $3 platform (only for role 'platform'), $4 SHA-256 of the token,
-- $5 authority (regulators), $6 subject id (role 'subject'), $7 default purpose of its reads.
INSERT INTO clients (name, role, platform, token_hash, authority, subject_id, default_purpose)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id;

-- get_by_token_hash --
-- The active client holding a token, by the token's hash.
SELECT id, name, role, platform, authority, subject_id, default_purpose
FROM clients WHERE token_hash = $1 AND revoked_at IS NULL;

-- revoke --
-- Revoke a client's token: $1 client id, $2 at. Returns the token hash, nothing if unknown or revoked.
UPDATE clients SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING token_hash;

-- list_all --
-- Every client, revoked ones too, by id (never the token hash).
SELECT id, name, role, platform, authority, subject_id, created_at, revoked_at FROM clients ORDER BY id;
