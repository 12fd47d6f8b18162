DROP TABLE webhook_receipts;
DELETE FROM tasks WHERE kind = 'whoop_change';
ALTER TABLE tasks DROP COLUMN payload;
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync'));
