-- The rule sets and the measures catalog, reloaded by instances when config_version moves.

-- get_version --
-- The current version of the catalog and rule sets together.
SELECT (value #>> '{}')::bigint FROM hub_meta WHERE key = 'config_version';

-- list_rule_sets --
-- Every rule set, oldest first.
SELECT code, name, effective_from, rules FROM rule_sets ORDER BY effective_from;

-- list_measures --
-- The whole catalog, by code.
SELECT code, kind, mandatory, legal_basis, legal_basis_ref, legal_basis_level, description, subject_kinds, scope, trigger,
       duration_months, active, updated_at, updated_by
FROM measures ORDER BY code;
