-- Platform tables: organisations, funds and the append-only audit trail.
-- Ids are UUID strings, timestamps UTC, decimal rates exact text (never floats).
CREATE TABLE organisations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    country     TEXT NOT NULL,
    identifier  TEXT UNIQUE,
    verified    BOOLEAN NOT NULL DEFAULT FALSE,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE funds (
    id                 TEXT PRIMARY KEY NOT NULL,
    code               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    base_currency      TEXT NOT NULL,
    support_cost_rate  TEXT NOT NULL,
    board_quorum       INTEGER NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    actor_id     TEXT,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    action       TEXT NOT NULL,
    before_state TEXT,
    after_state  TEXT,
    request_id   TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id, id);

-- The audit trail is append-only at the storage level too, not only in the API.
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
