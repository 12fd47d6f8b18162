-- Entries logged from a photo of a barcode, with numbers from Open Food Facts (issue 16).
ALTER TABLE food_entries DROP CONSTRAINT food_entries_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_source_check
    CHECK (source IN ('text', 'voice', 'fatsecret_diary', 'barcode'));
ALTER TABLE food_entries DROP CONSTRAINT food_entries_nutrition_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_nutrition_source_check
    CHECK (nutrition_source IN ('fatsecret', 'offline_catalogue', 'open_food_facts'));
