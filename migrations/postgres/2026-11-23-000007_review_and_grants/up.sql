-- Review, board decisions and the grants they create. Scores are JSON text keyed by rubric
-- criterion (always read whole, per assignment); money is BIGINT minor units beside its
-- ISO 4217 currency, and a grant keeps the rate and base-currency amount it was committed
-- at. A fund's default instalment plan is JSON text: shares of the approved amount that
-- sum to 1, each with its release condition.
ALTER TABLE funds ADD COLUMN default_instalment_plan TEXT NOT NULL DEFAULT '[{"share":"0.6","condition":"on_signature","due_after_months":0},{"share":"0.4","condition":"on_report_accepted","report_kind":"interim","due_after_months":6,"spend_threshold":true}]';

CREATE TABLE review_assignments (
    id                  TEXT PRIMARY KEY NOT NULL,
    application_id      TEXT NOT NULL REFERENCES applications (id),
    call_id             TEXT NOT NULL REFERENCES calls (id),
    fund_id             TEXT NOT NULL REFERENCES funds (id),
    reviewer_id         TEXT NOT NULL REFERENCES users (id),
    status              TEXT NOT NULL,
    conflict_statement  TEXT,
    declared_at         TIMESTAMP,
    scores              TEXT NOT NULL DEFAULT '{}',
    comment             TEXT NOT NULL DEFAULT '',
    recommendation      TEXT,
    submitted_at        TIMESTAMP,
    version             BIGINT NOT NULL DEFAULT 1,
    assigned_by         TEXT,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    UNIQUE (application_id, reviewer_id)
);
CREATE INDEX review_assignments_reviewer ON review_assignments (reviewer_id, id);
CREATE INDEX review_assignments_call ON review_assignments (call_id, application_id);

CREATE TABLE board_sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    fund_id     TEXT NOT NULL REFERENCES funds (id),
    held_on     DATE NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_by  TEXT,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX board_sessions_fund ON board_sessions (fund_id, id);

CREATE TABLE board_session_trustees (
    session_id  TEXT NOT NULL REFERENCES board_sessions (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (session_id, user_id)
);

CREATE TABLE grants (
    id                 TEXT PRIMARY KEY NOT NULL,
    fund_id            TEXT NOT NULL REFERENCES funds (id),
    call_id            TEXT NOT NULL REFERENCES calls (id),
    application_id     TEXT NOT NULL UNIQUE REFERENCES applications (id),
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    reference          TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    amount_minor       BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    exchange_rate      TEXT NOT NULL,
    base_amount_minor  BIGINT NOT NULL,
    base_currency      TEXT NOT NULL,
    starts_on          DATE NOT NULL,
    ends_on            DATE NOT NULL,
    conditions         TEXT,
    status             TEXT NOT NULL,
    status_reason      TEXT,
    signed_at          TIMESTAMP,
    signed_by          TEXT,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX grants_fund ON grants (fund_id, id);
CREATE INDEX grants_organisation ON grants (organisation_id, id);
CREATE INDEX grants_status ON grants (status, id);

CREATE TABLE grant_instalments (
    id            TEXT PRIMARY KEY NOT NULL,
    grant_id      TEXT NOT NULL REFERENCES grants (id),
    position      INTEGER NOT NULL,
    amount_minor  BIGINT NOT NULL,
    due_on        DATE NOT NULL,
    condition     TEXT NOT NULL,
    report_kind   TEXT,
    UNIQUE (grant_id, position)
);

CREATE TABLE board_decisions (
    id                     TEXT PRIMARY KEY NOT NULL,
    session_id             TEXT NOT NULL REFERENCES board_sessions (id),
    fund_id                TEXT NOT NULL REFERENCES funds (id),
    application_id         TEXT NOT NULL REFERENCES applications (id),
    outcome                TEXT NOT NULL,
    approved_amount_minor  BIGINT,
    currency               TEXT NOT NULL,
    conditions             TEXT,
    rationale              TEXT NOT NULL,
    grant_id               TEXT REFERENCES grants (id),
    decided_by             TEXT,
    decided_at             TIMESTAMP NOT NULL
);
CREATE INDEX board_decisions_session ON board_decisions (session_id, id);
CREATE INDEX board_decisions_application ON board_decisions (application_id, id);
