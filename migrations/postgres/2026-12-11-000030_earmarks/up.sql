-- Earmarks honoured. A contribution carries the earmark its donor gave it (its pledge's,
-- or its own when unpledged); its money net of programme support cost is restricted to
-- that earmark until grants for it draw it down. A board approval records where its money
-- came from, so that a released or refunded part goes back where it was taken.
ALTER TABLE contributions ADD COLUMN earmark TEXT;

CREATE TABLE restricted_funds (
    contribution_id  TEXT PRIMARY KEY NOT NULL REFERENCES contributions (id),
    fund_id          TEXT NOT NULL REFERENCES funds (id),
    donor_id         TEXT NOT NULL REFERENCES organisations (id),
    earmark          TEXT NOT NULL,
    received_on      DATE NOT NULL,
    -- in the fund's base currency, minor units: the contribution's base amount less its
    -- programme support cost, and what of it no grant has drawn
    amount_minor     BIGINT NOT NULL CHECK (amount_minor >= 0),
    remaining_minor  BIGINT NOT NULL CHECK (remaining_minor >= 0 AND remaining_minor <= amount_minor)
);
-- an approval reads only the money still restricted, oldest first
CREATE INDEX restricted_funds_open ON restricted_funds (fund_id, received_on, contribution_id)
    WHERE remaining_minor > 0;
CREATE INDEX restricted_funds_donor ON restricted_funds (donor_id, fund_id);

CREATE TABLE grant_draws (
    id               TEXT PRIMARY KEY NOT NULL,
    grant_id         TEXT NOT NULL REFERENCES grants (id),
    fund_id          TEXT NOT NULL REFERENCES funds (id),
    position         INTEGER NOT NULL,
    -- NULL: the fund's unrestricted money
    contribution_id  TEXT REFERENCES restricted_funds (contribution_id),
    earmark          TEXT,
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    returned_minor   BIGINT NOT NULL DEFAULT 0
        CHECK (returned_minor >= 0 AND returned_minor <= amount_minor),
    UNIQUE (grant_id, position)
);
CREATE INDEX grant_draws_contribution ON grant_draws (contribution_id);

-- Money received before this release against an earmarked pledge becomes restricted
-- (the unpledged part of a split payment follows the pledge it was split from), all of it
-- still unspent: grants approved before were not drawn from it, so the fund's status may
-- show less unrestricted money than before, which is what it has.
UPDATE contributions SET earmark = (
    SELECT p.earmark FROM pledges p
    WHERE p.id = COALESCE(contributions.pledge_id,
        (SELECT s.pledge_id FROM contributions s WHERE s.id = contributions.split_of))
);
INSERT INTO restricted_funds
    (contribution_id, fund_id, donor_id, earmark, received_on, amount_minor, remaining_minor)
SELECT id, fund_id, donor_id, earmark, received_on,
       base_amount_minor - support_cost_minor, base_amount_minor - support_cost_minor
FROM contributions
WHERE earmark IS NOT NULL AND base_amount_minor > support_cost_minor;
