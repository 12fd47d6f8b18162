-- The Mini App's summary sums a user's active entries per day over up to a year (issue 15). With
-- the numbers in the index, those sums are an index-only scan: a few index pages instead of one
-- heap page per entry, since a user's entries are spread over the table as they were logged.
-- Same name, key and predicate as before, so the day's entries use it as they did.
DROP INDEX food_entries_user_day;
CREATE INDEX food_entries_user_day ON food_entries (user_id, local_date)
    INCLUDE (kcal, protein_g, fat_g, carbs_g) WHERE status = 'active';
