DROP TABLE board_decisions;
DROP TABLE grant_instalments;
DROP TABLE grants;
DROP TABLE board_session_trustees;
DROP TABLE board_sessions;
DROP TABLE review_assignments;
ALTER TABLE funds DROP COLUMN default_instalment_plan;
