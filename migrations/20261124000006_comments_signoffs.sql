-- Review comments, per-endpoint sign-offs, and what the reviewer queue sorts and shows.

-- A comment is anchored to an item: the integration as a whole or one of its checklist items
-- (endpoint_id NULL), or an endpoint as a whole or one of its fields. Endpoint ids are stable
-- across revisions, so a thread written on revision 1 shows on the same item in revision 2.
CREATE TABLE comments (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    revision       integer NOT NULL,
    endpoint_id    uuid,
    item           text NOT NULL CHECK (length(item) <= 64),
    -- Replies point at the thread's first comment; only that one carries the thread's state.
    parent_id      uuid REFERENCES comments (id),
    author_id      uuid NOT NULL REFERENCES users (id),
    body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'addressed', 'resolved')),
    -- A reviewer's comments stay a draft until the decision is sent, so the partner gets one
    -- coherent message.
    published      boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_integration_idx ON comments (integration_id, created_at);
CREATE INDEX comments_parent_idx ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- The latest sign-off per target ('integration' or an endpoint's id) with a fingerprint of the
-- content that was checked: it still counts on a later revision while that content is unchanged.
CREATE TABLE signoffs (
    integration_id uuid NOT NULL REFERENCES integrations (id),
    target         text NOT NULL,
    fingerprint    text NOT NULL,
    revision       integer NOT NULL,
    reviewer_id    uuid NOT NULL REFERENCES users (id),
    signed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, target)
);

-- The queue sorts by how long a submission has waited and shows its completeness without
-- opening every snapshot.
ALTER TABLE integrations ADD COLUMN waiting_since timestamptz;
UPDATE integrations i SET waiting_since = (SELECT max(submitted_at) FROM revisions r WHERE r.integration_id = i.id)
 WHERE status IN ('submitted', 'in_review');
CREATE INDEX integrations_queue_idx ON integrations (status, waiting_since);
-- Walked in order for the default view (several statuses): the first page stops after a few rows.
CREATE INDEX integrations_waiting_idx ON integrations (waiting_since, id) WHERE waiting_since IS NOT NULL;

ALTER TABLE revisions
    ADD COLUMN items_done  integer,
    ADD COLUMN items_total integer;
