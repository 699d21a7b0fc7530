-- Live checks of partners' staging endpoints. A row is written before the request goes out
-- (verdict 'running'), so the rate limits count checks in flight; the report is filled after.
-- Credential values typed for a check are never stored: `target` keeps the <<placeholders>>.
CREATE TABLE staging_checks (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    -- Endpoint ids are stable across revisions; no foreign key, because a check outlives an
    -- endpoint deleted from the draft.
    endpoint_id    uuid NOT NULL,
    -- '' for the success example, else the error scenario's key "<http status> <partner code>".
    scenario       text NOT NULL DEFAULT '' CHECK (length(scenario) <= 200),
    -- The revision checked; null when a partner checked the draft.
    revision       integer,
    -- SHA-256 of the endpoint as checked, so a later edit shows the result is about older content.
    fingerprint    text NOT NULL,
    checked_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    checked_at     timestamptz NOT NULL DEFAULT now(),
    verdict        text NOT NULL CHECK (verdict IN ('running', 'pass', 'warn', 'fail', 'refused')),
    target         text NOT NULL CHECK (length(target) <= 4000),
    report         jsonb NOT NULL DEFAULT '{}'
);
-- Pages read the latest check per endpoint and scenario: an index-only walk, then the few reports.
CREATE INDEX staging_checks_latest_idx ON staging_checks (integration_id, endpoint_id, scenario, checked_at DESC)
    INCLUDE (verdict, id);
CREATE INDEX staging_checks_user_idx ON staging_checks (checked_by, checked_at);

-- "Check all": the endpoints are checked one after another in the background.
CREATE TABLE staging_runs (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    started_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    -- Moved on after every endpoint; a run whose heartbeat stopped was cut off by a restart.
    heartbeat_at   timestamptz NOT NULL DEFAULT now(),
    total          integer NOT NULL,
    done           integer NOT NULL DEFAULT 0
);
CREATE INDEX staging_runs_integration_idx ON staging_runs (integration_id, started_at DESC);

-- Ports other than 443 that an admin allows for one host's staging checks.
CREATE TABLE staging_ports (
    id       uuid PRIMARY KEY,
    host     text NOT NULL CHECK (length(host) BETWEEN 1 AND 253 AND host = lower(host)),
    port     integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    note     text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    added_by uuid REFERENCES users (id) ON DELETE SET NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT staging_ports_host_port_key UNIQUE (host, port)
);
