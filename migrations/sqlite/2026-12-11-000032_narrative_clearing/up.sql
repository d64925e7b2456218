-- Narratives cleared before they travel: a report's narrative reaches donors (and any
-- later yearly report or public output) only once the secretariat has read it for
-- anything that could identify a survivor and cleared it. Reports already accepted wait
-- for clearing like new ones: nobody has checked them.
ALTER TABLE grant_reports ADD COLUMN narrative_cleared_at TIMESTAMP;
ALTER TABLE grant_reports ADD COLUMN narrative_cleared_by TEXT REFERENCES users (id);
