DROP INDEX review_assignments_due;
ALTER TABLE review_assignments DROP COLUMN due_on;
