-- Briefings are sent by durable tasks that every instance works on: the scheduled check claims
-- each due briefing in notification_sends and adds its task in one statement, and whichever
-- instance's task worker claims the task composes and sends it (issue 18).
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync',
                    'whoop_change', 'briefing'));
