DELETE FROM tasks WHERE kind = 'briefing';
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync', 'whoop_change'));
