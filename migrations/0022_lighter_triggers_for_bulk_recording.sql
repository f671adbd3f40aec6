-- Less trigger work per recorded row, the same results: an import of 100,000 authority decisions
-- spent most of its database time in the triggers below.

-- 1. A status change needs no fact-version touch of its own when this transaction wrote its
-- record.
--
-- Every insert or update of a credit record touches the record's subject (and its neighbours):
-- a new fact version and a place in the status refresh queue (touch_from_records, 0004/0006).
-- A status change is written together with such a write: a new record with its first status
-- change, a withdrawal (the record's status updated, then the change kept). Touching the subject
-- again for the change repeated that work for every subject: a batch of 10,000 decisions updated
-- its ~8,600 subjects twice.
--
-- A fact version only has to differ once the transaction commits: other sessions never see the
-- writes in between. So a change is skipped when its record's row was last written by this very
-- transaction (the row's xmin is the transaction's own id). A record written in a savepoint has
-- a subtransaction's id and is touched as before, as is a record written by an earlier
-- transaction: nothing that used to be touched is left untouched.
CREATE OR REPLACE FUNCTION touch_from_status_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM touch_subjects(ARRAY(
        SELECT DISTINCT r.subject_id FROM changed c JOIN credit_records r ON r.id = c.record_id
        WHERE r.xmin <> pg_current_xact_id()::xid));
    RETURN NULL;
END $$;

-- 2. A new subject's screening key is computed once (0018 computed it twice: once to keep, once
-- for its bigrams). The key is most of the cost, ~40 µs a name: registering 33,000 companies
-- spent 1.4 s on the second one. MATERIALIZED keeps the planner from inlining the key into
-- both places again.
CREATE OR REPLACE FUNCTION index_subject_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH keyed AS MATERIALIZED (SELECT id, subject_name_key(name) AS name_key FROM changed)
    INSERT INTO subject_names (subject_id, name_key, name_grams)
    SELECT id, name_key, subject_name_grams(name_key) FROM keyed
    ON CONFLICT (subject_id) DO UPDATE SET name_key = excluded.name_key, name_grams = excluded.name_grams;
    RETURN NULL;
END $$;

-- 3. Room on each page of subjects for the new row version a touch writes. A fact version is not
-- indexed, so with room on its page the update is a HOT one: no new entry in any of the table's
-- four indexes. Full pages (the default fill) sent every touch to all four; at 70% a batch of
-- 10,000 decisions spent ~20% less in its record statement. Pages written from now on (new
-- subjects, or a table rewrite) keep the room.
ALTER TABLE subjects SET (fillfactor = 70);
