-- Every instance keeps the checklist settings, the egress addresses and the signed-in users in
-- memory (src/shared_cache.rs) and drops them when these triggers announce a change.
CREATE FUNCTION notify_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_changed', 'settings');
    RETURN NULL;
END $$;

CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_changed', 'user:' || (CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
    RETURN NULL;
END $$;

-- A company's name is part of each of its users as the pages show them.
CREATE FUNCTION notify_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_changed', 'users');
    RETURN NULL;
END $$;

CREATE TRIGGER checklist_settings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON checklist_settings
    FOR EACH STATEMENT EXECUTE FUNCTION notify_settings_changed();
CREATE TRIGGER egress_ips_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON egress_ips
    FOR EACH STATEMENT EXECUTE FUNCTION notify_settings_changed();
CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION notify_user_changed();
CREATE TRIGGER companies_changed AFTER UPDATE OR DELETE ON companies
    FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();
