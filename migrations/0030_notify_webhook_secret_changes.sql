-- Every running instance hears of a change to a platform's secrets at once: adding, retiring or
-- deleting one sends NOTIFY credithub_secrets_changed with the platform's code, delivered when the
-- transaction commits, whoever made it (the CLI, the API, an operator in psql). Instances keep the
-- webhook secrets they verify signatures with in memory and drop the platform's on the notice
-- (services/tokens.py), so a retired secret stops verifying at once. One notice per platform a
-- statement touched (PostgreSQL folds equal notices of a transaction into one).

CREATE FUNCTION notify_secrets_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('credithub_secrets_changed', platform) FROM (SELECT DISTINCT platform FROM changed) AS touched;
    RETURN NULL;
END $$;

CREATE TRIGGER platform_secrets_notify_insert AFTER INSERT ON platform_secrets
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_secrets_changed();
CREATE TRIGGER platform_secrets_notify_update AFTER UPDATE ON platform_secrets
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_secrets_changed();
CREATE TRIGGER platform_secrets_notify_delete AFTER DELETE ON platform_secrets
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_secrets_changed();
