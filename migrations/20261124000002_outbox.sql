-- E-mail is written here in the same transaction as the event that causes it; a worker sends it.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    last_error      text
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL;
