-- The day a review is due: set when the secretariat assigns the reviewer (given, or the
-- assignment day + `review.days_to_review`). Assignments made before this migration are
-- due 14 days after they were made (the setting's default). The index serves the
-- secretariat's queue of overdue reviews: only reviews not yet submitted are searched.
ALTER TABLE review_assignments ADD COLUMN due_on DATE;
UPDATE review_assignments SET due_on = CAST(created_at + INTERVAL '14 days' AS DATE);
ALTER TABLE review_assignments ALTER COLUMN due_on SET NOT NULL;
CREATE INDEX review_assignments_due ON review_assignments (due_on) WHERE submitted_at IS NULL;
