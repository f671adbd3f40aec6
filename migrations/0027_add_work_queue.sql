-- One mechanism for the leased work queues (ADR 0013): the webhook inbox (inbox_events) and the
-- push outbox (outbox). No table changes: both tables already have the columns it works on.
--
-- A leased queue is a table with the columns id, status, attempts, next_attempt_at, locked_until,
-- claim_token and last_error. A row is PENDING (due at next_attempt_at), leased (a state the
-- queue names, until locked_until, to the worker holding claim_token), finished (a state the
-- queue names) or DEAD (parked with its error until an operator requeues it).
--
-- define_work_queue writes the mechanism once and, for one table, creates its functions:
--   work_claim(NULL::<table>, at, max_rows, lease_until, token)   the due rows, leased (SETOF <table>)
--   work_complete(NULL::<table>, item, token, at)                 finished
--   work_fail(NULL::<table>, item, token, error, retry_at)        due again at retry_at
--   work_park(NULL::<table>, item, token, error, at)              DEAD, with its error
--   work_requeue(NULL::<table>, items, at)                        DEAD rows back to PENDING
-- (overloaded on the table's row type). Every change to a leased row is fenced by its claim token:
-- once the lease has run out and another worker has claimed the row, the first worker's complete,
-- fail or park changes nothing and returns false, so that worker rolls back what it did.
--
-- Why generated: the statements differ only in the table, state names and columns, but a
-- statement built at each call (EXECUTE) is parsed and planned every time, ~10 times the cost of
-- the cached plan of a function's static statement, and complete runs once per event. So the
-- functions are created here with static statements, and PostgreSQL caches their plans per
-- connection, as it does for the prepared statements the queues ran before.

CREATE FUNCTION define_work_queue(
    queue regclass,
    claimed text,                          -- the state of a leased row
    done text,                             -- the state of a row worked to the end
    stamped_when_done text[] DEFAULT '{}', -- columns set to the time a row is done
    stamped_when_parked text[] DEFAULT '{}', -- columns set to the time a row is parked
    in_order_of text[] DEFAULT '{}',       -- rows sharing these columns' values go one at a time, in id order
    reset_on_requeue text[] DEFAULT '{}'   -- counters besides attempts that a requeue sets back to 0
) RETURNS void LANGUAGE plpgsql AS $define$
DECLARE
    in_order text := '';
    done_stamps text := (SELECT coalesce(string_agg(format(', %I = at', col), ''), '')
                         FROM unnest(stamped_when_done) AS col);
    park_stamps text := (SELECT coalesce(string_agg(format(', %I = at', col), ''), '')
                         FROM unnest(stamped_when_parked) AS col);
    resets text := (SELECT coalesce(string_agg(format(', %I = 0', col), ''), '') FROM unnest(reset_on_requeue) AS col);
BEGIN
    IF cardinality(in_order_of) > 0 THEN
        SELECT format(' AND NOT EXISTS (SELECT 1 FROM %s earlier WHERE %s AND earlier.id < q.id'
                      ' AND earlier.status IN (''PENDING'', %L))',
                      queue, string_agg(format('earlier.%1$I = q.%1$I', col), ' AND '), claimed)
        INTO in_order FROM unnest(in_order_of) AS col;
    END IF;

    -- Take up to max_rows rows due at `at` (PENDING and due, or leased and the lease ran out),
    -- oldest due first, skipping rows another worker is claiming; lease them until lease_until
    -- under token. A row waits while an earlier one with the same in_order_of values is unfinished.
    EXECUTE format($sql$
        CREATE OR REPLACE FUNCTION work_claim(queue %1$s, at timestamptz, max_rows integer,
                                              lease_until timestamptz, token uuid)
            RETURNS SETOF %1$s LANGUAGE plpgsql AS $fn$
        BEGIN
            RETURN QUERY
            WITH due AS (
                SELECT q.id FROM %1$s q
                WHERE q.status IN ('PENDING', %2$L) AND q.next_attempt_at <= at
                  AND (q.status = 'PENDING' OR q.locked_until <= at)%3$s
                ORDER BY q.next_attempt_at, q.id
                LIMIT max_rows
                FOR UPDATE SKIP LOCKED
            ), leased AS (
                UPDATE %1$s q SET status = %2$L, locked_until = lease_until, claim_token = token,
                                  attempts = q.attempts + 1
                FROM due WHERE q.id = due.id
                RETURNING q.*
            )
            SELECT * FROM leased;
        END $fn$
    $sql$, queue, claimed, in_order);

    -- The leased row is finished: done, stamped, its lease and error cleared.
    EXECUTE format($sql$
        CREATE OR REPLACE FUNCTION work_complete(queue %1$s, item bigint, token uuid, at timestamptz)
            RETURNS boolean LANGUAGE plpgsql AS $fn$
        BEGIN
            UPDATE %1$s SET status = %2$L, locked_until = NULL, claim_token = NULL, last_error = NULL%3$s
            WHERE id = item AND claim_token = token AND status = %4$L;
            RETURN FOUND;
        END $fn$
    $sql$, queue, done, done_stamps, claimed);

    -- The leased row failed and is due again at retry_at, with its error; its lease is given up.
    EXECUTE format($sql$
        CREATE OR REPLACE FUNCTION work_fail(queue %1$s, item bigint, token uuid, error text, retry_at timestamptz)
            RETURNS boolean LANGUAGE plpgsql AS $fn$
        BEGIN
            UPDATE %1$s SET status = 'PENDING', next_attempt_at = retry_at, last_error = error,
                            locked_until = NULL, claim_token = NULL
            WHERE id = item AND claim_token = token AND status = %2$L;
            RETURN FOUND;
        END $fn$
    $sql$, queue, claimed);

    -- The leased row is parked DEAD with its error, stamped.
    EXECUTE format($sql$
        CREATE OR REPLACE FUNCTION work_park(queue %1$s, item bigint, token uuid, error text, at timestamptz)
            RETURNS boolean LANGUAGE plpgsql AS $fn$
        BEGIN
            UPDATE %1$s SET status = 'DEAD', last_error = error, locked_until = NULL, claim_token = NULL%2$s
            WHERE id = item AND claim_token = token AND status = %3$L;
            RETURN FOUND;
        END $fn$
    $sql$, queue, park_stamps, claimed);

    -- These parked rows get a fresh round of attempts from `at`; rows no longer DEAD are left
    -- alone. Returns the ids requeued, in order.
    EXECUTE format($sql$
        CREATE OR REPLACE FUNCTION work_requeue(queue %1$s, items bigint[], at timestamptz)
            RETURNS SETOF bigint LANGUAGE plpgsql AS $fn$
        BEGIN
            RETURN QUERY
            WITH requeued AS (
                UPDATE %1$s SET status = 'PENDING', next_attempt_at = at, attempts = 0, last_error = NULL%2$s
                WHERE id = ANY(items) AND status = 'DEAD'
                RETURNING id
            )
            SELECT requeued.id FROM requeued ORDER BY requeued.id;
        END $fn$
    $sql$, queue, resets);
END $define$;

-- An inbox event is done once applied; a parked one keeps the time its last attempt was due.
SELECT define_work_queue('inbox_events', claimed => 'PROCESSING', done => 'DONE',
                         stamped_when_done => '{processed_at}');

-- An outbox message is done once delivered. Delivered and parked messages keep the time of their
-- last attempt in next_attempt_at; a platform gets a subject's messages in order; a replay
-- forgets the throttling too.
SELECT define_work_queue('outbox', claimed => 'DELIVERING', done => 'DELIVERED',
                         stamped_when_done => '{delivered_at,next_attempt_at}',
                         stamped_when_parked => '{next_attempt_at}',
                         in_order_of => '{platform,subject_id}',
                         reset_on_requeue => '{throttled}');
