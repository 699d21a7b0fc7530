-- The queue lists the reviewer's own claimed work first: that part is read in this order.
CREATE INDEX integrations_claimed_waiting_idx ON integrations (claimed_by, waiting_since, id)
    WHERE waiting_since IS NOT NULL;
