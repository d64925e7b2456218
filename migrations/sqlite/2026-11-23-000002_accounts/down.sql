DROP TABLE outbox;
DROP TABLE login_attempts;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE trustee_funds;
DROP TABLE users;
