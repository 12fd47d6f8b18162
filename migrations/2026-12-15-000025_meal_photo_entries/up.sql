-- Entries logged from a photo of a meal: foods and grams estimated, confirmed by the user
-- (issue 16).
ALTER TABLE food_entries DROP CONSTRAINT food_entries_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_source_check
    CHECK (source IN ('text', 'voice', 'fatsecret_diary', 'barcode', 'label', 'meal_photo'));
