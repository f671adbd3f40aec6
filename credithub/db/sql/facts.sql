-- The facts compute_status reads, loaded in one round trip for a whole batch of subjects.

-- resolve_credit_codes --
-- Subjects by credit code with their fact versions, and the catalog/rules version, for the
-- cache lookup that precedes loading: $1 credit codes. Unknown codes are simply absent.
SELECT s.id, s.kind, s.name, s.credit_code, s.facts_version,
       (SELECT (value #>> '{}')::bigint FROM hub_meta WHERE key = 'config_version') AS config_version
FROM subjects s
WHERE s.credit_code = ANY($1::text[]);

-- resolve_ids --
-- The same by subject id: $1 subject ids. Missing ids are simply absent.
SELECT s.id, s.kind, s.name, s.credit_code, s.facts_version,
       (SELECT (value #>> '{}')::bigint FROM hub_meta WHERE key = 'config_version') AS config_version
FROM subjects s
WHERE s.id = ANY($1::bigint[]);

-- load_for_subjects --
-- Everything about each subject that compute_status reads, one row per subject: $1 subject ids.
-- records: its records with their status history; entries: its list entries with the records
-- they rest on; related: subjects one relation away (the agencies that signed it; the other
-- companies of its legal representatives) with their list entries. JSON arrays, see db/facts.py.
SELECT s.id, s.kind, s.created_at, s.facts_version,
       coalesce((SELECT jsonb_agg(record_fact(r)) FROM credit_records r WHERE r.subject_id = s.id),
                '[]'::jsonb) AS records,
       coalesce((SELECT jsonb_agg(entry_fact(e)) FROM list_entries e WHERE e.subject_id = s.id),
                '[]'::jsonb) AS entries,
       coalesce((SELECT jsonb_agg(jsonb_build_array(
                     'MCN_SIGNING', a.id, a.kind, a.name, m.valid_from, m.valid_to,
                     coalesce((SELECT jsonb_agg(entry_fact(e)) FROM list_entries e WHERE e.subject_id = a.id),
                              '[]'::jsonb)))
                 FROM mcn_signings m JOIN subjects a ON a.id = m.agency_id
                 WHERE m.anchor_id = s.id), '[]'::jsonb)
       || coalesce((SELECT jsonb_agg(jsonb_build_array(
                     'LEGAL_REPRESENTATIVE', o.id, o.kind, o.name,
                     greatest(mine.valid_from, theirs.valid_from), least(mine.valid_to, theirs.valid_to),
                     coalesce((SELECT jsonb_agg(entry_fact(e)) FROM list_entries e WHERE e.subject_id = o.id),
                              '[]'::jsonb)))
                 FROM legal_representatives mine
                 JOIN legal_representatives theirs
                   ON theirs.person_id = mine.person_id AND theirs.subject_id <> mine.subject_id
                 JOIN subjects o ON o.id = theirs.subject_id
                 WHERE mine.subject_id = s.id), '[]'::jsonb) AS related
FROM subjects s
WHERE s.id = ANY($1::bigint[]);
