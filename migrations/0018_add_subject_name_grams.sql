-- Screening names without pg_trgm (the embedded PostgreSQL has no contrib extensions): each
-- subject's name normalised (full/half width, case, spaces and punctuation, legal-form suffixes)
-- and its character bigrams, kept by the database itself (triggers), with a GIN index.
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

-- One row per subject, kept by triggers: a table of its own, so that the frequent updates of a
-- subject's fact version never recompute the name or touch the GIN index.
CREATE TABLE subject_names (
    subject_id  bigint PRIMARY KEY REFERENCES subjects (id),
    name_key    text NOT NULL,
    name_grams  text[] NOT NULL
);
CREATE INDEX subject_names_grams_idx ON subject_names USING gin (name_grams);
CREATE INDEX subject_names_key_idx ON subject_names (name_key);
-- The planner's statistics name the most common bigrams (pg_stats.most_common_elems); screening
-- reads them to leave those out of its probes. Keep up to 10,000 of them.
ALTER TABLE subject_names ALTER COLUMN name_grams SET STATISTICS 1000;

CREATE FUNCTION index_subject_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO subject_names (subject_id, name_key, name_grams)
    SELECT id, subject_name_key(name), subject_name_grams(subject_name_key(name)) FROM changed
    ON CONFLICT (subject_id) DO UPDATE SET name_key = excluded.name_key, name_grams = excluded.name_grams;
    RETURN NULL;
END $$;
CREATE TRIGGER subjects_index_names AFTER INSERT ON subjects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION index_subject_names();

CREATE FUNCTION reindex_subject_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE subject_names SET name_key = subject_name_key(NEW.name), name_grams = subject_name_grams(subject_name_key(NEW.name))
    WHERE subject_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER subjects_reindex_name AFTER UPDATE OF name ON subjects
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION reindex_subject_name();

INSERT INTO subject_names (subject_id, name_key, name_grams)
SELECT id, subject_name_key(name), subject_name_grams(subject_name_key(name)) FROM subjects;
