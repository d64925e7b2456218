-- The registry projects an application may duplicate, found when it is submitted (the
-- registry's own overlap scoring) and replaced when it is submitted again after a return.
-- `open` until a board approval records how the overlap was weighed (`weighed`, with the
-- decision that weighed it). `reasons` is the JSON list of the registry's reasons.
CREATE TABLE application_overlaps (
    application_id TEXT NOT NULL REFERENCES applications (id),
    project_id TEXT NOT NULL REFERENCES registry_projects (id) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    reasons TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'weighed')),
    weighed_by_decision TEXT REFERENCES board_decisions (id),
    found_at TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, project_id)
);
CREATE INDEX application_overlaps_project ON application_overlaps (project_id);
-- How the board weighed an application's open flagged overlaps when it approved it.
ALTER TABLE board_decisions ADD COLUMN overlap_weighing TEXT;
