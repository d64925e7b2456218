-- Open data (IATI and 360Giving): the fund publishes under its organisation identifier
-- (org-id style, e.g. XM-DAC-41110) and IATI organisation type; every published activity
-- identifier starts with it, so it is frozen once the fund has grants.
ALTER TABLE funds ADD COLUMN organisation_identifier TEXT;
ALTER TABLE funds ADD COLUMN organisation_type TEXT NOT NULL DEFAULT '40';
-- A donor may ask to be listed as anonymous on the public page and in the open data.
ALTER TABLE organisations ADD COLUMN listed_anonymously BOOLEAN NOT NULL DEFAULT FALSE;
