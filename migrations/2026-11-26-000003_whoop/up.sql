-- WHOOP records, keyed by WHOOP's ids. A score's columns are set exactly when score_state = 'SCORED'.

CREATE TABLE whoop_workouts (
    whoop_id            TEXT             PRIMARY KEY,
    user_id             BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at            TIMESTAMPTZ      NOT NULL,
    end_at              TIMESTAMPTZ      NOT NULL,
    timezone_offset     TEXT             NOT NULL,
    sport_name          TEXT             NOT NULL,
    score_state         TEXT             NOT NULL CHECK (score_state IN ('SCORED', 'PENDING_SCORE', 'UNSCORABLE')),
    strain              DOUBLE PRECISION CHECK (strain >= 0 AND strain <= 21),
    average_heart_rate  INTEGER          CHECK (average_heart_rate >= 0),
    max_heart_rate      INTEGER          CHECK (max_heart_rate >= 0),
    kilojoule           DOUBLE PRECISION CHECK (kilojoule >= 0),
    distance_meter      DOUBLE PRECISION CHECK (distance_meter >= 0),
    whoop_updated_at    TIMESTAMPTZ      NOT NULL,
    synced_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CHECK (end_at >= start_at),
    CHECK ((score_state = 'SCORED') = (strain IS NOT NULL AND average_heart_rate IS NOT NULL
                                       AND max_heart_rate IS NOT NULL AND kilojoule IS NOT NULL))
);
CREATE INDEX whoop_workouts_user_start ON whoop_workouts (user_id, start_at DESC);

CREATE TABLE whoop_sleep (
    whoop_id                TEXT             PRIMARY KEY,
    cycle_id                BIGINT           NOT NULL,
    user_id                 BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at                TIMESTAMPTZ      NOT NULL,
    end_at                  TIMESTAMPTZ      NOT NULL,
    timezone_offset         TEXT             NOT NULL,
    nap                     BOOLEAN          NOT NULL,
    score_state             TEXT             NOT NULL CHECK (score_state IN ('SCORED', 'PENDING_SCORE', 'UNSCORABLE')),
    in_bed_milli            BIGINT           CHECK (in_bed_milli >= 0),
    awake_milli             BIGINT           CHECK (awake_milli >= 0),
    light_milli             BIGINT           CHECK (light_milli >= 0),
    slow_wave_milli         BIGINT           CHECK (slow_wave_milli >= 0),
    rem_milli               BIGINT           CHECK (rem_milli >= 0),
    cycle_count             INTEGER          CHECK (cycle_count >= 0),
    disturbance_count       INTEGER          CHECK (disturbance_count >= 0),
    performance_pct         DOUBLE PRECISION CHECK (performance_pct BETWEEN 0 AND 100),
    efficiency_pct          DOUBLE PRECISION CHECK (efficiency_pct BETWEEN 0 AND 100),
    consistency_pct         DOUBLE PRECISION CHECK (consistency_pct BETWEEN 0 AND 100),
    respiratory_rate        DOUBLE PRECISION CHECK (respiratory_rate >= 0),
    whoop_updated_at        TIMESTAMPTZ      NOT NULL,
    synced_at               TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CHECK (end_at >= start_at),
    CHECK ((score_state = 'SCORED') = (in_bed_milli IS NOT NULL AND awake_milli IS NOT NULL
                                       AND light_milli IS NOT NULL AND slow_wave_milli IS NOT NULL
                                       AND rem_milli IS NOT NULL AND cycle_count IS NOT NULL
                                       AND disturbance_count IS NOT NULL))
);
CREATE INDEX whoop_sleep_user_start ON whoop_sleep (user_id, start_at DESC);

CREATE TABLE whoop_recovery (
    cycle_id            BIGINT           PRIMARY KEY,
    sleep_id            TEXT             NOT NULL,
    user_id             BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    score_state         TEXT             NOT NULL CHECK (score_state IN ('SCORED', 'PENDING_SCORE', 'UNSCORABLE')),
    recovery_score      DOUBLE PRECISION CHECK (recovery_score BETWEEN 0 AND 100),
    resting_heart_rate  DOUBLE PRECISION CHECK (resting_heart_rate >= 0),
    hrv_rmssd_milli     DOUBLE PRECISION CHECK (hrv_rmssd_milli >= 0),
    spo2_pct            DOUBLE PRECISION CHECK (spo2_pct BETWEEN 0 AND 100),
    skin_temp_celsius   DOUBLE PRECISION,
    user_calibrating    BOOLEAN,
    whoop_created_at    TIMESTAMPTZ      NOT NULL,
    whoop_updated_at    TIMESTAMPTZ      NOT NULL,
    synced_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CHECK ((score_state = 'SCORED') = (recovery_score IS NOT NULL AND resting_heart_rate IS NOT NULL
                                       AND hrv_rmssd_milli IS NOT NULL AND user_calibrating IS NOT NULL))
);
CREATE INDEX whoop_recovery_user_created ON whoop_recovery (user_id, whoop_created_at DESC);
CREATE INDEX whoop_recovery_sleep ON whoop_recovery (sleep_id);

CREATE TABLE whoop_cycles (
    whoop_id            BIGINT           PRIMARY KEY,
    user_id             BIGINT           NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_at            TIMESTAMPTZ      NOT NULL,
    end_at              TIMESTAMPTZ,
    timezone_offset     TEXT             NOT NULL,
    score_state         TEXT             NOT NULL CHECK (score_state IN ('SCORED', 'PENDING_SCORE', 'UNSCORABLE')),
    strain              DOUBLE PRECISION CHECK (strain >= 0 AND strain <= 21),
    kilojoule           DOUBLE PRECISION CHECK (kilojoule >= 0),
    average_heart_rate  INTEGER          CHECK (average_heart_rate >= 0),
    max_heart_rate      INTEGER          CHECK (max_heart_rate >= 0),
    whoop_updated_at    TIMESTAMPTZ      NOT NULL,
    synced_at           TIMESTAMPTZ      NOT NULL DEFAULT now(),
    CHECK (end_at IS NULL OR end_at >= start_at),
    CHECK ((score_state = 'SCORED') = (strain IS NOT NULL AND kilojoule IS NOT NULL
                                       AND average_heart_rate IS NOT NULL AND max_heart_rate IS NOT NULL))
);
CREATE INDEX whoop_cycles_user_start ON whoop_cycles (user_id, start_at DESC);
