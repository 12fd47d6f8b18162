-- A user's own foods (issue 16): products saved with their numbers, what they meant by an
-- ambiguous phrase, their usual portions, and candidates offered until a button picks one.

CREATE TABLE saved_products (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT             NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_key    TEXT             NOT NULL CHECK (name_key <> ''),
    kcal        DOUBLE PRECISION NOT NULL CHECK (kcal >= 0 AND kcal <= 900),
    protein_g   DOUBLE PRECISION NOT NULL CHECK (protein_g >= 0 AND protein_g <= 100),
    fat_g       DOUBLE PRECISION NOT NULL CHECK (fat_g >= 0 AND fat_g <= 100),
    carbs_g     DOUBLE PRECISION NOT NULL CHECK (carbs_g >= 0 AND carbs_g <= 100),
    barcode     TEXT             CHECK (barcode ~ '^[0-9]{8,14}$'),
    created_at  TIMESTAMPTZ      NOT NULL,
    UNIQUE (user_id, name_key)
);
CREATE UNIQUE INDEX saved_products_barcode ON saved_products (user_id, barcode)
    WHERE barcode IS NOT NULL;

CREATE TABLE food_meanings (
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    phrase_key  TEXT        NOT NULL CHECK (phrase_key <> ''),
    facts       JSONB       NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, phrase_key)
);

CREATE TABLE usual_portions (
    user_id     BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    food_key    TEXT             NOT NULL CHECK (food_key <> ''),
    grams       DOUBLE PRECISION NOT NULL CHECK (grams > 0 AND grams <= 10000),
    updated_at  TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (user_id, food_key)
);

CREATE TABLE food_choices (
    user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    update_id   BIGINT      NOT NULL,
    item        SMALLINT    NOT NULL CHECK (item >= 0 AND item <= 255),
    choice      JSONB       NOT NULL,
    offered_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, update_id, item)
);

ALTER TABLE food_entries DROP CONSTRAINT food_entries_nutrition_source_check;
ALTER TABLE food_entries ADD CONSTRAINT food_entries_nutrition_source_check
    CHECK (nutrition_source IN ('fatsecret', 'offline_catalogue', 'open_food_facts', 'saved_product'));
