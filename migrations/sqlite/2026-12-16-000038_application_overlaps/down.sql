ALTER TABLE board_decisions DROP COLUMN overlap_weighing;
DROP INDEX application_overlaps_project;
DROP TABLE application_overlaps;
