ALTER TABLE registry_projects DROP COLUMN theme_percentages;
ALTER TABLE registry_projects DROP COLUMN region_percentages;
ALTER TABLE registry_projects DROP COLUMN regions;
ALTER TABLE registry_projects DROP COLUMN country_percentages;
