-- Requests to rate-limited providers, shared by every process: WHOOP limits per app, not per
-- process. A row is written before a request goes out and finished when its answer arrived;
-- rows older than a day are deleted as new ones come.
CREATE TABLE api_requests (
    id          BIGSERIAL   PRIMARY KEY,
    provider    TEXT        NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);
CREATE INDEX api_requests_recent ON api_requests (provider, sent_at);

-- One row per provider: its lock serialises the budget's decisions; `paused_until` holds the
-- server's "0 remaining, reset in N s".
CREATE TABLE api_budgets (
    provider     TEXT        PRIMARY KEY,
    paused_until TIMESTAMPTZ
);

-- One decision in one round trip: under the provider's row lock, may a request go now? Returns
-- the new request's id, or how long to wait. In a function each statement sees what the
-- previous lock holder committed (a single statement would count from its start snapshot).
CREATE FUNCTION api_budget_take(
    p_provider        TEXT,
    p_per_window      INTEGER,
    p_window_secs     DOUBLE PRECISION,
    p_per_day         INTEGER,
    p_longest_secs    DOUBLE PRECISION,
    OUT request_id    BIGINT,
    OUT wait_secs     DOUBLE PRECISION
) LANGUAGE plpgsql AS $$
DECLARE
    v_now             TIMESTAMPTZ;
    v_paused          TIMESTAMPTZ;
    v_window          INTERVAL := make_interval(secs => p_window_secs);
    v_in_window       BIGINT;
    v_in_day          BIGINT;
    v_oldest_finished TIMESTAMPTZ;
    v_oldest_sent     TIMESTAMPTZ;
BEGIN
    INSERT INTO api_budgets (provider) VALUES (p_provider) ON CONFLICT DO NOTHING;
    SELECT paused_until INTO v_paused FROM api_budgets WHERE provider = p_provider FOR UPDATE;
    v_now := clock_timestamp();
    SELECT count(*) FILTER (WHERE coalesce(finished_at, sent_at + make_interval(secs => p_longest_secs))
                                  > v_now - v_window),
           count(*),
           min(finished_at) FILTER (WHERE finished_at > v_now - v_window),
           min(sent_at)
      INTO v_in_window, v_in_day, v_oldest_finished, v_oldest_sent
      FROM api_requests
     WHERE provider = p_provider AND sent_at > v_now - interval '1 day';
    wait_secs := 0;
    IF v_paused > v_now THEN
        wait_secs := greatest(wait_secs, extract(epoch FROM v_paused - v_now));
    END IF;
    IF v_in_day >= p_per_day THEN
        wait_secs := greatest(wait_secs, extract(epoch FROM v_oldest_sent + interval '1 day' - v_now));
    END IF;
    IF v_in_window >= p_per_window THEN
        -- The oldest finished request leaves the window first; with all in flight, look again
        -- shortly (NULL: the caller decides how shortly).
        IF v_oldest_finished IS NULL THEN
            wait_secs := greatest(wait_secs, 0.000001);
        ELSE
            wait_secs := greatest(wait_secs, extract(epoch FROM v_oldest_finished + v_window - v_now), 0.000001);
        END IF;
    END IF;
    IF wait_secs > 0 THEN
        RETURN;
    END IF;
    DELETE FROM api_requests WHERE provider = p_provider AND sent_at <= v_now - interval '1 day';
    INSERT INTO api_requests (provider, sent_at) VALUES (p_provider, v_now) RETURNING id INTO request_id;
END;
$$;
