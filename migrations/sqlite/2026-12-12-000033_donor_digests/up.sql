-- Donors told: a digest of the reports accepted since the last one, at most once in
-- `donors.digest_every_days`. Each row is one digest sent to one donor about one fund; the
-- key chains them (`covers_from` is the previous digest's `covers_to`, or the epoch for
-- the first), so when several instances find the same digest owed, exactly one insert
-- counts and only that one writes the emails.
CREATE TABLE donor_digests (
    fund_id      TEXT NOT NULL REFERENCES funds (id),
    donor_id     TEXT NOT NULL REFERENCES organisations (id),
    covers_from  TIMESTAMP NOT NULL,
    covers_to    TIMESTAMP NOT NULL,
    reports      INTEGER NOT NULL,
    sent_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (fund_id, donor_id, covers_from)
);
