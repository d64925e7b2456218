ALTER TABLE registry_projects DROP COLUMN links;
