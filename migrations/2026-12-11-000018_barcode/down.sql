DELETE FROM food_entries WHERE source = 'barcode' OR nutrition_source = 'open_food_facts';
ALTER TABLE food_entries DROP CONSTRAINT food_entries_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_source_check
    CHECK (source IN ('text', 'voice', 'fatsecret_diary'));
ALTER TABLE food_entries DROP CONSTRAINT food_entries_nutrition_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_nutrition_source_check
    CHECK (nutrition_source IN ('fatsecret', 'offline_catalogue'));
