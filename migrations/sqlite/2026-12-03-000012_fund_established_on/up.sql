-- The day a fund was set up: money pledged or received before it is refused (a pledge
-- dated 2009 in a fund set up in 2010 is a typing error). Funds recorded before this
-- column existed take the earliest date any money may carry, so nothing they hold or
-- accept changes; an admin can set the real day with PATCH /funds/{id}.
ALTER TABLE funds ADD COLUMN established_on DATE NOT NULL DEFAULT '2000-01-01';
