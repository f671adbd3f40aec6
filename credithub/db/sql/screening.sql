-- Screening subjects by name and credit code (migrations/0012: normalised names and their bigrams).

-- normalise_names --
-- Names as screening compares them, with their bigrams: $1 names. One row per name, in order.
SELECT n, subject_name_key(name) AS name_key, subject_name_grams(subject_name_key(name)) AS grams
FROM unnest($1::text[]) WITH ORDINALITY AS t (name, n)
ORDER BY n;

-- get_gram_statistics --
-- The most common name bigrams and how many subjects hold each (estimated by ANALYZE); empty
-- before the first ANALYZE.
SELECT e.gram, (e.freq * greatest(c.reltuples, 0))::bigint AS subjects
FROM pg_stats st
JOIN pg_class c ON c.oid = 'subject_names'::regclass
CROSS JOIN LATERAL unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS e (gram, freq)
WHERE st.schemaname = current_schema() AND st.tablename = 'subject_names' AND st.attname = 'name_grams'
  AND e.gram IS NOT NULL;

-- list_candidates --
-- Subjects that may match: $1 query numbers, $2 probes (pairwise; a probe is '|'-joined bigrams a
-- candidate holds all of), $3 candidates per probe; $4 query numbers, $5 normalised names
-- (pairwise: exact matches); $6 query numbers, $7 credit codes (pairwise).
SELECT p.n, c.id, c.name_key, false AS by_code
FROM unnest($1::int[], $2::text[]) AS p (n, probe)
CROSS JOIN LATERAL (
    SELECT s.subject_id AS id, s.name_key FROM subject_names s
    WHERE s.name_grams @> string_to_array(p.probe, '|') LIMIT $3
) c
UNION ALL
SELECT k.n, s.subject_id, s.name_key, false
FROM unnest($4::int[], $5::text[]) AS k (n, name_key)
JOIN subject_names s ON s.name_key = k.name_key
UNION ALL
SELECT q.n, s.id, sn.name_key, true
FROM unnest($6::int[], $7::text[]) AS q (n, code)
JOIN subjects s ON s.credit_code = q.code
LEFT JOIN subject_names sn ON sn.subject_id = s.id;

-- resolve_person_hashes --
-- Anchors by person hash with their fact versions, the catalog/rules version, and the stored
-- status when computed from exactly those versions: $1 hashes. Unknown hashes are absent.
WITH config AS (SELECT (value #>> '{}')::bigint AS version FROM hub_meta WHERE key = 'config_version')
SELECT s.id, s.kind, s.name, s.credit_code, s.facts_version, config.version AS config_version, ss.status AS stored,
       p.id_hash
FROM persons p
JOIN subjects s ON s.person_id = p.id
CROSS JOIN config
LEFT JOIN subject_statuses ss
       ON ss.subject_id = s.id AND ss.facts_version = s.facts_version AND ss.config_version = config.version
WHERE p.id_hash = ANY($1::bytea[]);
