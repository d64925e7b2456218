DROP TABLE registry_state;
DROP TABLE registry_overlap_reviews;
DROP TABLE registry_projects;
