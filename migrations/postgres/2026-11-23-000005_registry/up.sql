-- The donor project registry: who does what where.
CREATE TABLE registry_projects (
    -- A compact number per project: full-text matches are answered with it, and the
    -- registry's in-memory index finds projects by it (as SQLite does with its rowid).
    seq               BIGSERIAL UNIQUE,
    id                TEXT PRIMARY KEY NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    reporting_org_id  TEXT NOT NULL REFERENCES organisations (id),
    -- JSON [{role, organisation_id, name, ref}]: funding, accountable, extending and
    -- implementing organisations, known ones by id, others by name and reference.
    participants      TEXT NOT NULL,
    -- Space-separated codes; the registry's in-memory index (src/registry/index.rs) loads
    -- them and does all filtering and counting, so they need no child tables or indexes.
    -- org_ids: every registered organisation taking part, the reporting one first.
    org_ids           TEXT NOT NULL,
    countries         TEXT NOT NULL,
    themes            TEXT NOT NULL,
    target_groups     TEXT NOT NULL,
    start_on          DATE,
    end_on            DATE,
    budget_minor      BIGINT,
    currency          TEXT,
    status            TEXT NOT NULL,
    published         BOOLEAN NOT NULL,
    iati_identifier   TEXT UNIQUE,
    source            TEXT NOT NULL,
    -- Normalised words of title and description (lower case, no accents, stemmed): what
    -- the full-text index holds, written by the application so both backends agree.
    search_text       TEXT NOT NULL,
    search_vector     TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CHECK (end_on IS NULL OR start_on IS NULL OR end_on >= start_on),
    CHECK ((budget_minor IS NULL) = (currency IS NULL))
);
CREATE INDEX registry_projects_reporting_org ON registry_projects (reporting_org_id, id);
CREATE INDEX registry_projects_search ON registry_projects USING GIN (search_vector);


-- The overlap review queue: one row per pair (project_a < project_b), open until a member
-- of either reporting organisation (or an admin) says what the pair is.
CREATE TABLE registry_overlap_reviews (
    id           TEXT PRIMARY KEY NOT NULL,
    project_a    TEXT NOT NULL REFERENCES registry_projects (id) ON DELETE CASCADE,
    project_b    TEXT NOT NULL REFERENCES registry_projects (id) ON DELETE CASCADE,
    score_milli  INTEGER NOT NULL,
    reasons      TEXT NOT NULL,
    status       TEXT NOT NULL,
    resolution   TEXT,
    note         TEXT,
    resolved_by  TEXT,
    resolved_at  TIMESTAMP,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (project_a, project_b),
    CHECK (project_a COLLATE "C" < project_b COLLATE "C")
);
CREATE INDEX registry_overlap_reviews_b ON registry_overlap_reviews (project_b);
CREATE INDEX registry_overlap_reviews_status ON registry_overlap_reviews (status, id);

-- One row: a random token naming this database and a counter every registry write bumps,
-- so cached aggregates (facets, matrix) know when they are stale.
CREATE TABLE registry_state (
    id          INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    token       TEXT NOT NULL,
    generation  BIGINT NOT NULL
);
INSERT INTO registry_state (id, token, generation)
    VALUES (1, md5(random()::text || clock_timestamp()::text), 0);
