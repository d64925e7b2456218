DROP TABLE grant_draws;
DROP TABLE restricted_funds;
ALTER TABLE contributions DROP COLUMN earmark;
