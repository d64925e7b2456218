DROP TABLE work_notices;
ALTER TABLE users DROP COLUMN language;
