-- A grantee whose staff could face reprisals: its name, identifiers and any place finer
-- than its country stay out of every public output (registry, public page, IATI,
-- 360Giving). No organisation is protected until the secretariat says so.
ALTER TABLE organisations ADD COLUMN protected BOOLEAN NOT NULL DEFAULT FALSE;
