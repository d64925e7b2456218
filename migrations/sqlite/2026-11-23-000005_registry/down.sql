DROP TABLE registry_state;
DROP TABLE registry_overlap_reviews;
DROP TRIGGER registry_projects_fts_update;
DROP TRIGGER registry_projects_fts_delete;
DROP TRIGGER registry_projects_fts_insert;
DROP TABLE registry_projects_fts;
DROP TABLE registry_projects;
