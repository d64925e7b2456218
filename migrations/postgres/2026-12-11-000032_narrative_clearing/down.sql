ALTER TABLE grant_reports DROP COLUMN narrative_cleared_by;
ALTER TABLE grant_reports DROP COLUMN narrative_cleared_at;
