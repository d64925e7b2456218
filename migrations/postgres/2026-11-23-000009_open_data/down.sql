ALTER TABLE organisations DROP COLUMN listed_anonymously;
ALTER TABLE funds DROP COLUMN organisation_type;
ALTER TABLE funds DROP COLUMN organisation_identifier;
