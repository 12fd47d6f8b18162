-- Per-user limits (messages a minute, /sync every few minutes), shared by every instance: a
-- fixed window per user and action, counted in one upsert.
CREATE TABLE throttle (
    user_id       BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action        TEXT        NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    hits          INTEGER     NOT NULL CHECK (hits >= 0),
    PRIMARY KEY (user_id, action)
);
