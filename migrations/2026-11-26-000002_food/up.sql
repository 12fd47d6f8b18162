-- The food diary we keep, and the outbox that writes it through to FatSecret.

CREATE TABLE food_entries (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id                BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                   TEXT             NOT NULL CHECK (name <> ''),
    grams                  DOUBLE PRECISION NOT NULL CHECK (grams > 0 AND grams <= 10000),
    kcal                   DOUBLE PRECISION NOT NULL CHECK (kcal >= 0),
    protein_g              DOUBLE PRECISION NOT NULL CHECK (protein_g >= 0),
    fat_g                  DOUBLE PRECISION NOT NULL CHECK (fat_g >= 0),
    carbs_g                DOUBLE PRECISION NOT NULL CHECK (carbs_g >= 0),
    meal                   TEXT             NOT NULL CHECK (meal IN ('breakfast', 'lunch', 'dinner', 'snack')),
    source                 TEXT             NOT NULL CHECK (source IN ('text', 'voice', 'fatsecret_diary')),
    nutrition_source       TEXT             NOT NULL CHECK (nutrition_source IN ('fatsecret', 'offline_catalogue')),
    local_date             DATE             NOT NULL,
    logged_at              TIMESTAMPTZ      NOT NULL,
    status                 TEXT             NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'voided')),
    voided_at              TIMESTAMPTZ,
    idempotency_key        TEXT             NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    fatsecret_food_id      TEXT,
    fatsecret_serving_id   TEXT,
    fatsecret_entry_id     TEXT             UNIQUE,
    created_at             TIMESTAMPTZ      NOT NULL DEFAULT now(),
    UNIQUE (user_id, idempotency_key),
    CHECK ((status = 'voided') = (voided_at IS NOT NULL)),
    CHECK ((fatsecret_food_id IS NULL) = (fatsecret_serving_id IS NULL))
);
-- The hot query: a user's active entries (and totals) on a local day.
CREATE INDEX food_entries_user_day ON food_entries (user_id, local_date) WHERE status = 'active';
CREATE INDEX food_entries_user_logged ON food_entries (user_id, logged_at DESC);

-- Transactional outbox: written with the entry, sent by a worker.
CREATE TABLE food_diary_outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    food_entry_id    BIGINT      NOT NULL REFERENCES food_entries (id) ON DELETE CASCADE,
    operation        TEXT        NOT NULL CHECK (operation IN ('create', 'delete')),
    -- pending: not sent; unknown: sent, no answer (reconciled by reading the diary day).
    state            TEXT        NOT NULL DEFAULT 'pending'
                                 CHECK (state IN ('pending', 'in_flight', 'unknown', 'done', 'failed')),
    attempts         INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_until     TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (food_entry_id, operation)
);
CREATE INDEX food_diary_outbox_due ON food_diary_outbox (next_attempt_at)
    WHERE state IN ('pending', 'in_flight', 'unknown');
CREATE INDEX food_diary_outbox_user ON food_diary_outbox (user_id);
