-- Days that are not business days for reminders, besides weekends (kept by Haptik's admins).
CREATE TABLE holidays (
    day  date PRIMARY KEY,
    name text NOT NULL DEFAULT '' CHECK (length(name) <= 200)
);
