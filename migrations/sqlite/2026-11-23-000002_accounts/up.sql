-- Accounts: users and their roles, trustees' funds, refresh tokens (stored hashed, rotated
-- in families), one-time tokens (verification, invitation, password reset; stored hashed),
-- login attempts for throttling, and the transactional email outbox.
CREATE TABLE users (
    id               TEXT PRIMARY KEY NOT NULL,
    email            TEXT NOT NULL UNIQUE,          -- stored lower-cased
    display_name     TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL,
    organisation_id  TEXT REFERENCES organisations (id),
    email_verified   BOOLEAN NOT NULL DEFAULT 0,
    active           BOOLEAN NOT NULL DEFAULT 1,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE trustee_funds (
    user_id  TEXT NOT NULL REFERENCES users (id),
    fund_id  TEXT NOT NULL REFERENCES funds (id),
    PRIMARY KEY (user_id, fund_id)
);

CREATE TABLE refresh_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    family_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    token_hash   TEXT NOT NULL UNIQUE,
    issued_at    TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE one_time_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    purpose     TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     TEXT REFERENCES users (id),
    payload     TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE login_attempts (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    address       TEXT NOT NULL,
    succeeded     BOOLEAN NOT NULL,
    attempted_at  TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_address ON login_attempts (address, attempted_at);

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY NOT NULL,
    to_address       TEXT NOT NULL,
    template         TEXT NOT NULL,
    context          TEXT NOT NULL,
    status           TEXT NOT NULL,           -- pending, sent, failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    sent_at          TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
