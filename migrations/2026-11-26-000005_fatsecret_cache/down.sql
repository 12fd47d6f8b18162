DROP TABLE IF EXISTS fatsecret_food_cache;
