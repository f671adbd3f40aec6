-- The status store (subject_statuses) and the queue that says which statuses are stale.

-- claim_queued --
-- Take up to $1 subjects off the refresh queue, oldest first; other refreshers skip them. The
-- rows come back if the transaction does not commit. Returns each with its queue position.
DELETE FROM status_refresh_queue
WHERE subject_id IN (SELECT subject_id FROM status_refresh_queue ORDER BY queued_at, subject_id
                     LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING subject_id, queued_at;

-- claim_queued_after --
-- claim_queued for a refresher draining a long queue: up to $1 subjects queued after position
-- ($2 queued_at, $3 subject_id), the last it took. A drained queue's head is rows deleted but not
-- yet vacuumed, which a claim from the head visits one by one: at 1M queued, two thirds of the
-- database's time in a recompute (bench/RESULTS.md, "Scale").
DELETE FROM status_refresh_queue
WHERE subject_id IN (SELECT subject_id FROM status_refresh_queue WHERE (queued_at, subject_id) > ($2, $3)
                     ORDER BY queued_at, subject_id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING subject_id, queued_at;

-- queue_refresh --
-- The facts of subjects $1 changed in this transaction: they, and every subject that reads them one
-- relation away, get a new facts version and wait on the refresh queue (touch_subjects).
SELECT touch_subjects($1::bigint[]);

-- list_expired --
-- Stored statuses past their stable_until ($1 now), soonest first, skipping those parked under
-- catalog version $2 (they come back when their facts change) and those another refresher holds:
-- up to $3, locked for the refresh. Walks subject_statuses_expiry_idx from its start and stops at
-- $3, under a generic plan too: its cost follows how many are due, not how many are stored.
SELECT subject_id FROM subject_statuses ss
WHERE stable_until <= $1
  AND NOT EXISTS (SELECT 1 FROM parked_statuses p WHERE p.subject_id = ss.subject_id AND p.config_version = $2)
ORDER BY stable_until
LIMIT $3
FOR UPDATE SKIP LOCKED;

-- list_outdated --
-- Stored statuses of a catalog or rules version older than $1 (the current one), not parked under
-- it: up to $2, locked for the refresh, skipping those another refresher holds. Walks
-- subject_statuses_config_idx from its start (one statement with list_expired's condition, an OR,
-- was a scan of every stored status under the pool's generic plans: ~0.9 s at 1M subjects).
SELECT subject_id FROM subject_statuses ss
WHERE config_version < $1
  AND NOT EXISTS (SELECT 1 FROM parked_statuses p WHERE p.subject_id = ss.subject_id AND p.config_version = $1)
ORDER BY config_version
LIMIT $2
FOR UPDATE SKIP LOCKED;

-- queue_missing --
-- Queue every subject with no stored status that is not parked (a bulk load with triggers off,
-- a status deleted by hand); returns how many. A scan of every subject: run by
-- `recompute-statuses` and once when a refresher starts, never on a timer (a new subject is
-- queued by its insert trigger, subjects_queue_status).
WITH queued AS (
    INSERT INTO status_refresh_queue (subject_id)
    SELECT s.id FROM subjects s
    WHERE NOT EXISTS (SELECT 1 FROM subject_statuses ss WHERE ss.subject_id = s.id)
      AND NOT EXISTS (SELECT 1 FROM parked_statuses p WHERE p.subject_id = s.id)
    ON CONFLICT (subject_id) DO NOTHING
    RETURNING subject_id
)
SELECT count(*) FROM queued;

-- upsert_many --
-- Store computed statuses: $1 subject ids, $2 facts versions, $3 config versions, $4 computed for,
-- $5 stable until, $6 tiers, $7 on the serious-dishonest list, $8 on the red list, $9 statuses.
-- Never replaces a status computed from newer facts or a newer catalog.
INSERT INTO subject_statuses AS current (subject_id, facts_version, config_version, computed_for, stable_until, tier,
                                         on_serious_dishonest_list, on_red_list, status)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::text[],
                     $7::boolean[], $8::boolean[], $9::jsonb[])
ON CONFLICT (subject_id) DO UPDATE SET
    facts_version = excluded.facts_version, config_version = excluded.config_version,
    computed_for = excluded.computed_for, stable_until = excluded.stable_until, tier = excluded.tier,
    on_serious_dishonest_list = excluded.on_serious_dishonest_list, on_red_list = excluded.on_red_list,
    status = excluded.status, updated_at = now()
WHERE current.facts_version <= excluded.facts_version AND current.config_version <= excluded.config_version;

-- get_many_current --
-- Stored statuses still matching the subjects' facts versions and config version $3:
-- $1 subject ids, $2 their facts versions (pairwise).
SELECT ss.subject_id, ss.status
FROM unnest($1::bigint[], $2::bigint[]) AS k (subject_id, facts_version)
JOIN subject_statuses ss ON ss.subject_id = k.subject_id AND ss.facts_version = k.facts_version
                        AND ss.config_version = $3;

-- count_queued --
-- How many subjects wait for a refresh (for progress and health).
SELECT count(*) FROM status_refresh_queue;

-- plan_locks --
-- Plan lock_many for the table as it is now. Under the pool's generic plans, one made while
-- subject_statuses was empty (a fresh store, a TRUNCATE) scans the whole table for every batch
-- until autovacuum's next ANALYZE: 68% of a 100k recompute's database time (bench/RESULTS.md).
SET LOCAL plan_cache_mode = force_custom_plan;

-- plan_writes --
-- Back to generic plans for the batch's writes (under custom plans each row's foreign-key check
-- is planned anew).
SET LOCAL plan_cache_mode = force_generic_plan;

-- lock_many --
-- The stored statuses of these subjects, locked while their successors are computed and the
-- changes between them go to the outbox: $1 subject ids. Run between plan_locks and plan_writes.
SELECT subject_id, facts_version, config_version, status FROM subject_statuses
WHERE subject_id = ANY($1::bigint[])
ORDER BY subject_id
FOR UPDATE;

-- announce --
-- Tell every listening instance which statuses changed ($1 channel, $2 payloads); delivered when
-- the transaction commits, with the statuses it stored, or never.
SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload;

-- park --
-- Keep subjects whose status could not be computed, with the error: $1 subject ids, $2 facts
-- versions, $3 errors (pairwise), $4 config version, $5 at. Parked again: the error and count move on.
INSERT INTO parked_statuses AS p (subject_id, facts_version, config_version, error, parked_at)
SELECT subject_id, facts_version, $4, error, $5
FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS f (subject_id, facts_version, error)
ON CONFLICT (subject_id) DO UPDATE SET
    facts_version = excluded.facts_version, config_version = excluded.config_version, error = excluded.error,
    parked_at = excluded.parked_at, attempts = p.attempts + 1;

-- unpark --
-- These subjects' statuses were computed after all: $1 subject ids.
DELETE FROM parked_statuses WHERE subject_id = ANY($1::bigint[]);

-- retry_parked --
-- Put parked subjects back on the refresh queue: $1 subject ids, or null for all. Returns them.
WITH retried AS (
    DELETE FROM parked_statuses WHERE $1::bigint[] IS NULL OR subject_id = ANY($1::bigint[]) RETURNING subject_id
)
INSERT INTO status_refresh_queue (subject_id) SELECT subject_id FROM retried
ON CONFLICT (subject_id) DO UPDATE SET queued_at = status_refresh_queue.queued_at
RETURNING subject_id;
