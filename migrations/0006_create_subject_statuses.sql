-- Computed credit statuses, kept current by the status refresher (credithub/services/statuses.py).
--
-- A stored status is valid for its facts version and config version, at any instant from
-- computed_for until stable_until (compute_status guarantees nothing changes in between). Reads
-- use it only when both versions still match; otherwise they compute, as if it were not there.

CREATE TABLE subject_statuses (
    subject_id                 bigint PRIMARY KEY REFERENCES subjects (id),
    facts_version              bigint NOT NULL,
    config_version             bigint NOT NULL,
    computed_for               timestamptz NOT NULL,
    stable_until               timestamptz,
    tier                       text NOT NULL CHECK (tier IN ('A', 'B', 'C', 'D')),
    on_serious_dishonest_list  boolean NOT NULL,
    on_red_list                boolean NOT NULL,
    status                     jsonb NOT NULL,
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subject_statuses_window CHECK (stable_until IS NULL OR stable_until > computed_for)
);
CREATE INDEX subject_statuses_tier_idx ON subject_statuses (tier, subject_id);
CREATE INDEX subject_statuses_expiry_idx ON subject_statuses (stable_until) WHERE stable_until IS NOT NULL;
CREATE INDEX subject_statuses_config_idx ON subject_statuses (config_version);

-- Subjects whose facts changed since their status was stored. touch_subjects() (0004) fills it.
CREATE TABLE status_refresh_queue (
    subject_id  bigint PRIMARY KEY REFERENCES subjects (id),
    queued_at   timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION touch_subjects(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH touched AS (
        UPDATE subjects SET facts_version = nextval('facts_version_seq')
        WHERE id IN (
            SELECT unnest(ids)
            UNION SELECT m.anchor_id FROM mcn_signings m WHERE m.agency_id = ANY (ids)
            UNION SELECT other.subject_id
                  FROM legal_representatives mine
                  JOIN legal_representatives other ON other.person_id = mine.person_id
                  WHERE mine.subject_id = ANY (ids)
        )
        RETURNING id
    )
    INSERT INTO status_refresh_queue (subject_id) SELECT id FROM touched ON CONFLICT (subject_id) DO NOTHING;
$$;

CREATE FUNCTION queue_new_subjects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_refresh_queue (subject_id) SELECT id FROM changed ON CONFLICT (subject_id) DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER subjects_queue_status AFTER INSERT ON subjects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION queue_new_subjects();
