-- The grams of one food of a meal estimated from a photo, asked before anything is logged
-- (issue 16): `entry_id` holds the photo's update id, the new `item` the food's place in the
-- estimate. Additive, so the previous release keeps working during a rolling deploy.
ALTER TABLE pending_questions ADD COLUMN item SMALLINT;
ALTER TABLE pending_questions DROP CONSTRAINT pending_questions_kind_check;
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_kind_check
    CHECK (kind IN ('grams', 'package_grams', 'meal_grams'));
ALTER TABLE pending_questions ADD CONSTRAINT pending_questions_item_check
    CHECK (kind <> 'meal_grams' OR item IS NOT NULL);
