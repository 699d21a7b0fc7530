-- Accounts: partner companies, the people who sign in, and the single-use links sent to them.
CREATE EXTENSION IF NOT EXISTS citext;

CREATE TABLE companies (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    partner_code text CHECK (length(partner_code) BETWEEN 1 AND 64),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX companies_name_key ON companies (lower(name));

CREATE TYPE user_role AS ENUM ('partner', 'reviewer', 'admin');

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         citext NOT NULL CONSTRAINT users_email_key UNIQUE CHECK (length(email) <= 254),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
    role          user_role NOT NULL,
    company_id    uuid REFERENCES companies (id),
    password_hash text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    -- Sessions that signed in before this instant are no longer honoured (password reset, deactivation).
    sessions_valid_after timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_partner_has_company CHECK ((role = 'partner') = (company_id IS NOT NULL))
);
CREATE INDEX users_company_idx ON users (company_id);

CREATE TABLE invitations (
    id          uuid PRIMARY KEY,
    email       citext NOT NULL CHECK (length(email) <= 254),
    role        user_role NOT NULL,
    company_id  uuid REFERENCES companies (id),
    invited_by  uuid NOT NULL REFERENCES users (id),
    token_hash  bytea NOT NULL CONSTRAINT invitations_token_key UNIQUE,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_partner_has_company CHECK ((role = 'partner') = (company_id IS NOT NULL))
);
CREATE INDEX invitations_company_idx ON invitations (company_id);

CREATE TABLE password_resets (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id),
    token_hash bytea NOT NULL CONSTRAINT password_resets_token_key UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- Failed sign-ins, keyed by "account:<email>" and "ip:<address>", shared by every portal instance.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    last_failure timestamptz NOT NULL,
    locked_until timestamptz
);
