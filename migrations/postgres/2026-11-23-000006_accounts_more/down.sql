DROP INDEX login_attempts_pair;
DROP INDEX one_time_tokens_user;
DROP INDEX one_time_tokens_email;
ALTER TABLE outbox DROP COLUMN locale;
ALTER TABLE login_attempts DROP COLUMN kind;
ALTER TABLE one_time_tokens DROP COLUMN email;
