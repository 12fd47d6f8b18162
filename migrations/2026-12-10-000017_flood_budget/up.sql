-- Telegram's flood limits are per bot token, not per process: every instance asks here before
-- each message. One row per bot (its lock serialises the decisions; `interactive_until` holds
-- broadcasts back while an interactive reply waits for room).
-- Both tables are UNLOGGED: a decision writes no WAL, so its commit waits for no disk flush
-- (0.3-0.7 ms for a take and a finish instead of 1.5-6.3 ms with the row lock WAL-logged; see
-- docs/performance.md). After a crash or a failover they are empty, which lets at most one
-- second's worth through at once.
CREATE UNLOGGED TABLE flood_budgets (
    bot               TEXT        PRIMARY KEY,
    interactive_until TIMESTAMPTZ
);

-- One row per message taken. `free_at` is when it stops counting against the bot's second
-- (pessimistically the send's timeout until it finished, then a second after its answer);
-- `chat_free_at` when its chat may have the next one; `owner` the process that took it. Rows
-- live a few minutes.
CREATE UNLOGGED TABLE flood_sends (
    id           BIGSERIAL   PRIMARY KEY,
    bot          TEXT        NOT NULL,
    chat_id      BIGINT      NOT NULL,
    owner        TEXT        NOT NULL,
    sent_at      TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    free_at      TIMESTAMPTZ NOT NULL,
    chat_free_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX flood_sends_busy ON flood_sends (bot, free_at);
CREATE INDEX flood_sends_chat ON flood_sends (bot, chat_id, chat_free_at);

-- One decision in one round trip, under the bot's row lock: may a message to `p_chat` go now?
-- Returns the new send's id, or how long to wait and why ('chat' or 'bot'). In a function each
-- statement sees what the previous lock holder committed.
CREATE FUNCTION flood_take(
    p_bot              TEXT,
    p_chat             BIGINT,
    p_interactive      BOOLEAN,
    p_owner            TEXT,
    p_chat_secs        DOUBLE PRECISION,
    p_per_second       INTEGER,
    p_group_per_minute INTEGER,
    p_longest_secs     DOUBLE PRECISION,
    OUT send_id        BIGINT,
    OUT wait_secs      DOUBLE PRECISION,
    OUT reason         TEXT
) LANGUAGE plpgsql AS $$
DECLARE
    v_now          TIMESTAMPTZ;
    v_interactive  TIMESTAMPTZ;
    v_chat_free    TIMESTAMPTZ;
    v_group_sends  BIGINT;
    v_group_oldest TIMESTAMPTZ;
    v_busy         BIGINT;
    v_first_free   TIMESTAMPTZ;
    v_in_flight    BIGINT;
BEGIN
    INSERT INTO flood_budgets (bot) VALUES (p_bot) ON CONFLICT DO NOTHING;
    SELECT interactive_until INTO v_interactive FROM flood_budgets WHERE bot = p_bot FOR UPDATE;
    v_now := clock_timestamp();
    wait_secs := 0;

    -- The asking process sends to a chat one message at a time, so a send of its own to this
    -- chat still unfinished is over: its finish was lost (the database was away, or the take's
    -- answer never arrived). Otherwise it would hold the chat until the longest send.
    UPDATE flood_sends
       SET finished_at = v_now, free_at = v_now + interval '1 second',
           chat_free_at = v_now + make_interval(secs => p_chat_secs)
     WHERE bot = p_bot AND chat_id = p_chat AND owner = p_owner AND finished_at IS NULL
       AND chat_free_at > v_now;

    -- The chat: one message per interval (from the previous one's answer); a send to it still
    -- in flight (from another process) is looked at again shortly.
    SELECT max(chat_free_at) FILTER (WHERE finished_at IS NOT NULL),
           count(*) FILTER (WHERE finished_at IS NULL)
      INTO v_chat_free, v_in_flight
      FROM flood_sends WHERE bot = p_bot AND chat_id = p_chat AND chat_free_at > v_now;
    IF v_in_flight > 0 THEN
        wait_secs := 0.02;
    ELSIF v_chat_free IS NOT NULL THEN
        wait_secs := greatest(extract(epoch FROM v_chat_free - v_now), 0.001);
    END IF;
    -- A group: at most p_group_per_minute a minute (each from its answer, or in flight).
    IF p_chat < 0 THEN
        SELECT count(*), min(coalesce(finished_at, v_now))
          INTO v_group_sends, v_group_oldest
          FROM flood_sends
         WHERE bot = p_bot AND chat_id = p_chat
           AND coalesce(finished_at, v_now) > v_now - interval '1 minute';
        IF v_group_sends >= p_group_per_minute THEN
            wait_secs := greatest(wait_secs,
                extract(epoch FROM v_group_oldest + interval '1 minute' - v_now), 0.001);
        END IF;
    END IF;
    IF wait_secs > 0 THEN
        reason := 'chat';
        RETURN;
    END IF;

    -- The bot: broadcasts wait while an interactive send waits for room.
    IF NOT p_interactive AND v_interactive > v_now THEN
        wait_secs := extract(epoch FROM v_interactive - v_now);
        reason := 'bot';
        RETURN;
    END IF;
    -- At most p_per_second counting now: finished within the last second, or in flight.
    SELECT count(*), min(free_at) FILTER (WHERE finished_at IS NOT NULL),
           count(*) FILTER (WHERE finished_at IS NULL)
      INTO v_busy, v_first_free, v_in_flight
      FROM flood_sends WHERE bot = p_bot AND free_at > v_now;
    IF v_busy >= p_per_second THEN
        -- The first finished one frees its slot first; a send in flight may free one as soon
        -- as it finishes, so then look again shortly.
        IF v_in_flight > 0 THEN
            wait_secs := 0.02;
        END IF;
        IF v_first_free IS NOT NULL THEN
            wait_secs := least(coalesce(nullif(wait_secs, 0), 1),
                               greatest(extract(epoch FROM v_first_free - v_now), 0.001));
        END IF;
        reason := 'bot';
        IF p_interactive THEN
            UPDATE flood_budgets
               SET interactive_until = greatest(coalesce(interactive_until, v_now),
                                                v_now + make_interval(secs => wait_secs + 0.25))
             WHERE bot = p_bot;
        END IF;
        RETURN;
    END IF;

    DELETE FROM flood_sends
     WHERE bot = p_bot AND free_at < v_now - interval '2 minutes'
       AND chat_free_at < v_now - interval '2 minutes';
    INSERT INTO flood_sends (bot, chat_id, owner, sent_at, free_at, chat_free_at)
    VALUES (p_bot, p_chat, p_owner, v_now, v_now + make_interval(secs => p_longest_secs),
            v_now + make_interval(secs => p_longest_secs))
    RETURNING id INTO send_id;
END;
$$;
