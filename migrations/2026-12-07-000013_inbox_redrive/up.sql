-- Why an update was parked: 'outage' (a passing failure outlasted every attempt: Telegram, OpenAI
-- or the database could not be reached) is re-driven to pending once the outage is over; 'fault'
-- (a permanent error, a panic, a hang, an unreadable update) waits for an operator. NULL while
-- not parked, and for updates parked before the cause was recorded (treated as faults).
-- `redrives` counts the re-drives, which are bounded so that an outage that never ends cannot
-- send an update round for ever. Adding a column with a constant default rewrites nothing.
ALTER TABLE inbox_updates
    ADD COLUMN park_cause TEXT CHECK (park_cause IN ('outage', 'fault')),
    ADD COLUMN redrives   INTEGER NOT NULL DEFAULT 0 CHECK (redrives >= 0);
-- The re-drive runs every few minutes over the few updates parked by an outage.
CREATE INDEX inbox_updates_redrivable ON inbox_updates (received_at)
    WHERE state = 'parked' AND park_cause = 'outage';
