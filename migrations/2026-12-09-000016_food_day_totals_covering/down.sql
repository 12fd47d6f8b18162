DROP INDEX food_entries_user_day;
CREATE INDEX food_entries_user_day ON food_entries (user_id, local_date) WHERE status = 'active';
