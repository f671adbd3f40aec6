-- The restriction engine's data: versioned rule sets, the measures catalog, the two lists, and
-- the fact versions that let a computed credit status be cached safely.

CREATE TABLE rule_sets (
    code            text PRIMARY KEY,
    name            text NOT NULL,
    effective_from  timestamptz NOT NULL CONSTRAINT rule_sets_effective_from_key UNIQUE,
    rules           jsonb NOT NULL,
    source          text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE rule_sets IS 'Publicity windows by severity and tier thresholds; the set in force at an instant governs it.';

CREATE TABLE measures (
    code             text PRIMARY KEY CONSTRAINT measures_code_format CHECK (code ~ '^[A-Z0-9_]{1,64}$'),
    kind             text NOT NULL CHECK (kind IN ('RESTRICTION', 'INCENTIVE')),
    mandatory        boolean NOT NULL,
    legal_basis      text NOT NULL CONSTRAINT measures_legal_basis_required CHECK (length(btrim(legal_basis)) > 0),
    legal_basis_ref  text,
    description      text NOT NULL DEFAULT '',
    subject_kinds    text[] NOT NULL CHECK (cardinality(subject_kinds) > 0
                         AND subject_kinds <@ ARRAY['MERCHANT', 'ANCHOR', 'MCN_AGENCY']),
    scope            text NOT NULL CHECK (scope IN ('ALL_PLATFORMS', 'ORIGIN_PLATFORM')),
    trigger          jsonb NOT NULL,
    duration_months  integer CHECK (duration_months IS NULL OR duration_months > 0),
    active           boolean NOT NULL DEFAULT true,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    updated_by       text NOT NULL DEFAULT 'migration'
);

CREATE TABLE list_entries (
    id               bigserial PRIMARY KEY,
    list             text NOT NULL CHECK (list IN ('SERIOUS_DISHONEST', 'RED')),
    subject_id       bigint NOT NULL REFERENCES subjects (id),
    authority        text NOT NULL CHECK (length(authority) > 0),
    listed_by        text NOT NULL,
    listed_at        timestamptz NOT NULL DEFAULT now(),
    reason           text NOT NULL,
    legal_basis      text NOT NULL CHECK (length(btrim(legal_basis)) > 0),
    legal_basis_ref  text,
    exit_condition   text NOT NULL CHECK (length(btrim(exit_condition)) > 0),
    valid_from       timestamptz NOT NULL,
    valid_until      timestamptz CHECK (valid_until IS NULL OR valid_until > valid_from),
    removed_at       timestamptz,
    removed_by       text,
    removal_reason   text,
    CONSTRAINT list_entries_removal CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE INDEX list_entries_subject_idx ON list_entries (subject_id);
CREATE INDEX list_entries_list_idx ON list_entries (list, id) WHERE removed_at IS NULL;

CREATE TABLE list_entry_records (
    entry_id   bigint NOT NULL REFERENCES list_entries (id),
    record_id  bigint NOT NULL REFERENCES credit_records (id),
    PRIMARY KEY (entry_id, record_id)
);
CREATE INDEX list_entry_records_record_idx ON list_entry_records (record_id);

-- Fact versions. Any change to what compute_status reads about a subject gives it (and the
-- subjects one relation away, whose flags may propagate from it) a new version, so a status
-- cached under the old version is never served again. Statement-level triggers keep bulk
-- loads to one UPDATE per statement.
CREATE SEQUENCE facts_version_seq;
ALTER TABLE subjects ADD COLUMN facts_version bigint NOT NULL DEFAULT nextval('facts_version_seq');

CREATE FUNCTION touch_subjects(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE subjects SET facts_version = nextval('facts_version_seq')
    WHERE id IN (
        SELECT unnest(ids)
        UNION SELECT m.anchor_id FROM mcn_signings m WHERE m.agency_id = ANY (ids)
        UNION SELECT other.subject_id
              FROM legal_representatives mine
              JOIN legal_representatives other ON other.person_id = mine.person_id
              WHERE mine.subject_id = ANY (ids)
    );
$$;

CREATE FUNCTION touch_from_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM touch_subjects(ARRAY(SELECT DISTINCT subject_id FROM changed));
    RETURN NULL;
END $$;
CREATE TRIGGER credit_records_touch_insert AFTER INSERT ON credit_records
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_records();
CREATE TRIGGER credit_records_touch_update AFTER UPDATE ON credit_records
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_records();
CREATE TRIGGER list_entries_touch_insert AFTER INSERT ON list_entries
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_records();
CREATE TRIGGER list_entries_touch_update AFTER UPDATE ON list_entries
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_records();

CREATE FUNCTION touch_from_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM touch_subjects(ARRAY(
        SELECT DISTINCT r.subject_id FROM changed c JOIN credit_records r ON r.id = c.record_id));
    RETURN NULL;
END $$;
CREATE TRIGGER record_status_changes_touch AFTER INSERT ON record_status_changes
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_status_changes();

CREATE FUNCTION touch_from_entry_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM touch_subjects(ARRAY(
        SELECT DISTINCT e.subject_id FROM changed c JOIN list_entries e ON e.id = c.entry_id));
    RETURN NULL;
END $$;
CREATE TRIGGER list_entry_records_touch AFTER INSERT ON list_entry_records
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_entry_records();

CREATE FUNCTION touch_from_signings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM touch_subjects(ARRAY(SELECT agency_id FROM changed UNION SELECT anchor_id FROM changed));
    RETURN NULL;
END $$;
CREATE TRIGGER mcn_signings_touch_insert AFTER INSERT ON mcn_signings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_signings();
CREATE TRIGGER mcn_signings_touch_update AFTER UPDATE ON mcn_signings
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_signings();
CREATE TRIGGER legal_representatives_touch_insert AFTER INSERT ON legal_representatives
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_records();
CREATE TRIGGER legal_representatives_touch_update AFTER UPDATE ON legal_representatives
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION touch_from_records();

-- The catalog and rule sets carry one version between them; instances reload both when it moves.
CREATE SEQUENCE config_version_seq;
INSERT INTO hub_meta (key, value) VALUES ('config_version', to_jsonb(nextval('config_version_seq')));

CREATE FUNCTION touch_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hub_meta SET value = to_jsonb(nextval('config_version_seq')), updated_at = now()
    WHERE key = 'config_version';
    RETURN NULL;
END $$;
CREATE TRIGGER measures_touch_config AFTER INSERT OR UPDATE OR DELETE ON measures
    FOR EACH STATEMENT EXECUTE FUNCTION touch_config();
CREATE TRIGGER rule_sets_touch_config AFTER INSERT OR UPDATE OR DELETE ON rule_sets
    FOR EACH STATEMENT EXECUTE FUNCTION touch_config();
