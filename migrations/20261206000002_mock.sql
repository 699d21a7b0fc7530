-- The mock of each integration: keys to call it with, and the log of its latest calls.

-- A mock key is shown once and stored as a digest, like personal access tokens.
CREATE TABLE mock_keys (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix         text NOT NULL,
    key_hash       bytea NOT NULL UNIQUE,
    created_by     uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz
);
CREATE INDEX mock_keys_integration_idx ON mock_keys (integration_id) WHERE revoked_at IS NULL;

-- The last calls per integration (the writer keeps 100). The request body is shown only to the
-- user answerable for the call (`caller`: the token's user, or the key's creator).
CREATE TABLE mock_calls (
    id             bigserial PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    at             timestamptz NOT NULL DEFAULT now(),
    method         text NOT NULL,
    path           text NOT NULL,
    source         text NOT NULL,
    scenario       text NOT NULL,
    status         integer NOT NULL,
    caller         uuid NOT NULL REFERENCES users (id),
    caller_label   text NOT NULL,
    request_body   text NOT NULL DEFAULT ''
);
CREATE INDEX mock_calls_integration_idx ON mock_calls (integration_id, id DESC);

-- Every instance keeps compiled mocks and known keys in memory; these notifications tell all of
-- them when what they hold changed, whoever changed it.
CREATE FUNCTION notify_mock_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mock_changed', COALESCE(NEW.integration_id, OLD.integration_id)::text);
    RETURN NULL;
END $$;
CREATE FUNCTION notify_integration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mock_changed', COALESCE(NEW.id, OLD.id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER endpoints_mock AFTER INSERT OR UPDATE OR DELETE ON endpoints
    FOR EACH ROW EXECUTE FUNCTION notify_mock_changed();
CREATE TRIGGER sections_mock AFTER INSERT OR UPDATE OR DELETE ON integration_sections
    FOR EACH ROW EXECUTE FUNCTION notify_mock_changed();
CREATE TRIGGER revisions_mock AFTER INSERT OR UPDATE OR DELETE ON revisions
    FOR EACH ROW EXECUTE FUNCTION notify_mock_changed();
CREATE TRIGGER integrations_mock AFTER UPDATE OR DELETE ON integrations
    FOR EACH ROW EXECUTE FUNCTION notify_integration_changed();
CREATE TRIGGER mock_keys_mock AFTER INSERT OR UPDATE OR DELETE ON mock_keys
    FOR EACH ROW EXECUTE FUNCTION notify_mock_changed();
