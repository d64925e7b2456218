-- Everyone a grant has assisted since it started, as its grantee counts them, stated with
-- each report: a report's beneficiary cells are the people first reached in its period,
-- and they may not add up beyond this figure, so a final report cannot count again the
-- people an interim report already counted. Reports sent before this column existed
-- stated nothing (NULL).
ALTER TABLE grant_reports ADD COLUMN people_reached_to_date BIGINT;
