-- A TOTP second factor (RFC 6238) per user: the secretariat and finance must have one to
-- sign in from a browser, since money moves on their word. `secret` is the shared key
-- (base32); `confirmed_at` is set once a code from the user's app proved it was copied;
-- `last_step` is the last 30-second step whose code was accepted, so that a code is used
-- once (a replay of the same code, or an older one, is refused).
CREATE TABLE second_factors (
    user_id      TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    secret       TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step    BIGINT,
    created_at   TIMESTAMP NOT NULL
);
