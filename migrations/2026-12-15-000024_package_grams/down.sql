DELETE FROM pending_questions WHERE kind = 'package_grams';
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_kind_check;
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_kind_check CHECK (kind IN ('grams'));
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_check;
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_check
    CHECK (kind <> 'grams' OR entry_id IS NOT NULL);
