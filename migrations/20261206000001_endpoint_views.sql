-- A reviewer's own "viewed" mark on an endpoint, as on a pull request's file: it folds the
-- endpoint's evidence away for that reviewer only, and lapses when the endpoint's content changes
-- (the fingerprint of what was viewed no longer matches).
CREATE TABLE endpoint_views (
    user_id        uuid NOT NULL REFERENCES users (id),
    integration_id uuid NOT NULL REFERENCES integrations (id),
    endpoint_id    uuid NOT NULL,
    fingerprint    text NOT NULL,
    viewed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, integration_id, endpoint_id)
);
