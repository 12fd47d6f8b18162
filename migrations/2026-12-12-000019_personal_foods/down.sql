DELETE FROM food_entries WHERE nutrition_source = 'saved_product';
ALTER TABLE food_entries DROP CONSTRAINT food_entries_nutrition_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_nutrition_source_check
    CHECK (nutrition_source IN ('fatsecret', 'offline_catalogue', 'open_food_facts'));
DROP TABLE food_choices;
DROP TABLE usual_portions;
DROP TABLE food_meanings;
DROP TABLE saved_products;
