DELETE FROM pending_questions WHERE kind = 'meal_grams';
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_item_check;
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_kind_check;
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_kind_check
    CHECK (kind IN ('grams', 'package_grams'));
ALTER TABLE pending_questions DROP COLUMN item;
