-- FatSecret food lookups, kept at most 24 hours (facts NULL: FatSecret found nothing).
CREATE TABLE fatsecret_food_cache (
    query       TEXT        PRIMARY KEY,
    facts       JSONB,
    fetched_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX fatsecret_food_cache_fetched ON fatsecret_food_cache (fetched_at);
