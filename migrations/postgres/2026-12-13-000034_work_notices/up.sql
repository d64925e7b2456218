-- Staff told when work arrives: one email per person at most every
-- `staff.notice_every_minutes`, grouping everything that arrived since the last one. Each
-- row is one notice sent to one user; the key chains them (`covers_from` is the previous
-- notice's `covers_to`, or the epoch for the first), so when several instances find the
-- same notice owed, exactly one insert counts and only that one writes the email.
CREATE TABLE work_notices (
    user_id      TEXT NOT NULL REFERENCES users (id),
    covers_from  TIMESTAMP NOT NULL,
    covers_to    TIMESTAMP NOT NULL,
    items        INTEGER NOT NULL,
    sent_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, covers_from)
);

-- The language a user chose with the switch of the pages (en, fr, es): their emails are
-- written in it. NULL until they choose.
ALTER TABLE users ADD COLUMN language TEXT;
