ALTER TABLE organisations DROP COLUMN may_donate;
