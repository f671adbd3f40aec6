-- Edits of the measures catalog (their history is in audit_writes).

-- get_for_update --
-- One catalog row as JSON, locked for the edit that follows: $1 code.
SELECT to_jsonb(m) - 'updated_at' AS row FROM measures m WHERE code = $1 FOR UPDATE;

-- upsert --
-- Create or replace a measure: $1 code, $2 kind, $3 mandatory, $4 legal basis, $5 legal basis
-- reference, $6 description, $7 subject kinds, $8 scope, $9 trigger, $10 duration in months,
-- $11 active, $12 actor, $13 legal basis level.
INSERT INTO measures (code, kind, mandatory, legal_basis, legal_basis_ref, description, subject_kinds, scope,
                      trigger, duration_months, active, updated_by, legal_basis_level)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
ON CONFLICT (code) DO UPDATE SET
    kind = excluded.kind, mandatory = excluded.mandatory, legal_basis = excluded.legal_basis,
    legal_basis_ref = excluded.legal_basis_ref, legal_basis_level = excluded.legal_basis_level,
    description = excluded.description,
    subject_kinds = excluded.subject_kinds, scope = excluded.scope, trigger = excluded.trigger,
    duration_months = excluded.duration_months, active = excluded.active,
    updated_by = excluded.updated_by, updated_at = now();

-- set_active --
-- Switch a measure on or off: $1 code, $2 active, $3 actor.
UPDATE measures SET active = $2, updated_by = $3, updated_at = now() WHERE code = $1
RETURNING code, kind, mandatory, legal_basis, legal_basis_ref, legal_basis_level, description, subject_kinds, scope,
          trigger, duration_months, active;

-- exists --
-- Whether the catalog has a measure with this code (active or not): $1 code.
SELECT EXISTS (SELECT 1 FROM measures WHERE code = $1);
