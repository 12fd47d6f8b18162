-- One provider account, one Telegram account, held by the database as well as by the connect
-- flow's check (two callbacks racing with one WHOOP account could both pass a check; only one
-- passes a unique index). Webhooks find the user by the provider's id, so a second owner would
-- get another person's records.
--
-- Where an account is already linked to several users (a forwarded link before the
-- confirmation page existed), the latest connection keeps it; the others lose the provider's
-- id and are marked broken, so the bot tells those users once to connect again (and a reconnect
-- with the same account is then refused as taken).
WITH ranked AS (
    SELECT user_id, provider,
           row_number() OVER (PARTITION BY provider, external_user_id
                              ORDER BY updated_at DESC, user_id DESC) AS n
      FROM credentials
     WHERE external_user_id IS NOT NULL
)
UPDATE credentials c
   SET external_user_id = NULL, status = 'broken', user_notified = FALSE, updated_at = now()
  FROM ranked r
 WHERE c.user_id = r.user_id AND c.provider = r.provider AND r.n > 1;

CREATE UNIQUE INDEX credentials_one_owner ON credentials (provider, external_user_id)
    WHERE external_user_id IS NOT NULL;
