-- Retention: done updates go after a couple of days, parked ones after 30 (by when they were
-- settled), so the parked ones need an index of their own; and /metrics counts the updates that
-- are not done on every scrape, which this partial index keeps to the few that wait.
CREATE INDEX inbox_updates_parked ON inbox_updates (processed_at) WHERE state = 'parked';
CREATE INDEX inbox_updates_waiting ON inbox_updates (state) WHERE state <> 'done';
CREATE INDEX tasks_parked ON tasks (created_at) WHERE state = 'parked';
