-- Pages of the review queue are kept in memory too (src/shared_cache.rs), and show each
-- submission's latest revision: a change to revisions announces itself like one to integrations.
CREATE TRIGGER revisions_queue_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON revisions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_queue_changed();
