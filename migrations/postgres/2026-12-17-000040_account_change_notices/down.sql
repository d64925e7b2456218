DROP TRIGGER IF EXISTS trustee_funds_notify_writes ON trustee_funds;
DROP TRIGGER IF EXISTS users_notify_writes ON users;
DROP FUNCTION IF EXISTS trustfund_notify_writes();
