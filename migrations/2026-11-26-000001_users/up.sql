-- People, their connections to providers, and pending OAuth connections.

CREATE TABLE users (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    telegram_id        BIGINT      NOT NULL UNIQUE CHECK (telegram_id > 0),
    first_name         TEXT        NOT NULL DEFAULT '',
    locale             TEXT        NOT NULL DEFAULT 'en' CHECK (locale IN ('uk', 'en')),
    time_zone          TEXT        NOT NULL DEFAULT 'Europe/Kyiv' CHECK (time_zone <> ''),
    calorie_goal       INTEGER     NOT NULL DEFAULT 2000 CHECK (calorie_goal BETWEEN 500 AND 10000),
    morning_time       TIME        NOT NULL DEFAULT '08:00',
    evening_time       TIME        NOT NULL DEFAULT '21:00',
    briefings_enabled  BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (morning_time < evening_time)
);

-- OAuth tokens, encrypted by the application (AES-256-GCM: nonce || ciphertext || tag).
CREATE TABLE credentials (
    user_id            BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider           TEXT        NOT NULL CHECK (provider IN ('whoop', 'fatsecret')),
    access_token_enc   BYTEA       NOT NULL,
    refresh_token_enc  BYTEA,
    token_secret_enc   BYTEA,
    expires_at         TIMESTAMPTZ,
    scope              TEXT        NOT NULL DEFAULT '',
    external_user_id   TEXT,
    status             TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'broken')),
    user_notified      BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, provider),
    -- OAuth 2 needs an expiry; OAuth 1.0a needs the token secret.
    CHECK (provider <> 'whoop' OR expires_at IS NOT NULL),
    CHECK (provider <> 'fatsecret' OR token_secret_enc IS NOT NULL)
);
CREATE INDEX credentials_expiring ON credentials (provider, expires_at) WHERE status = 'active';

-- Random single-use states of pending connections (10 minutes).
CREATE TABLE oauth_states (
    state                     TEXT        PRIMARY KEY CHECK (length(state) >= 8),
    user_id                   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider                  TEXT        NOT NULL CHECK (provider IN ('whoop', 'fatsecret')),
    request_token             TEXT        UNIQUE,
    request_token_secret_enc  BYTEA,
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at                TIMESTAMPTZ NOT NULL,
    used_at                   TIMESTAMPTZ,
    CHECK ((request_token IS NULL) = (request_token_secret_enc IS NULL))
);
CREATE INDEX oauth_states_user ON oauth_states (user_id);
CREATE INDEX oauth_states_expiry ON oauth_states (expires_at);
