DROP INDEX tasks_one_open_routine;
DELETE FROM tasks WHERE kind IN ('whoop_sync', 'whoop_token_refresh', 'fatsecret_import', 'fatsecret_token_check');
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync',
                    'whoop_change', 'briefing'));
