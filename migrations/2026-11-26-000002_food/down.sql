DROP TABLE food_diary_outbox;
DROP TABLE food_entries;
