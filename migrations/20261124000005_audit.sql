-- Who did what, when. Append-only: the database refuses to change or delete an entry.
CREATE TABLE audit_events (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       uuid REFERENCES users (id),
    integration_id uuid REFERENCES integrations (id),
    action         text NOT NULL,
    detail         text NOT NULL DEFAULT '' CHECK (length(detail) <= 1000)
);
CREATE INDEX audit_events_integration_idx ON audit_events (integration_id, at DESC);
CREATE INDEX audit_events_at_idx ON audit_events (at DESC);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
