-- Partner intake. The checklist's integration-level sections and each endpoint are stored as typed
-- JSON documents (their shapes are the Rust types in src/intake/model.rs), one row each, every row
-- with its own version: two teammates editing different sections or endpoints never conflict, and
-- a stale save of the same one is caught.

CREATE TABLE integrations (
    id         uuid PRIMARY KEY,
    company_id uuid NOT NULL REFERENCES companies (id),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    purpose    text NOT NULL DEFAULT '' CHECK (length(purpose) <= 4000),
    status     text NOT NULL DEFAULT 'draft'
               CHECK (status IN ('draft', 'submitted', 'in_review', 'changes_requested', 'approved')),
    -- Version of the overview (name and purpose); sections and endpoints carry their own.
    version    integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX integrations_company_idx ON integrations (company_id, updated_at DESC);

CREATE TABLE integration_sections (
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    section        text NOT NULL,
    data           jsonb NOT NULL,
    version        integer NOT NULL DEFAULT 1,
    updated_by     uuid REFERENCES users (id),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, section)
);

CREATE TABLE endpoints (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    position       integer NOT NULL,
    spec           jsonb NOT NULL,
    version        integer NOT NULL DEFAULT 1,
    updated_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX endpoints_integration_idx ON endpoints (integration_id, position);

-- Immutable snapshots frozen at each submission.
CREATE TABLE revisions (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    number         integer NOT NULL,
    snapshot       jsonb NOT NULL,
    submitted_by   uuid NOT NULL REFERENCES users (id),
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT revisions_number_key UNIQUE (integration_id, number)
);

-- Admins tune the checklist; an item without a row keeps its default from src/checklist.rs.
CREATE TABLE checklist_settings (
    item        text PRIMARY KEY,
    requirement text NOT NULL CHECK (requirement IN ('required', 'optional', 'off')),
    updated_by  uuid REFERENCES users (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Haptik's egress addresses that partners whitelist; maintained by admins.
CREATE TABLE egress_ips (
    id         uuid PRIMARY KEY,
    address    cidr NOT NULL CONSTRAINT egress_ips_address_key UNIQUE,
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A user who insisted on saving something that looked like a live secret, kept for audit.
CREATE TABLE secret_overrides (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    endpoint_id    uuid,
    field          text NOT NULL,
    kind           text NOT NULL,
    user_id        uuid NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
