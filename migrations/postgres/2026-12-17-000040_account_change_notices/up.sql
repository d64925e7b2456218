-- Every instance keeps the user behind each access token in memory while nothing changes
-- (src/db/changes.rs): the service's own writes send `NOTIFY trustfund_writes` after they
-- commit. An account can also be changed behind the service's back (an operator's
-- `UPDATE users SET active = FALSE` in psql): these triggers notify then too, so that a
-- deactivation or a board seat taken away takes effect at the next request however it
-- was made. Accounts change rarely, so the notification's lock at commit costs nothing.
CREATE FUNCTION trustfund_notify_writes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('trustfund_writes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER users_notify_writes
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION trustfund_notify_writes();

CREATE TRIGGER trustee_funds_notify_writes
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trustee_funds
    FOR EACH STATEMENT EXECUTE FUNCTION trustfund_notify_writes();
