-- The review queue's counts are kept in memory (src/shared_cache.rs) until the integrations table
-- changes: any insert, update or delete of integrations announces it.
CREATE FUNCTION notify_queue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_changed', 'queue');
    RETURN NULL;
END $$;

CREATE TRIGGER integrations_queue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON integrations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_queue_changed();
