-- Every running instance hears of a revoked (or deleted) client at once: the change sends
-- NOTIFY credithub_client_revoked with the client's id, delivered when the transaction commits,
-- whoever made it (the CLI, the API, an operator in psql). Instances drop the client from their
-- token cache and end its live subscriptions (services/tokens.py).

CREATE FUNCTION notify_client_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('credithub_client_revoked', OLD.id::text);
    RETURN NULL;
END $$;

CREATE TRIGGER clients_notify_revoked
    AFTER UPDATE OF revoked_at ON clients
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION notify_client_revoked();

CREATE TRIGGER clients_notify_deleted
    AFTER DELETE ON clients
    FOR EACH ROW EXECUTE FUNCTION notify_client_revoked();
