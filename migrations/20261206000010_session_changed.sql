-- Every instance keeps the session records it has read in memory (src/web/session_store.rs) and
-- drops one when this trigger announces that it was written or deleted, wherever that happened:
-- a sign-out on one instance signs the session out on all of them.
--
-- The table is tower-sessions' own (PostgresStore::migrate, run after these migrations makes it
-- the same way); it is made here first so that the trigger has a table to go on.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id text PRIMARY KEY NOT NULL,
    data bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);

CREATE FUNCTION notify_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_changed', 'session:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER session_changed AFTER UPDATE OR DELETE ON tower_sessions.session
    FOR EACH ROW EXECUTE FUNCTION notify_session_changed();
