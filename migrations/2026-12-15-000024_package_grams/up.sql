-- A package's grams asked before anything is logged (issue 16): a barcode's product or a label's
-- with no grams said and no serving known. Its `entry_id` holds the message's update id (the
-- food waits as a choice offered under that message). The column keeps its name so that the
-- previous release's instances keep working during a rolling deploy.
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_kind_check;
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_kind_check
    CHECK (kind IN ('grams', 'package_grams'));
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_check;
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_check CHECK (entry_id IS NOT NULL);
