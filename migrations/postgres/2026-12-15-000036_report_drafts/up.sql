-- The outcome report a grantee is writing, kept between sittings: one draft per grant (a
-- small organisation writes one report at a time), the form's fields as typed in a JSON
-- object of strings (`form`), incomplete as it may be. `version` is compared and swapped on
-- every save, so that a save made from an older draft (another tab, a colleague) is refused
-- instead of overwriting. Sending the report deletes the draft in the same transaction.
CREATE TABLE report_drafts (
    grant_id        TEXT PRIMARY KEY NOT NULL REFERENCES grants (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    form            TEXT NOT NULL,
    version         BIGINT NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users (id)
);
