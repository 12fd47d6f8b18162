-- Conversations, the durable inbox of Telegram updates, once-only notifications and job runs.

CREATE TABLE conversation_messages (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT        NOT NULL CHECK (role IN ('user', 'assistant')),
    content     TEXT        NOT NULL,
    intent      TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX conversation_messages_user_time ON conversation_messages (user_id, created_at DESC);
CREATE INDEX conversation_messages_time ON conversation_messages (created_at);

-- Raw updates as Telegram sent them: stored before the 200, processed after.
-- Not user-owned (the sender may not be a user yet); /delete removes a user's rows by chat_id.
CREATE TABLE inbox_updates (
    update_id        BIGINT      PRIMARY KEY CHECK (update_id >= 0),
    chat_id          BIGINT,
    payload          JSONB       NOT NULL,
    state            TEXT        NOT NULL DEFAULT 'pending'
                                 CHECK (state IN ('pending', 'processing', 'done', 'parked')),
    attempts         INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_by        TEXT,
    locked_until     TIMESTAMPTZ,
    last_error       TEXT,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    processed_at     TIMESTAMPTZ
);
-- Claiming: the oldest open update of each chat.
CREATE INDEX inbox_updates_open ON inbox_updates (chat_id, update_id) WHERE state IN ('pending', 'processing');
CREATE INDEX inbox_updates_done ON inbox_updates (processed_at) WHERE state = 'done';

-- What the bot sent on its own: once per user, kind and local date.
CREATE TABLE notification_sends (
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT        NOT NULL CHECK (kind IN ('morning_briefing', 'evening_summary')),
    local_date  DATE        NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, kind, local_date)
);

-- Scheduled ticks, claimed once across every instance.
CREATE TABLE job_runs (
    job          TEXT        NOT NULL,
    tick         TIMESTAMPTZ NOT NULL,
    claimed_by   TEXT        NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ,
    outcome      TEXT        CHECK (outcome IN ('ok', 'failed')),
    attempts     INTEGER     NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    detail       TEXT,
    PRIMARY KEY (job, tick)
);
CREATE INDEX job_runs_latest ON job_runs (job, started_at DESC);
