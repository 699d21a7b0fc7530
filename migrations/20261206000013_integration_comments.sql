-- The comments on an integration that a viewer may see (the published ones and the viewer's own
-- drafts), oldest first, as JSON: the integration and review pages read them inside the statement
-- they already run. Read by src/review/comments/model.rs's CommentRow (which sorts again, as the
-- timeline's reader does; see 20261206000012).
CREATE FUNCTION integration_comments(integration uuid, viewer uuid) RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        SELECT coalesce(json_agg(t), '[]'::json) FROM (
            SELECT c.id, c.revision, c.endpoint_id, c.item, c.parent_id, u.display_name AS author,
                   u.role AS author_role, c.body, c.state, c.published, c.created_at
            FROM comments c JOIN users u ON u.id = c.author_id
            WHERE c.integration_id = integration AND (c.published OR c.author_id = viewer)
            ORDER BY c.created_at, c.id) t);
END $$;
