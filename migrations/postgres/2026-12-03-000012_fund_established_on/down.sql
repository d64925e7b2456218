ALTER TABLE funds DROP COLUMN established_on;
