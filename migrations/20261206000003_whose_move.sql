-- Whose move an integration waits for (the partner's while a draft or sent back, Haptik's while
-- submitted or in review) follows from its status; this is since when. It moves only when the
-- ball changes sides: a claim or a release leaves it.
ALTER TABLE integrations ADD COLUMN move_since timestamptz;
UPDATE integrations i SET move_since = CASE
    WHEN i.status IN ('submitted', 'in_review') THEN COALESCE(i.waiting_since, i.updated_at)
    ELSE COALESCE((SELECT max(a.at) FROM audit_events a WHERE a.integration_id = i.id
                   AND a.action IN ('sent_back', 'withdrawn', 'reopened', 'approved')), i.created_at)
END;
ALTER TABLE integrations ALTER COLUMN move_since SET NOT NULL, ALTER COLUMN move_since SET DEFAULT now();
