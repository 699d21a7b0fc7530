-- One digest per person per day, however many instances run the scheduler: the outbox refuses a
-- second message with the same key.
ALTER TABLE outbox ADD COLUMN dedupe_key text UNIQUE;

-- Which reminders a person has been sent, so each is sent once.
CREATE TABLE reminders_sent (
    reminder_key text NOT NULL,
    recipient    text NOT NULL,
    sent_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reminder_key, recipient)
);

-- A partner user's "not this week" for one integration's reminders.
CREATE TABLE reminder_snoozes (
    user_id        uuid NOT NULL REFERENCES users (id),
    integration_id uuid NOT NULL REFERENCES integrations (id),
    until          timestamptz NOT NULL,
    PRIMARY KEY (user_id, integration_id)
);
