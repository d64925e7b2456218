ALTER TABLE grant_reports DROP COLUMN people_reached_to_date;
