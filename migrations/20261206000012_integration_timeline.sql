-- An integration's timeline (its latest 100 audit events, newest first) as JSON, so the pages that
-- show it read it inside the statement they already run instead of one of its own. PL/pgSQL keeps
-- the query's plan for the session. Read by src/audit.rs's Event, which sorts again: an ORDER BY
-- inside json_agg doubled the function's cost, and the ordered subquery gives that order already.
-- The actor's name is a lookup by key, not a join: a join hashed the whole users table each time.
CREATE FUNCTION integration_timeline(integration uuid) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT coalesce(json_agg(t), '[]'::json) FROM (
            SELECT e.at, (SELECT display_name FROM users WHERE id = e.actor_id) AS actor,
                   e.action, e.detail
            FROM audit_events e
            WHERE e.integration_id = integration
            ORDER BY e.at DESC, e.id DESC
            LIMIT 100) t);
END $$;
