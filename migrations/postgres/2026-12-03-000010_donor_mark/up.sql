-- Who can be a donor: governments, multilateral bodies, foundations, companies, individuals
-- and asset-recovery funds give; an NGO is a grantee unless the secretariat marks it as one
-- that really gives (`may_donate`), so a grantee is never recorded and published as a funder.
ALTER TABLE organisations ADD COLUMN may_donate BOOLEAN NOT NULL DEFAULT FALSE;
