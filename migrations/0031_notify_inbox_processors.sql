-- A webhook accepted by one process wakes the inbox processor of another (the background process
-- of `serve`, another instance) at once, instead of leaving the event to its next poll. The insert
-- that stores an accepted event calls inbox_notify(due) in its RETURNING list, so the notice costs
-- no round trip of its own: due is the caller's say (at most one notice per short interval per
-- process, services/inbox_notices.py), and only a row actually inserted calls it (a repeat stores
-- nothing and wakes no one). NOTIFY credithub_inbox is delivered when the transaction commits, so a
-- woken processor always finds the event. Returns due.

CREATE FUNCTION inbox_notify(due boolean) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF due THEN
        PERFORM pg_notify('credithub_inbox', '');
    END IF;
    RETURN due;
END $$;
