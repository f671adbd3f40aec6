-- The facts compute_status reads, loaded in one round trip for a whole batch of subjects.

-- resolve_credit_codes --
-- Subjects by credit code with their fact versions, the catalog/rules version, and the stored
-- status when it was computed from those very versions: $1 credit codes. Unknown codes are absent.
WITH config AS (SELECT (value #>> '{}')::bigint AS version FROM hub_meta WHERE key = 'config_version')
SELECT s.id, s.kind, s.name, s.credit_code, s.facts_version, config.version AS config_version, ss.status AS stored
FROM subjects s
CROSS JOIN config
LEFT JOIN subject_statuses ss
       ON ss.subject_id = s.id AND ss.facts_version = s.facts_version AND ss.config_version = config.version
WHERE s.credit_code = ANY($1::text[]);

-- load_for_subjects --
-- Everything about each subject that compute_status reads, one row per subject: $1 subject ids.
-- records: its records, each with its status history; entries: its list entries, each with the
-- records it rests on (only entries that came into force: a proposal yields nothing), each with
-- its valid_from and entry_ends_at (in force in between: EntryFact.in_force_at); related:
-- subjects one relation away (subject_relations: agencies that signed it; other companies of its
-- legal representatives) with their entries. Arrays of anonymous rows, which
-- asyncpg decodes natively into tuples (see db/facts.py for their shapes). A record counts from
-- its decision date when the source gives one (record_counts_from).
SELECT s.id, s.kind, s.created_at, s.facts_version,
       ARRAY(SELECT ROW(r.id, r.category, r.severity, record_counts_from(r.occurred_at, r.decided_at), r.valid_until, r.source_platform,
                        r.source_authority,
                        ARRAY(SELECT ROW(c.to_status, c.at) FROM record_status_changes c
                              WHERE c.record_id = r.id ORDER BY c.at, c.id))
             FROM credit_records r WHERE r.subject_id = s.id) AS records,
       ARRAY(SELECT ROW(e.id, e.list, e.authority, e.valid_from, entry_ends_at(e.valid_until, e.ended_at), e.end_cause,
                        ARRAY(SELECT ROW(r.id, r.category, r.severity, record_counts_from(r.occurred_at, r.decided_at), r.valid_until,
                                         r.source_platform, r.source_authority,
                                         ARRAY(SELECT ROW(c.to_status, c.at) FROM record_status_changes c
                                               WHERE c.record_id = r.id ORDER BY c.at, c.id))
                              FROM list_entry_records l JOIN credit_records r ON r.id = l.record_id
                              WHERE l.entry_id = e.id))
             FROM list_entries e WHERE e.subject_id = s.id AND e.valid_from IS NOT NULL) AS entries,
       ARRAY(SELECT ROW(rel.relation, rel.id, rel.kind, rel.name, rel.valid_from, rel.valid_to,
                        ARRAY(SELECT ROW(e.id, e.list, e.authority, e.valid_from, entry_ends_at(e.valid_until, e.ended_at), e.end_cause,
                                         ARRAY(SELECT ROW(r.id, r.category, r.severity, record_counts_from(r.occurred_at, r.decided_at), r.valid_until,
                                                          r.source_platform, r.source_authority,
                                                          ARRAY(SELECT ROW(c.to_status, c.at)
                                                                FROM record_status_changes c
                                                                WHERE c.record_id = r.id ORDER BY c.at, c.id))
                                               FROM list_entry_records l JOIN credit_records r ON r.id = l.record_id
                                               WHERE l.entry_id = e.id))
                              FROM list_entries e WHERE e.subject_id = rel.id AND e.valid_from IS NOT NULL))
             FROM (SELECT r.relation, o.id, o.kind, o.name, r.valid_from, r.valid_to
                   FROM subject_relations r JOIN subjects o ON o.id = r.related_id
                   WHERE r.subject_id = s.id) AS rel) AS related
FROM subjects s
WHERE s.id = ANY($1::bigint[]);
