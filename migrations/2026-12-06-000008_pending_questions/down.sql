DROP TABLE pending_questions;
