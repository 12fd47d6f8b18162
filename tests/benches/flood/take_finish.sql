-- One message through the shared Telegram flood budget as an instance sends it: the take
-- (`flood_take`, one round trip) and the finish when Telegram answered (PgFloodGate's FINISH).
-- Limits as in production (30 a second, 20 a minute per group, 40 s longest send), chats at
-- random: most takes in a full second are answered "wait", as the heads of N instances' lines
-- are. Run with pgbench; docs/performance.md has the command.
\set chat random(1, 100000)
SELECT coalesce(send_id, 0) AS send_id FROM flood_take('bench', :chat, true, 'pgbench-' || :client_id, 1, 30, 20, 40) \gset
UPDATE flood_sends SET finished_at = clock_timestamp(), free_at = clock_timestamp() + make_interval(secs => 1), chat_free_at = clock_timestamp() + make_interval(secs => 1) WHERE id = :send_id;
