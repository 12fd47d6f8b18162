DELETE FROM food_entries WHERE source = 'meal_photo';
ALTER TABLE food_entries DROP CONSTRAINT food_entries_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_source_check
    CHECK (source IN ('text', 'voice', 'fatsecret_diary', 'barcode', 'label'));
