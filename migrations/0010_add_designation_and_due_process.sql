-- Designation and due process: regulators bound to an authority, the subject's own role, the list
-- lifecycle (proposal, notice, defence, decision, end), exit reviews, and legal-basis levels.
--
-- How existing data is carried over (nothing is dropped):
-- * regulator clients issued before this migration are bound to no authority: they keep reading
--   everything a regulator reads, but designate and decide nothing until an operator issues them
--   a bound token (`client add NAME --role regulator --authority A`);
-- * every existing list entry was put in force by one act: it becomes IN_FORCE (or ENDED when it
--   had been removed, with its removal kept as the end), decided by whoever listed it, when it was
--   listed; an entry in force without an end gets one three years after it came into force (the
--   longest publicity window of a serious record); its legal basis level is recorded as
--   NORMATIVE_DOCUMENT, the rank nobody could have claimed more for without saying so;
-- * the seeded catalog is corrected in 0011.

ALTER TABLE clients DROP CONSTRAINT clients_role_check;
ALTER TABLE clients ADD CONSTRAINT clients_role_check
    CHECK (role IN ('platform', 'regulator', 'viewer', 'admin', 'subject'));
ALTER TABLE clients ADD COLUMN authority text CHECK (authority IS NULL OR length(btrim(authority)) BETWEEN 1 AND 200);
ALTER TABLE clients ADD COLUMN subject_id bigint REFERENCES subjects (id);
ALTER TABLE clients ADD COLUMN default_purpose text CHECK (default_purpose IS NULL OR length(default_purpose) <= 200);
ALTER TABLE clients ADD CONSTRAINT clients_subject_role CHECK ((role = 'subject') = (subject_id IS NOT NULL));
ALTER TABLE clients ADD CONSTRAINT clients_authority_role CHECK (authority IS NULL OR role = 'regulator');

-- Why a client read credit information, kept with the read.
ALTER TABLE audit_reads ADD COLUMN IF NOT EXISTS purpose text;

-- The list lifecycle.
ALTER TABLE list_entries DROP CONSTRAINT list_entries_list_check;
ALTER TABLE list_entries ADD CONSTRAINT list_entries_list_check
    CHECK (list IN ('SERIOUS_DISHONEST', 'JOINT_CONSTRAINT', 'RED'));
ALTER TABLE list_entries RENAME COLUMN listed_by TO proposed_by;
ALTER TABLE list_entries RENAME COLUMN listed_at TO proposed_at;
ALTER TABLE list_entries RENAME COLUMN removed_at TO ended_at;
ALTER TABLE list_entries RENAME COLUMN removed_by TO ended_by;
ALTER TABLE list_entries RENAME COLUMN removal_reason TO end_reason;
ALTER TABLE list_entries RENAME CONSTRAINT list_entries_removal TO list_entries_end;
ALTER TABLE list_entries ALTER COLUMN valid_from DROP NOT NULL;
ALTER TABLE list_entries
    ADD COLUMN state text NOT NULL DEFAULT 'PROPOSED' CHECK (state IN ('PROPOSED', 'IN_FORCE', 'DROPPED', 'ENDED')),
    ADD COLUMN proposed_by_platform text REFERENCES platforms (code),
    ADD COLUMN legal_basis_level text NOT NULL DEFAULT 'NORMATIVE_DOCUMENT' CHECK (legal_basis_level IN
        ('LAW', 'ADMINISTRATIVE_REGULATION', 'LOCAL_REGULATION', 'DEPARTMENTAL_RULE', 'NORMATIVE_DOCUMENT',
         'PLATFORM_RULE')),
    ADD COLUMN notice_sent_at timestamptz,
    ADD COLUMN defence_deadline timestamptz,
    ADD COLUMN decided_by text,
    ADD COLUMN decided_at timestamptz,
    ADD COLUMN decision_note text,
    ADD COLUMN decision_ref text,
    ADD COLUMN end_cause text CHECK (end_cause IN ('EXIT', 'REPAIRED', 'WITHDRAWN', 'SUPERSEDED'));

UPDATE list_entries SET
    state = CASE WHEN ended_at IS NULL THEN 'IN_FORCE' ELSE 'ENDED' END,
    decided_by = proposed_by,
    decided_at = proposed_at,
    decision_note = 'designated before the hub kept the due-process lifecycle (migration 0010)',
    end_cause = CASE WHEN ended_at IS NULL THEN NULL ELSE 'EXIT' END,
    valid_until = CASE WHEN valid_until IS NULL AND ended_at IS NULL THEN valid_from + interval '3 years'
                       ELSE valid_until END;
ALTER TABLE list_entries ALTER COLUMN legal_basis_level DROP DEFAULT;

ALTER TABLE list_entries ADD CONSTRAINT list_entries_lifecycle CHECK (CASE state
    WHEN 'PROPOSED' THEN valid_from IS NULL AND decided_at IS NULL AND ended_at IS NULL
    WHEN 'DROPPED' THEN valid_from IS NULL AND decided_at IS NOT NULL AND ended_at IS NULL
    WHEN 'IN_FORCE' THEN valid_from IS NOT NULL AND valid_until IS NOT NULL AND decided_at IS NOT NULL
                         AND ended_at IS NULL
    ELSE valid_from IS NOT NULL AND decided_at IS NOT NULL END);
DROP INDEX list_entries_list_idx;
CREATE INDEX list_entries_state_idx ON list_entries (state, list, id);

-- "Entry in force at an instant": the one definition every query and the engine's loader use
-- (its Python twin, domain.lists.entry_in_force, is held to it by a parity test).
CREATE FUNCTION entry_in_force(valid_from timestamptz, valid_until timestamptz, ended_at timestamptz,
                               at timestamptz) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT valid_from IS NOT NULL AND valid_from <= at
           AND (valid_until IS NULL OR at < valid_until)
           AND (ended_at IS NULL OR at < ended_at)
$$;

-- What the subject (or a platform for it) said before the decision.
CREATE TABLE listing_defences (
    id            bigserial PRIMARY KEY,
    entry_id      bigint NOT NULL REFERENCES list_entries (id),
    submitted_by  text NOT NULL,
    statement     text NOT NULL CHECK (length(statement) BETWEEN 1 AND 10000),
    submitted_at  timestamptz NOT NULL
);
CREATE INDEX listing_defences_entry_idx ON listing_defences (entry_id, id);

-- A record under an authority's listing was withdrawn, repaired or corrected by someone other
-- than that authority: the listing stands until its authority ends it or keeps it.
CREATE TABLE exit_reviews (
    id          bigserial PRIMARY KEY,
    entry_id    bigint NOT NULL REFERENCES list_entries (id),
    record_id   bigint NOT NULL REFERENCES credit_records (id),
    cause       text NOT NULL CHECK (cause IN ('WITHDRAWN', 'REPAIRED', 'CORRECTED')),
    opened_by   text NOT NULL,
    opened_at   timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'ENDED', 'KEPT')),
    decided_by  text,
    decided_at  timestamptz,
    note        text,
    CONSTRAINT exit_reviews_decision CHECK ((status = 'OPEN') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX exit_reviews_one_open ON exit_reviews (entry_id, record_id) WHERE status = 'OPEN';
CREATE INDEX exit_reviews_entry_idx ON exit_reviews (entry_id, id);
CREATE INDEX exit_reviews_open_idx ON exit_reviews (id) WHERE status = 'OPEN';

-- The longest a red-list entry may last, per regime (blacklists are bounded by their records).
UPDATE rule_sets SET rules = jsonb_set(rules, '{lists}', '{"red_max_months": 36}');
