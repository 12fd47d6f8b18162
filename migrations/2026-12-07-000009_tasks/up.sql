-- Work for later, kept until done: survives a restart and runs on whichever instance claims it
-- (the inbox's claim, lease, retry and park, for work that is not a Telegram update). Done rows
-- are deleted, not kept.
CREATE TABLE tasks (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT        NOT NULL CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync')),
    state         TEXT        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'processing', 'parked')),
    attempts      INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    run_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_by     TEXT,
    locked_until  TIMESTAMPTZ,
    last_error    TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX tasks_open ON tasks (run_at) WHERE state IN ('pending', 'processing');
CREATE INDEX tasks_user ON tasks (user_id);
