-- Screening names without pg_trgm (the embedded PostgreSQL has no contrib extensions): each
-- subject's name normalised (full/half width, case, spaces and punctuation, legal-form suffixes)
-- and its character bigrams, kept by the database itself as generated columns, with a GIN index.
-- Candidates are subjects sharing the query's rarest bigrams; rapidfuzz scores them in Python.

-- The name as screening compares it: NFKC (full-width letters, digits and brackets become
-- half-width), lower case, no spaces or punctuation, no legal-form suffix.
-- 上海信云美妆有限公司 and 上海 信云美妆（公司） both become 上海信云美妆.
CREATE FUNCTION subject_name_key(name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT regexp_replace(
        regexp_replace(lower(normalize(name, NFKC)),
                       '[[:space:][:punct:]·・•、，。：；！？（）【】〔〕〈〉《》「」『』“”‘’﹝﹞]+', '', 'g'),
        '(集团)?(股份有限公司|有限责任公司|有限公司|股份公司|分公司|公司|集团|个体工商户|个人独资企业|有限合伙|普通合伙'
        '|合伙企业|companylimited|colimited|coltd|limited|ltd|incorporated|inc|corporation|corp)$',
        '')
$$;

-- The distinct character bigrams of a normalised name (a one-character name is its own gram).
CREATE FUNCTION subject_name_grams(name_key text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN length(name_key) = 1 THEN ARRAY[name_key]
        ELSE ARRAY(SELECT DISTINCT substr(name_key, i, 2) FROM generate_series(1, length(name_key) - 1) AS i
                   ORDER BY 1)
    END
$$;

ALTER TABLE subjects
    ADD COLUMN name_key text GENERATED ALWAYS AS (subject_name_key(name)) STORED,
    ADD COLUMN name_grams text[] GENERATED ALWAYS AS (subject_name_grams(subject_name_key(name))) STORED;
CREATE INDEX subjects_name_grams_idx ON subjects USING gin (name_grams);
CREATE INDEX subjects_name_key_idx ON subjects (name_key);
-- The planner's statistics name the most common bigrams (pg_stats.most_common_elems); screening
-- reads them to leave those out of its probes. Keep up to 10,000 of them.
ALTER TABLE subjects ALTER COLUMN name_grams SET STATISTICS 1000;
