-- The PostgreSQL migration of this number adds triggers that send `NOTIFY trustfund_writes`
-- when an account changes in SQL behind the service's back (src/db/changes.rs). SQLite
-- needs nothing: the service reads `PRAGMA data_version`, which moves on any commit of
-- another connection, accounts included. Kept so that both backends count the same
-- migrations.
SELECT 1;
