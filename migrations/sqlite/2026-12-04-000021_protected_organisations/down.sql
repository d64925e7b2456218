ALTER TABLE organisations DROP COLUMN protected;
