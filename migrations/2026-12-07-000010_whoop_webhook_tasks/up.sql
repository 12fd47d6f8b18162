-- A signed WHOOP webhook is stored as a task before it is acknowledged: what changed is the
-- task's payload, and the record is fetched (or deleted) by whichever instance claims it.
ALTER TABLE tasks DROP CONSTRAINT tasks_kind_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_kind_check
    CHECK (kind IN ('say_whoop_connected', 'say_fatsecret_connected', 'first_whoop_sync', 'whoop_change'));
ALTER TABLE tasks ADD COLUMN payload JSONB;

-- Webhooks already taken, by their key (for WHOOP: type, record id and the signed timestamp):
-- a redelivery or a replay within the signature's 5 minutes is acknowledged, not queued twice.
-- Kept a day by the retention job.
CREATE TABLE webhook_receipts (
    key          TEXT        PRIMARY KEY,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_receipts_received ON webhook_receipts (received_at);
