-- Needs and offers of assistance: a government or agency says what help it needs in one
-- country (themes, kinds of help, period, budget if any); a donor or provider says what it
-- can give (countries, themes, kinds, capacity, period). Lists (themes, kinds, countries)
-- are JSON arrays of codes; an offer's countries are also kept one per row in
-- `offer_countries`, so that the offers a need may match are found by index. Money in
-- minor units beside its ISO 4217 currency. `restricted`: not shown to the public even once
-- the organisation is verified.
CREATE TABLE needs (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    country         TEXT NOT NULL,
    themes          TEXT NOT NULL,
    kinds           TEXT NOT NULL,
    start_on        DATE NOT NULL,
    end_on          DATE NOT NULL,
    budget_minor    BIGINT,
    currency        TEXT,
    link            TEXT,
    restricted      BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX needs_country ON needs (country, status);
CREATE INDEX needs_organisation ON needs (organisation_id);

CREATE TABLE offers (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    countries       TEXT NOT NULL,
    themes          TEXT NOT NULL,
    kinds           TEXT NOT NULL,
    start_on        DATE NOT NULL,
    end_on          DATE NOT NULL,
    capacity_minor  BIGINT,
    currency        TEXT,
    link            TEXT,
    restricted      BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX offers_organisation ON offers (organisation_id);

CREATE TABLE offer_countries (
    offer_id TEXT NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    country  TEXT NOT NULL,
    PRIMARY KEY (country, offer_id)
);

-- A need and an offer put together: proposed by one side (`proposed_side`, `proposed_by`),
-- accepted or declined by the other (`awaiting_side`). `project_id` names the registry
-- project an accepted match became; it is set in the transaction that registers it (the
-- key is checked at commit).
CREATE TABLE need_offer_matches (
    id            TEXT PRIMARY KEY NOT NULL,
    need_id       TEXT NOT NULL REFERENCES needs (id),
    offer_id      TEXT NOT NULL REFERENCES offers (id),
    score_milli   INTEGER NOT NULL,
    reasons       TEXT NOT NULL,
    status        TEXT NOT NULL,
    proposed_side TEXT NOT NULL,
    awaiting_side TEXT NOT NULL,
    proposed_by   TEXT NOT NULL REFERENCES users (id),
    decided_by    TEXT REFERENCES users (id),
    project_id    TEXT REFERENCES registry_projects (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    version       BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX need_offer_matches_need ON need_offer_matches (need_id);
CREATE INDEX need_offer_matches_offer ON need_offer_matches (offer_id);
