DROP TABLE need_offer_matches;
DROP TABLE offer_countries;
DROP TABLE offers;
DROP TABLE needs;
