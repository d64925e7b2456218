-- Links to a registry project's own pages (src/registry/model.rs, `ProjectLink`): a JSON
-- array of {"url": "https://…", "title": "…" or null}, at most 10, each an absolute
-- https:// address checked when written (`platform::link::https_url`). The server stores
-- and shows them and never fetches them. Projects registered before have none.
ALTER TABLE registry_projects ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
