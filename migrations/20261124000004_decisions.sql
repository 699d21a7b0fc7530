-- Review decisions. Who is reviewing a submission, each decision on the exact revision it was
-- made on, and which revision is the current approved description.
ALTER TABLE integrations
    ADD COLUMN claimed_by        uuid REFERENCES users (id),
    ADD COLUMN claimed_at        timestamptz,
    ADD COLUMN approved_revision integer;

CREATE TABLE decisions (
    id             uuid PRIMARY KEY,
    integration_id uuid NOT NULL REFERENCES integrations (id),
    revision       integer NOT NULL,
    reviewer_id    uuid NOT NULL REFERENCES users (id),
    outcome        text NOT NULL CHECK (outcome IN ('approved', 'sent_back')),
    summary        text NOT NULL CHECK (length(summary) <= 4000),
    decided_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_integration_idx ON decisions (integration_id, decided_at DESC);
