-- "One relation away", written once. A row says that subject_id's credit status reads related_id's
-- list entries while the relation holds, [valid_from, valid_to):
--   MCN_SIGNING           an anchor reads the MCN agencies that signed it;
--   LEGAL_REPRESENTATIVE  a company reads the other companies its legal representative represents,
--                         while both representations hold.
-- The fact loader reads it forwards (db/sql/facts.sql: a subject's related facts, which the engine
-- propagates flags along, credithub.domain.flags._propagated); touch_subjects reads it backwards
-- (whose status must be recomputed when a subject's facts change). An integration test holds the two
-- directions together.
CREATE VIEW subject_relations AS
    SELECT m.anchor_id AS subject_id, 'MCN_SIGNING'::text AS relation, m.agency_id AS related_id,
           m.valid_from, m.valid_to
    FROM mcn_signings m
    UNION ALL
    SELECT mine.subject_id, 'LEGAL_REPRESENTATIVE'::text, theirs.subject_id,
           greatest(mine.valid_from, theirs.valid_from), least(mine.valid_to, theirs.valid_to)
    FROM legal_representatives mine
    JOIN legal_representatives theirs ON theirs.person_id = mine.person_id AND theirs.subject_id <> mine.subject_id;

-- The current definition of touch_subjects (0004 wrote it, 0006 added the refresh queue; both
-- copied the relation rule by hand). The subjects' facts changed: they, and every subject that reads
-- them one relation away, get a new facts version (the key of every cached status) and are queued
-- for the status refresher. Called by the services that change facts (services/statuses
-- .queue_refresh), so a use case shows the refresh it causes, and by the fact-version triggers (0004)
-- for every write to the fact tables, which the bulk paths (authority import, demo world) rely on;
-- calling it again in the same transaction changes nothing a reader can see.
CREATE OR REPLACE FUNCTION touch_subjects(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH touched AS (
        UPDATE subjects SET facts_version = nextval('facts_version_seq')
        WHERE id IN (SELECT unnest(ids) UNION SELECT r.subject_id FROM subject_relations r WHERE r.related_id = ANY (ids))
        RETURNING id
    )
    INSERT INTO status_refresh_queue (subject_id) SELECT id FROM touched ON CONFLICT (subject_id) DO NOTHING;
$$;
