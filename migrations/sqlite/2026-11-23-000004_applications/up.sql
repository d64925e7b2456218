-- Calls for proposals and the applications that answer them, with their documents and the
-- frozen snapshot of every submitted revision. Money is BIGINT minor units beside a TEXT
-- ISO 4217 currency; lists that are only ever read whole (a call's countries, themes,
-- required documents and rubric) are JSON text; what applications are filtered by, or sum,
-- lives in child tables.
CREATE TABLE calls (
    id                   TEXT PRIMARY KEY NOT NULL,
    fund_id              TEXT NOT NULL REFERENCES funds (id),
    title                TEXT NOT NULL,
    description          TEXT NOT NULL,
    opens_at             TIMESTAMP NOT NULL,
    closes_at            TIMESTAMP NOT NULL,
    max_amount           BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    max_duration_months  INTEGER NOT NULL,
    eligible_countries   TEXT NOT NULL,
    themes               TEXT NOT NULL,
    required_documents   TEXT NOT NULL,
    rubric               TEXT NOT NULL,
    status               TEXT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX calls_fund ON calls (fund_id, id);
CREATE INDEX calls_status ON calls (status, id);

CREATE TABLE applications (
    id                  TEXT PRIMARY KEY NOT NULL,
    call_id             TEXT NOT NULL REFERENCES calls (id),
    fund_id             TEXT NOT NULL REFERENCES funds (id),
    organisation_id     TEXT NOT NULL REFERENCES organisations (id),
    reference           TEXT UNIQUE,
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL,
    requested_amount    BIGINT,
    currency            TEXT NOT NULL,
    duration_months     INTEGER,
    status              TEXT NOT NULL,
    revision            INTEGER NOT NULL DEFAULT 1,
    version             BIGINT NOT NULL DEFAULT 1,
    created_by          TEXT,
    contact_email       TEXT,
    submitted_at        TIMESTAMP,
    screening_eligible  BOOLEAN,
    screening_notes     TEXT,
    screened_at         TIMESTAMP,
    return_reason       TEXT,
    returned_at         TIMESTAMP,
    withdrawn_at        TIMESTAMP,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX applications_organisation ON applications (organisation_id, id);
CREATE INDEX applications_call ON applications (call_id, id);
CREATE INDEX applications_fund ON applications (fund_id, id);
CREATE INDEX applications_status ON applications (status, id);

CREATE TABLE application_countries (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    position        INTEGER NOT NULL,
    country         TEXT NOT NULL,
    PRIMARY KEY (application_id, position),
    UNIQUE (application_id, country)
);
CREATE INDEX application_countries_country ON application_countries (country, application_id);

CREATE TABLE application_themes (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    position        INTEGER NOT NULL,
    theme           TEXT NOT NULL,
    PRIMARY KEY (application_id, position),
    UNIQUE (application_id, theme)
);
CREATE INDEX application_themes_theme ON application_themes (theme, application_id);

CREATE TABLE application_budget_lines (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    position        INTEGER NOT NULL,
    category        TEXT NOT NULL,
    description     TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    PRIMARY KEY (application_id, position)
);

-- Planned beneficiaries are counts per cell, never people.
CREATE TABLE application_beneficiaries (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    position        INTEGER NOT NULL,
    sex             TEXT NOT NULL,
    age_group       TEXT NOT NULL,
    exploitation    TEXT NOT NULL,
    number          BIGINT NOT NULL,
    PRIMARY KEY (application_id, position),
    UNIQUE (application_id, sex, age_group, exploitation)
);

-- A document belongs to the revisions from `added_in_revision` up to (excluding)
-- `removed_in_revision`; the stored object's name is generated, never the client's.
CREATE TABLE application_documents (
    id                   TEXT PRIMARY KEY NOT NULL,
    application_id       TEXT NOT NULL REFERENCES applications (id),
    kind                 TEXT NOT NULL,
    file_name            TEXT NOT NULL,
    content_type         TEXT NOT NULL,
    size_bytes           BIGINT NOT NULL,
    sha256               TEXT NOT NULL,
    storage_key          TEXT NOT NULL UNIQUE,
    added_in_revision    INTEGER NOT NULL,
    removed_in_revision  INTEGER,
    uploaded_by          TEXT,
    created_at           TIMESTAMP NOT NULL
);
CREATE INDEX application_documents_application ON application_documents (application_id, id);

-- What was submitted, frozen: the application's JSON view at each submission.
CREATE TABLE application_revisions (
    application_id  TEXT NOT NULL REFERENCES applications (id),
    revision        INTEGER NOT NULL,
    snapshot        TEXT NOT NULL,
    submitted_at    TIMESTAMP NOT NULL,
    submitted_by    TEXT,
    returned_at     TIMESTAMP,
    return_reason   TEXT,
    PRIMARY KEY (application_id, revision)
);

-- Reference numbers (UNVTF-2026-00042) count per fund and year.
CREATE TABLE application_reference_counters (
    fund_id      TEXT NOT NULL REFERENCES funds (id),
    year         INTEGER NOT NULL,
    last_number  BIGINT NOT NULL,
    PRIMARY KEY (fund_id, year)
);
