-- Keys every instance signs with, made once by whichever instance needs one first.
CREATE TABLE signing_keys (
    purpose text PRIMARY KEY,
    key bytea NOT NULL CHECK (length(key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
