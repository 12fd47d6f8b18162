-- Database size per user per year (docs/scaling.md). Run on a freshly migrated, empty database:
--   make bench-size
-- Seeds USERS users with one year of what an active user leaves behind and reports the bytes
-- per user, table by table (heap + indexes + TOAST, after VACUUM). What a year holds per user:
-- 9 food entries a day (3 meals of 3 items, as the food log's peers report), one WHOOP cycle,
-- sleep and recovery a day and a workout every other day, 2 briefings a day claimed; kept only
-- for a while and so not counted a year long: conversation messages (7 days), handled updates
-- (48 hours), tasks (deleted when done).
\set users 1000
\set days 365
BEGIN;
INSERT INTO users (telegram_id, first_name, locale)
SELECT 500000 + g, 'User ' || g, CASE WHEN g % 2 = 0 THEN 'uk' ELSE 'en' END
FROM generate_series(1, :users) g;

INSERT INTO food_entries (user_id, name, grams, kcal, protein_g, fat_g, carbs_g, meal, source,
                          nutrition_source, local_date, logged_at, idempotency_key)
SELECT u.id, 'вівсяні пластівці', 60, 222.6, 7.9, 4.1, 36.2,
       (ARRAY['breakfast', 'lunch', 'dinner'])[1 + k / 3], 'text', 'offline_catalogue',
       DATE '2026-01-01' + d, TIMESTAMPTZ '2026-01-01 08:00Z' + make_interval(days => d),
       'update:' || (u.id * 100000 + d * 10 + k)
FROM users u, generate_series(0, :days - 1) d, generate_series(0, 8) k;

INSERT INTO whoop_cycles (whoop_id, user_id, start_at, end_at, timezone_offset, score_state,
                          strain, kilojoule, average_heart_rate, max_heart_rate, whoop_updated_at)
SELECT u.id * 1000 + d, u.id, TIMESTAMPTZ '2026-01-01 06:00Z' + make_interval(days => d),
       TIMESTAMPTZ '2026-01-02 06:00Z' + make_interval(days => d), '+02:00', 'SCORED',
       11.4, 9800.5, 68, 161, now()
FROM users u, generate_series(0, :days - 1) d;

INSERT INTO whoop_sleep (whoop_id, cycle_id, user_id, start_at, end_at, timezone_offset, nap,
                         score_state, in_bed_milli, awake_milli, light_milli, slow_wave_milli,
                         rem_milli, cycle_count, disturbance_count, performance_pct,
                         efficiency_pct, consistency_pct, respiratory_rate, whoop_updated_at)
SELECT gen_random_uuid()::text, u.id * 1000 + d, u.id,
       TIMESTAMPTZ '2026-01-01 22:00Z' + make_interval(days => d),
       TIMESTAMPTZ '2026-01-02 06:00Z' + make_interval(days => d), '+02:00', false, 'SCORED',
       28800000, 1800000, 14400000, 5400000, 7200000, 4, 12, 91.0, 93.5, 80.0, 15.2, now()
FROM users u, generate_series(0, :days - 1) d;

INSERT INTO whoop_recovery (cycle_id, sleep_id, user_id, score_state, recovery_score,
                            resting_heart_rate, hrv_rmssd_milli, spo2_pct, skin_temp_celsius,
                            user_calibrating, whoop_created_at, whoop_updated_at)
SELECT u.id * 1000 + d, gen_random_uuid()::text, u.id, 'SCORED', 64, 52, 61.3, 96.1, 33.4,
       false, TIMESTAMPTZ '2026-01-02 06:05Z' + make_interval(days => d), now()
FROM users u, generate_series(0, :days - 1) d;

INSERT INTO whoop_workouts (whoop_id, user_id, start_at, end_at, timezone_offset, sport_name,
                            score_state, strain, average_heart_rate, max_heart_rate, kilojoule,
                            distance_meter, whoop_updated_at)
SELECT gen_random_uuid()::text, u.id, TIMESTAMPTZ '2026-01-01 17:00Z' + make_interval(days => d),
       TIMESTAMPTZ '2026-01-01 18:00Z' + make_interval(days => d), '+02:00', 'running', 'SCORED',
       9.8, 142, 171, 2500.0, 8000.0, now()
FROM users u, generate_series(0, :days - 1, 2) d;

INSERT INTO notification_sends (user_id, kind, local_date, sent_at)
SELECT u.id, k, DATE '2026-01-01' + d, now()
FROM users u, generate_series(0, :days - 1) d,
     unnest(ARRAY['morning_briefing', 'evening_summary']) k;
COMMIT;

VACUUM ANALYZE;

SELECT c.relname AS "table",
       pg_size_pretty(pg_total_relation_size(c.oid)) AS "total",
       pg_total_relation_size(c.oid) / :users AS "bytes per user per year"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r'
  AND c.relname IN ('users', 'food_entries', 'whoop_cycles', 'whoop_sleep', 'whoop_recovery',
                    'whoop_workouts', 'notification_sends')
ORDER BY pg_total_relation_size(c.oid) DESC;

SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) AS "all tables",
       sum(pg_total_relation_size(c.oid)) / :users AS "bytes per user per year"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r';
