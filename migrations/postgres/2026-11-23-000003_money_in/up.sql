-- Money in: exchange rates, pledges, contributions, the immutable ledger with its running
-- totals, and the idempotency keys of retried writes.
-- Money is BIGINT minor units beside a TEXT currency; rates are exact decimal TEXT.

-- Rates: units of base_currency for one unit of currency, valid from a day until the next
-- rate of the same pair. The unique index also answers "latest rate valid on a day".
CREATE TABLE exchange_rates (
    id             TEXT PRIMARY KEY NOT NULL,
    currency       TEXT NOT NULL,
    base_currency  TEXT NOT NULL,
    rate           TEXT NOT NULL,
    valid_from     DATE NOT NULL,
    created_by     TEXT,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (currency, base_currency, valid_from)
);

CREATE TABLE pledges (
    id                   TEXT PRIMARY KEY NOT NULL,
    fund_id              TEXT NOT NULL REFERENCES funds (id),
    donor_id             TEXT NOT NULL REFERENCES organisations (id),
    amount_minor         BIGINT NOT NULL CHECK (amount_minor > 0),
    currency             TEXT NOT NULL,
    pledged_on           DATE NOT NULL,
    event                TEXT,
    earmark              TEXT,
    due_on               DATE,
    cancelled_at         TIMESTAMP,
    cancellation_reason  TEXT,
    version              BIGINT NOT NULL DEFAULT 1,
    created_by           TEXT,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX pledges_fund ON pledges (fund_id, id);
CREATE INDEX pledges_donor ON pledges (donor_id, fund_id, id);

CREATE TABLE contributions (
    id                  TEXT PRIMARY KEY NOT NULL,
    fund_id             TEXT NOT NULL REFERENCES funds (id),
    donor_id            TEXT NOT NULL REFERENCES organisations (id),
    pledge_id           TEXT REFERENCES pledges (id),
    split_of            TEXT REFERENCES contributions (id),
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL,
    received_on         DATE NOT NULL,
    reference           TEXT NOT NULL,
    exchange_rate       TEXT NOT NULL,
    rate_source         TEXT NOT NULL,
    base_amount_minor   BIGINT NOT NULL CHECK (base_amount_minor >= 0),
    base_currency       TEXT NOT NULL,
    support_cost_rate   TEXT NOT NULL,
    support_cost_minor  BIGINT NOT NULL CHECK (support_cost_minor >= 0),
    version             BIGINT NOT NULL DEFAULT 1,
    created_by          TEXT,
    created_at          TIMESTAMP NOT NULL
);
CREATE INDEX contributions_fund ON contributions (fund_id, id);
CREATE INDEX contributions_donor ON contributions (donor_id, fund_id, id);
CREATE INDEX contributions_pledge ON contributions (pledge_id);

-- Every money movement of a fund. Rows are never changed or deleted: a correction is a
-- new entry of the same kind with the opposite sign that names the entry it reverses.
-- Pledges are promises in the donor's currency and carry no conversion (they are valued
-- when read); every other kind carries the rate used and the base-currency amount.
CREATE TABLE ledger_entries (
    id                 TEXT PRIMARY KEY NOT NULL,
    fund_id            TEXT NOT NULL REFERENCES funds (id),
    kind               TEXT NOT NULL,
    reverses_id        TEXT UNIQUE REFERENCES ledger_entries (id),
    donor_id           TEXT REFERENCES organisations (id),
    pledge_id          TEXT REFERENCES pledges (id),
    contribution_id    TEXT REFERENCES contributions (id),
    source_kind        TEXT,
    source_id          TEXT,
    amount_minor       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    exchange_rate      TEXT,
    base_amount_minor  BIGINT,
    base_currency      TEXT NOT NULL,
    value_date         DATE NOT NULL,
    memo               TEXT,
    recorded_by        TEXT,
    recorded_at        TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_fund ON ledger_entries (fund_id, id);
CREATE INDEX ledger_entries_donor ON ledger_entries (donor_id, value_date, id);
CREATE INDEX ledger_entries_pledge ON ledger_entries (pledge_id);
CREATE INDEX ledger_entries_contribution ON ledger_entries (contribution_id);
CREATE INDEX ledger_entries_source ON ledger_entries (source_kind, source_id);

CREATE FUNCTION ledger_entries_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are immutable; post a reversing entry';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entries_no_change BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable();


-- Running totals, changed in the transaction of each entry so that fund status is a
-- handful of key lookups however long the ledger grows. donor_id '' is the whole fund.
CREATE TABLE ledger_totals (
    fund_id            TEXT NOT NULL REFERENCES funds (id),
    donor_id           TEXT NOT NULL,
    bucket             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    base_amount_minor  BIGINT NOT NULL,
    entry_count        BIGINT NOT NULL,
    PRIMARY KEY (fund_id, donor_id, bucket, currency)
);

-- Per donor and day, so that a statement's opening balance sums days, not entries.
CREATE TABLE ledger_daily_totals (
    donor_id           TEXT NOT NULL,
    fund_id            TEXT NOT NULL REFERENCES funds (id),
    day                DATE NOT NULL,
    bucket             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    base_amount_minor  BIGINT NOT NULL,
    PRIMARY KEY (donor_id, fund_id, day, bucket, currency)
);

-- The first answer to a write sent with an Idempotency-Key, per user and route, kept 24 h.
CREATE TABLE idempotency_keys (
    user_id        TEXT NOT NULL,
    route          TEXT NOT NULL,
    idem_key       TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    status_code    INTEGER NOT NULL,
    response_body  TEXT NOT NULL,
    response_etag  TEXT,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, route, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
