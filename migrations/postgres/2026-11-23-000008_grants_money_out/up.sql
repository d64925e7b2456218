-- Money out and outcomes: disbursements of instalments, refunds of unspent money, outcome
-- reports (beneficiaries only as counts by sex x age group x form of exploitation: no
-- personal data of any victim is ever stored), and the reminders sent about report due
-- dates (one row per grant, due date and reminder, so that each is sent exactly once).
ALTER TABLE grant_instalments ADD COLUMN min_spend_share TEXT;
-- Each grant also appears in the registry as a project (who does what where).
ALTER TABLE grants ADD COLUMN registry_project_id TEXT;

CREATE TABLE disbursements (
    id                 TEXT PRIMARY KEY NOT NULL,
    grant_id           TEXT NOT NULL REFERENCES grants (id),
    instalment_id      TEXT NOT NULL REFERENCES grant_instalments (id),
    fund_id            TEXT NOT NULL REFERENCES funds (id),
    amount_minor       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    status             TEXT NOT NULL,
    requested_by       TEXT,
    requested_at       TIMESTAMP NOT NULL,
    approved_by        TEXT,
    approved_at        TIMESTAMP,
    paid_on            DATE,
    payment_reference  TEXT,
    paid_by            TEXT,
    paid_at            TIMESTAMP,
    cancelled_by       TEXT,
    cancelled_at       TIMESTAMP,
    cancel_reason      TEXT,
    version            BIGINT NOT NULL DEFAULT 1,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX disbursements_grant ON disbursements (grant_id, id);
CREATE INDEX disbursements_status ON disbursements (status, id);

CREATE TABLE grant_refunds (
    id            TEXT PRIMARY KEY NOT NULL,
    grant_id      TEXT NOT NULL REFERENCES grants (id),
    fund_id       TEXT NOT NULL REFERENCES funds (id),
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    received_on   DATE NOT NULL,
    reference     TEXT NOT NULL,
    recorded_by   TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX grant_refunds_grant ON grant_refunds (grant_id, id);

CREATE TABLE grant_reports (
    id               TEXT PRIMARY KEY NOT NULL,
    grant_id         TEXT NOT NULL REFERENCES grants (id),
    fund_id          TEXT NOT NULL REFERENCES funds (id),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    kind             TEXT NOT NULL,
    report_version   INTEGER NOT NULL DEFAULT 1,
    supersedes_id    TEXT REFERENCES grant_reports (id),
    status           TEXT NOT NULL,
    period_start     DATE NOT NULL,
    period_end       DATE NOT NULL,
    narrative        TEXT NOT NULL,
    review_comment   TEXT,
    reviewed_by      TEXT,
    reviewed_at      TIMESTAMP,
    submitted_by     TEXT,
    submitted_at     TIMESTAMP NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX grant_reports_grant ON grant_reports (grant_id, id);
CREATE INDEX grant_reports_fund ON grant_reports (fund_id, status, period_end);

CREATE TABLE report_beneficiaries (
    report_id     TEXT NOT NULL REFERENCES grant_reports (id),
    sex           TEXT NOT NULL,
    age_group     TEXT NOT NULL,
    exploitation  TEXT NOT NULL,
    count         BIGINT NOT NULL,
    PRIMARY KEY (report_id, sex, age_group, exploitation)
);

CREATE TABLE report_services (
    report_id  TEXT NOT NULL REFERENCES grant_reports (id),
    service    TEXT NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (report_id, service)
);

CREATE TABLE report_indicators (
    report_id  TEXT NOT NULL REFERENCES grant_reports (id),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    target     TEXT NOT NULL,
    actual     TEXT NOT NULL,
    PRIMARY KEY (report_id, position)
);

CREATE TABLE report_expenditure (
    report_id     TEXT NOT NULL REFERENCES grant_reports (id),
    category      TEXT NOT NULL,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    PRIMARY KEY (report_id, category)
);

CREATE TABLE report_reminders (
    grant_id     TEXT NOT NULL REFERENCES grants (id),
    due_on       DATE NOT NULL,
    report_kind  TEXT NOT NULL,
    offset_days  INTEGER NOT NULL,
    sent_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (grant_id, due_on, report_kind, offset_days)
);
