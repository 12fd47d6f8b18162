-- The question the bot is waiting for an answer to ("how many grams of eggs?"), one per user:
-- asking again replaces it, the next text message takes it (answered or not), and it expires.
-- Typed by `kind` (one value per `Question` variant), not parsed out of conversation history.
CREATE TABLE pending_questions (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('grams')),
    entry_id   BIGINT,
    asked_at   TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    CHECK (kind <> 'grams' OR entry_id IS NOT NULL)
);
