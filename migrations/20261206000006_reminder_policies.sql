-- What admins changed of a reminder policy at /admin/reminders; a policy without a row keeps the
-- defaults in src/domain/reminders.rs.
CREATE TABLE reminder_policies (
    policy     text PRIMARY KEY CHECK (length(policy) <= 64),
    enabled    boolean NOT NULL,
    -- [[days, "partner_team" | "reviewer" | "all_reviewers"], ...]
    steps      jsonb NOT NULL,
    updated_by uuid REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);
