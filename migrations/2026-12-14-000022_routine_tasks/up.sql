-- The per-user work of the WHOOP and FatSecret ticks as durable tasks every instance works on
-- (issue 18): each tick only queues, one open task of a kind per user at most, so a tick that
-- comes round while the last one's tasks are still queued adds nothing twice.
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync',
                    'whoop_change', 'briefing', 'whoop_sync', 'whoop_token_refresh',
                    'fatsecret_import', 'fatsecret_token_check'));
CREATE UNIQUE INDEX tasks_one_open_routine ON tasks (user_id, kind)
    WHERE kind IN ('whoop_sync', 'whoop_token_refresh', 'fatsecret_import', 'fatsecret_token_check')
      AND state IN ('pending', 'processing');
