DROP TABLE registry_state;
DROP TABLE registry_overlap_reviews;
DROP TABLE registry_project_orgs;
DROP TABLE registry_project_themes;
DROP TABLE registry_project_countries;
DROP TABLE registry_projects;
