-- An integration's timeline (its latest 100 audit events, newest first) as JSON, so the pages that
-- show it read it inside the statement they already run instead of one of its own. PL/pgSQL keeps
-- the query's plan for the session. Read by src/audit.rs's Event.
CREATE FUNCTION integration_timeline(integration uuid) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT coalesce(json_agg(t ORDER BY t.at DESC, t.id DESC), '[]'::json) FROM (
            SELECT e.id, e.at, u.display_name AS actor, e.action, e.detail, i.name AS integration
            FROM audit_events e
            LEFT JOIN users u ON u.id = e.actor_id
            LEFT JOIN integrations i ON i.id = e.integration_id
            WHERE e.integration_id = integration
            ORDER BY e.at DESC, e.id DESC
            LIMIT 100) t);
END $$;
