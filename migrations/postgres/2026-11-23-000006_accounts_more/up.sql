-- Accounts, part two. Invitations are addressed to an email before any user exists, so
-- one-time tokens carry the address; login attempts carry what was attempted (a login or a
-- registration) so one table throttles both; outgoing mail remembers its language.
ALTER TABLE one_time_tokens ADD COLUMN email TEXT;
CREATE INDEX one_time_tokens_email ON one_time_tokens (email, purpose);
CREATE INDEX one_time_tokens_user ON one_time_tokens (user_id, purpose);

ALTER TABLE login_attempts ADD COLUMN kind TEXT NOT NULL DEFAULT 'login';
CREATE INDEX login_attempts_pair ON login_attempts (email, address, attempted_at);

ALTER TABLE outbox ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
