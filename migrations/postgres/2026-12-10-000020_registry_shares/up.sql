-- How a registry project's budget is shared out in the who-does-what-where figures
-- (src/registry/rules.rs): the percentages an IATI file gives to recipient countries,
-- recipient regions and sectors, kept as space-separated decimals in the order of
-- `countries`, `regions` and `themes`. Empty: none were given, and the budget is shared
-- evenly. `regions` holds IATI region codes (OECD DAC vocabulary; others as
-- `vocabulary:code`), which no country row of the matrix shows.
ALTER TABLE registry_projects ADD COLUMN country_percentages TEXT NOT NULL DEFAULT '';
ALTER TABLE registry_projects ADD COLUMN regions TEXT NOT NULL DEFAULT '';
ALTER TABLE registry_projects ADD COLUMN region_percentages TEXT NOT NULL DEFAULT '';
ALTER TABLE registry_projects ADD COLUMN theme_percentages TEXT NOT NULL DEFAULT '';

-- A grant's project carries the identifier of the grant's activity in the fund's own IATI
-- file ({fund organisation identifier}-{grant reference}), so that importing that file
-- finds the grant instead of registering it a second time. Grants published before this
-- migration get it here when their fund has an identifier and no other project holds it.
UPDATE registry_projects
SET iati_identifier = (
    SELECT f.organisation_identifier || '-' || g.reference
    FROM grants g JOIN funds f ON f.id = g.fund_id
    WHERE g.registry_project_id = registry_projects.id
)
WHERE source = 'grant'
  AND iati_identifier IS NULL
  AND EXISTS (
    SELECT 1 FROM grants g JOIN funds f ON f.id = g.fund_id
    WHERE g.registry_project_id = registry_projects.id
      AND f.organisation_identifier IS NOT NULL
      AND NOT EXISTS (
        SELECT 1 FROM registry_projects other
        WHERE other.iati_identifier = f.organisation_identifier || '-' || g.reference
      )
  );
