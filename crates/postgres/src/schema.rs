//! Diesel's view of migrations/ (kept by hand; the schema test checks it against the database).

diesel::table! {
    users (id) {
        id -> Int8,
        telegram_id -> Int8,
        first_name -> Text,
        locale -> Text,
        time_zone -> Text,
        calorie_goal -> Int4,
        morning_time -> Time,
        evening_time -> Time,
        briefings_enabled -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    credentials (user_id, provider) {
        user_id -> Int8,
        provider -> Text,
        access_token_enc -> Bytea,
        refresh_token_enc -> Nullable<Bytea>,
        token_secret_enc -> Nullable<Bytea>,
        expires_at -> Nullable<Timestamptz>,
        scope -> Text,
        external_user_id -> Nullable<Text>,
        status -> Text,
        user_notified -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_states (state) {
        state -> Text,
        user_id -> Int8,
        provider -> Text,
        request_token -> Nullable<Text>,
        request_token_secret_enc -> Nullable<Bytea>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        browser -> Nullable<Text>,
    }
}

diesel::table! {
    food_entries (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        grams -> Float8,
        kcal -> Float8,
        protein_g -> Float8,
        fat_g -> Float8,
        carbs_g -> Float8,
        meal -> Text,
        source -> Text,
        nutrition_source -> Text,
        local_date -> Date,
        logged_at -> Timestamptz,
        status -> Text,
        voided_at -> Nullable<Timestamptz>,
        idempotency_key -> Text,
        fatsecret_food_id -> Nullable<Text>,
        fatsecret_serving_id -> Nullable<Text>,
        fatsecret_entry_id -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    food_diary_outbox (id) {
        id -> Int8,
        user_id -> Int8,
        food_entry_id -> Int8,
        operation -> Text,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    whoop_workouts (whoop_id) {
        whoop_id -> Text,
        user_id -> Int8,
        start_at -> Timestamptz,
        end_at -> Timestamptz,
        timezone_offset -> Text,
        sport_name -> Text,
        score_state -> Text,
        strain -> Nullable<Float8>,
        average_heart_rate -> Nullable<Int4>,
        max_heart_rate -> Nullable<Int4>,
        kilojoule -> Nullable<Float8>,
        distance_meter -> Nullable<Float8>,
        whoop_updated_at -> Timestamptz,
        synced_at -> Timestamptz,
    }
}

diesel::table! {
    whoop_sleep (whoop_id) {
        whoop_id -> Text,
        cycle_id -> Int8,
        user_id -> Int8,
        start_at -> Timestamptz,
        end_at -> Timestamptz,
        timezone_offset -> Text,
        nap -> Bool,
        score_state -> Text,
        in_bed_milli -> Nullable<Int8>,
        awake_milli -> Nullable<Int8>,
        light_milli -> Nullable<Int8>,
        slow_wave_milli -> Nullable<Int8>,
        rem_milli -> Nullable<Int8>,
        cycle_count -> Nullable<Int4>,
        disturbance_count -> Nullable<Int4>,
        performance_pct -> Nullable<Float8>,
        efficiency_pct -> Nullable<Float8>,
        consistency_pct -> Nullable<Float8>,
        respiratory_rate -> Nullable<Float8>,
        whoop_updated_at -> Timestamptz,
        synced_at -> Timestamptz,
    }
}

diesel::table! {
    whoop_recovery (cycle_id) {
        cycle_id -> Int8,
        sleep_id -> Text,
        user_id -> Int8,
        score_state -> Text,
        recovery_score -> Nullable<Float8>,
        resting_heart_rate -> Nullable<Float8>,
        hrv_rmssd_milli -> Nullable<Float8>,
        spo2_pct -> Nullable<Float8>,
        skin_temp_celsius -> Nullable<Float8>,
        user_calibrating -> Nullable<Bool>,
        whoop_created_at -> Timestamptz,
        whoop_updated_at -> Timestamptz,
        synced_at -> Timestamptz,
    }
}

diesel::table! {
    whoop_cycles (whoop_id) {
        whoop_id -> Int8,
        user_id -> Int8,
        start_at -> Timestamptz,
        end_at -> Nullable<Timestamptz>,
        timezone_offset -> Text,
        score_state -> Text,
        strain -> Nullable<Float8>,
        kilojoule -> Nullable<Float8>,
        average_heart_rate -> Nullable<Int4>,
        max_heart_rate -> Nullable<Int4>,
        whoop_updated_at -> Timestamptz,
        synced_at -> Timestamptz,
    }
}

diesel::table! {
    conversation_messages (id) {
        id -> Int8,
        user_id -> Int8,
        role -> Text,
        content -> Text,
        intent -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    inbox_updates (update_id) {
        update_id -> Int8,
        chat_id -> Nullable<Int8>,
        payload -> Jsonb,
        state -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        received_at -> Timestamptz,
        processed_at -> Nullable<Timestamptz>,
        park_cause -> Nullable<Text>,
        redrives -> Int4,
    }
}

diesel::table! {
    notification_sends (user_id, kind, local_date) {
        user_id -> Int8,
        kind -> Text,
        local_date -> Date,
        sent_at -> Timestamptz,
    }
}

diesel::table! {
    job_runs (job, tick) {
        job -> Text,
        tick -> Timestamptz,
        claimed_by -> Text,
        started_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        outcome -> Nullable<Text>,
        attempts -> Int4,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(credentials -> users (user_id));
diesel::joinable!(oauth_states -> users (user_id));
diesel::joinable!(food_entries -> users (user_id));
diesel::table! {
    fatsecret_food_cache (query) {
        query -> Text,
        facts -> Nullable<Jsonb>,
        fetched_at -> Timestamptz,
    }
}

diesel::table! {
    api_requests (id) {
        id -> Int8,
        provider -> Text,
        sent_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    api_budgets (provider) {
        provider -> Text,
        paused_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    flood_budgets (bot) {
        bot -> Text,
        interactive_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    flood_sends (id) {
        id -> Int8,
        bot -> Text,
        chat_id -> Int8,
        owner -> Text,
        sent_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        free_at -> Timestamptz,
        chat_free_at -> Timestamptz,
    }
}

diesel::joinable!(food_diary_outbox -> food_entries (food_entry_id));
diesel::joinable!(whoop_workouts -> users (user_id));
diesel::joinable!(whoop_sleep -> users (user_id));
diesel::joinable!(whoop_recovery -> users (user_id));
diesel::table! {
    pending_questions (user_id) {
        user_id -> Int8,
        kind -> Text,
        entry_id -> Nullable<Int8>,
        asked_at -> Timestamptz,
        expires_at -> Timestamptz,
        item -> Nullable<Int2>,
    }
}

diesel::table! {
    tasks (id) {
        id -> Int8,
        user_id -> Int8,
        kind -> Text,
        state -> Text,
        attempts -> Int4,
        run_at -> Timestamptz,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        payload -> Nullable<Jsonb>,
    }
}

diesel::table! {
    throttle (user_id, action) {
        user_id -> Int8,
        action -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}

diesel::table! {
    webhook_receipts (key) {
        key -> Text,
        received_at -> Timestamptz,
    }
}

diesel::joinable!(whoop_cycles -> users (user_id));
diesel::joinable!(conversation_messages -> users (user_id));
diesel::joinable!(notification_sends -> users (user_id));
diesel::table! {
    saved_products (id) {
        id -> Int8,
        user_id -> Int8,
        name -> Text,
        name_key -> Text,
        kcal -> Float8,
        protein_g -> Float8,
        fat_g -> Float8,
        carbs_g -> Float8,
        barcode -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    food_meanings (user_id, phrase_key) {
        user_id -> Int8,
        phrase_key -> Text,
        facts -> Jsonb,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    usual_portions (user_id, food_key) {
        user_id -> Int8,
        food_key -> Text,
        grams -> Float8,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    food_choices (user_id, update_id, item) {
        user_id -> Int8,
        update_id -> Int8,
        item -> Int2,
        choice -> Jsonb,
        offered_at -> Timestamptz,
    }
}

diesel::joinable!(pending_questions -> users (user_id));
diesel::joinable!(tasks -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    credentials,
    oauth_states,
    food_entries,
    food_diary_outbox,
    fatsecret_food_cache,
    whoop_workouts,
    whoop_sleep,
    whoop_recovery,
    whoop_cycles,
    conversation_messages,
    pending_questions,
    saved_products,
    food_meanings,
    usual_portions,
    food_choices,
    tasks,
    throttle,
    webhook_receipts,
    inbox_updates,
    notification_sends,
    job_runs,
    api_requests,
    api_budgets,
    flood_budgets,
    flood_sends,
);
