-- Personal access tokens for the JSON API: shown once, stored as a SHA-256 hash (the token is
-- 256 random bits, so a fast hash is enough), scoped to the user's role and company.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash   bytea NOT NULL CONSTRAINT api_tokens_hash_key UNIQUE,
    -- The first characters, so a user can tell their tokens apart.
    prefix       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at DESC);
