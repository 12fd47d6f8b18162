//! Bounded fuzzing of what WHOOP sends with proptest: webhook signatures and notices, the four
//! kinds of records and their pages, and token answers. `PROPTEST_CASES` sets the run length.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use oauth2::basic::BasicTokenResponse;
use proptest::prelude::*;
use serde_json::{Value, json};
use wellness_domain::model::{Cycle, Recovery, Secret, Sleep, UserId, WearableKind, Workout};

use crate::oauth::tokens_from;
use crate::webhook::{MAX_CLOCK_SKEW, WebhookError, parse_webhook, verify_webhook};
use crate::wire::{Kind, Page, ProfileWire, record_label};

const MAX_AGE: Duration = Duration::minutes(5);

fn user() -> UserId {
    UserId::new(1).unwrap_or_else(|_| unreachable!())
}

/// Instants between 1970 and 2100, to the millisecond.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (0..4_102_444_800_000i64).prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

/// A signed webhook: secret, timestamp header, body, signature, and when it arrives.
fn signed_webhook() -> impl Strategy<Value = (String, String, Vec<u8>, String, DateTime<Utc>)> {
    (
        "[ -~]{1,64}",
        instant(),
        0..MAX_AGE.num_milliseconds(),
        prop::collection::vec(any::<u8>(), 0..256),
    )
        .prop_map(|(secret, signed_at, age_ms, body)| {
            let timestamp = signed_at.timestamp_millis().to_string();
            let signature = wellness_sim::whoop::sign_webhook(&secret, &timestamp, &body);
            (
                secret,
                timestamp,
                body,
                signature,
                signed_at + Duration::milliseconds(age_ms),
            )
        })
}

fn verify(
    secret: &str,
    timestamp: &str,
    body: &[u8],
    signature: &str,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    verify_webhook(
        &Secret::new(secret),
        timestamp,
        body,
        signature,
        now,
        MAX_AGE,
    )
}

fn flip_bit(bytes: &mut [u8], bit: usize) {
    let at = bit / 8 % bytes.len();
    bytes[at] ^= 1 << (bit % 8);
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn offset() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Z".to_owned()),
        (0..=14u32, 0..60u32, any::<bool>())
            .prop_map(|(h, m, east)| format!("{}{h:02}:{m:02}", if east { '+' } else { '-' })),
    ]
}

fn score_state() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        3 => Just("SCORED"),
        1 => Just("PENDING_SCORE"),
        1 => Just("UNSCORABLE")
    ]
}

/// Numbers as WHOOP writes them: finite, with decimals.
fn decimal() -> impl Strategy<Value = f64> {
    (0..10_000_000u32).prop_map(|n| f64::from(n) / 1000.0)
}

fn workout() -> impl Strategy<Value = Value> {
    (
        "[0-9a-f-]{36}",
        instant(),
        instant(),
        offset(),
        "[a-z-]{1,20}",
        score_state(),
        (
            decimal(),
            30..220i32,
            30..220i32,
            decimal(),
            prop::option::of(decimal()),
        ),
    )
        .prop_map(|(id, start, end, offset, sport, state, score)| {
            let (strain, average, max, kilojoule, distance) = score;
            json!({
                "id": id, "v1_id": 1043, "user_id": 9012, "created_at": time(start),
                "updated_at": time(end), "start": time(start), "end": time(end),
                "timezone_offset": offset, "sport_name": sport, "sport_id": 1,
                "score_state": state,
                "score": {"strain": strain, "average_heart_rate": average, "max_heart_rate": max,
                    "kilojoule": kilojoule, "percent_recorded": 100.0, "distance_meter": distance,
                    "zone_durations": {"zone_zero_milli": 1}}
            })
        })
}

fn sleep() -> impl Strategy<Value = Value> {
    (
        "[0-9a-f-]{36}",
        1..i64::MAX,
        (instant(), instant()),
        offset(),
        any::<bool>(),
        score_state(),
        prop::array::uniform5(0..40_000_000i64),
        prop::array::uniform4(prop::option::of(0.0..=120.0f64)),
    )
        .prop_map(
            |(id, cycle, (start, end), offset, nap, state, stages, percentages)| {
                json!({
                    "id": id, "cycle_id": cycle, "v1_id": 1, "user_id": 1,
                    "created_at": time(start), "updated_at": time(end),
                    "start": time(start), "end": time(end), "timezone_offset": offset,
                    "nap": nap, "score_state": state,
                    "score": {
                        "stage_summary": {
                            "total_in_bed_time_milli": stages[0],
                            "total_awake_time_milli": stages[1],
                            "total_no_data_time_milli": 0,
                            "total_light_sleep_time_milli": stages[2],
                            "total_slow_wave_sleep_time_milli": stages[3],
                            "total_rem_sleep_time_milli": stages[4],
                            "sleep_cycle_count": 3, "disturbance_count": 12
                        },
                        "sleep_needed": {"baseline_milli": 27_395_716},
                        "respiratory_rate": percentages[0],
                        "sleep_performance_percentage": percentages[1],
                        "sleep_consistency_percentage": percentages[2],
                        "sleep_efficiency_percentage": percentages[3]
                    }
                })
            },
        )
}

fn recovery() -> impl Strategy<Value = Value> {
    (
        1..i64::MAX,
        "[0-9a-f-]{36}",
        instant(),
        score_state(),
        (any::<bool>(), 0.0..=120.0f64, decimal(), decimal()),
        prop::option::of(0.0..=120.0f64),
    )
        .prop_map(|(cycle, sleep, at, state, score, spo2)| {
            let (calibrating, recovery, rhr, hrv) = score;
            json!({
                "cycle_id": cycle, "sleep_id": sleep, "user_id": 1,
                "created_at": time(at), "updated_at": time(at), "score_state": state,
                "score": {"user_calibrating": calibrating, "recovery_score": recovery,
                    "resting_heart_rate": rhr, "hrv_rmssd_milli": hrv,
                    "spo2_percentage": spo2, "skin_temp_celsius": 33.7}
            })
        })
}

fn cycle() -> impl Strategy<Value = Value> {
    (
        1..i64::MAX,
        instant(),
        prop::option::of(instant()),
        offset(),
        score_state(),
        (decimal(), decimal(), 30..220i32, 30..220i32),
    )
        .prop_map(|(id, start, end, offset, state, score)| {
            let (strain, kilojoule, average, max) = score;
            let mut cycle = json!({
                "id": id, "user_id": 1, "created_at": time(start), "updated_at": time(start),
                "start": time(start), "timezone_offset": offset, "score_state": state,
                "score": {"strain": strain, "kilojoule": kilojoule,
                    "average_heart_rate": average, "max_heart_rate": max}
            });
            if let Some(end) = end {
                cycle["end"] = json!(time(end));
            }
            cycle
        })
}

fn any_record() -> impl Strategy<Value = Value> {
    prop_oneof![workout(), sleep(), recovery(), cycle()]
}

/// Every mapping, the page and the label of one record: none may panic.
fn map_everything(record: &Value) {
    let _ = Workout::map(record.clone(), user());
    let _ = Sleep::map(record.clone(), user());
    let _ = Recovery::map(record.clone(), user());
    let _ = Cycle::map(record.clone(), user());
    let _ = record_label(record);
    let _ = serde_json::from_value::<ProfileWire>(record.clone());
    if let Ok(page) = serde_json::from_value::<Page>(record.clone()) {
        let _ = page.next();
    }
}

fn token_answer() -> impl Strategy<Value = Value> {
    (
        "[A-Za-z0-9._~-]{1,64}",
        prop_oneof![Just("bearer"), Just("Bearer")],
        prop::option::of(prop_oneof![
            3 => 0..100_000u64,
            1 => any::<u64>(),
            1 => (1u64 << 33)..(1u64 << 53),
        ]),
        prop::option::of("[A-Za-z0-9._~-]{1,64}"),
        prop::option::of("[a-z:_ ]{0,80}"),
    )
        .prop_map(|(access, kind, expires_in, refresh, scope)| {
            let mut answer = json!({"access_token": access, "token_type": kind});
            if let Some(expires_in) = expires_in {
                answer["expires_in"] = json!(expires_in);
            }
            if let Some(refresh) = refresh {
                answer["refresh_token"] = json!(refresh);
            }
            if let Some(scope) = scope {
                answer["scope"] = json!(scope);
            }
            answer
        })
}

proptest! {
    #[test]
    fn a_signature_made_with_the_secret_always_verifies(
        (secret, timestamp, body, signature, now) in signed_webhook()
    ) {
        prop_assert_eq!(verify(&secret, &timestamp, &body, &signature, now), Ok(()));
    }

    #[test]
    fn one_bit_changed_in_the_signature_body_secret_or_timestamp_fails(
        (secret, timestamp, body, signature, now) in signed_webhook(),
        bit in any::<usize>(),
        part in 0..4u8,
    ) {
        let refused = match part {
            0 => {
                let mut raw = STANDARD.decode(&signature).map_err(|e| TestCaseError::fail(e.to_string()))?;
                flip_bit(&mut raw, bit);
                verify(&secret, &timestamp, &body, &STANDARD.encode(raw), now)
            }
            1 => {
                let mut changed = body.clone();
                if changed.is_empty() {
                    changed.push(0);
                } else {
                    flip_bit(&mut changed, bit);
                }
                verify(&secret, &timestamp, &changed, &signature, now)
            }
            2 => {
                let mut key = secret.clone().into_bytes();
                // Bits 0..7 of printable ASCII stay ASCII.
                flip_bit(&mut key, bit / 8 * 8 + bit % 7);
                let key = String::from_utf8(key).map_err(|e| TestCaseError::fail(e.to_string()))?;
                verify(&key, &timestamp, &body, &signature, now)
            }
            _ => {
                let millis: i64 = timestamp.parse().map_err(|_| TestCaseError::fail("timestamp"))?;
                verify(&secret, &(millis + 1).to_string(), &body, &signature, now)
            }
        };
        prop_assert_eq!(refused, Err(WebhookError::BadSignature));
    }

    #[test]
    fn stale_or_future_webhooks_are_refused_even_when_signed(
        (secret, timestamp, body, signature, _now) in signed_webhook(),
        late_ms in 1..10_000_000_000i64,
        future in any::<bool>(),
    ) {
        let millis: i64 = timestamp.parse().map_err(|_| TestCaseError::fail("timestamp"))?;
        let signed_at = DateTime::from_timestamp_millis(millis).unwrap_or_default();
        if future {
            let now = signed_at - MAX_CLOCK_SKEW - Duration::milliseconds(late_ms);
            let refused = verify(&secret, &timestamp, &body, &signature, now);
            prop_assert!(matches!(refused, Err(WebhookError::FromTheFuture { .. })), "{:?}", refused);
        } else {
            let now = signed_at + MAX_AGE + Duration::milliseconds(late_ms);
            let refused = verify(&secret, &timestamp, &body, &signature, now);
            prop_assert!(matches!(refused, Err(WebhookError::Stale { .. })), "{:?}", refused);
        }
    }

    #[test]
    fn arbitrary_headers_bodies_and_clocks_never_panic(
        secret in any::<String>(),
        timestamp in prop_oneof![any::<String>(), any::<i64>().prop_map(|n| n.to_string())],
        body in prop::collection::vec(any::<u8>(), 0..128),
        signature in prop_oneof![any::<String>(), "[A-Za-z0-9+/=]{0,64}"],
        now_ms in any::<i64>(),
        max_age_s in 0..1_000_000_000i64,
    ) {
        let now = DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        let result = verify_webhook(
            &Secret::new(secret), &timestamp, &body, &signature, now, Duration::seconds(max_age_s),
        );
        prop_assert!(result.is_err() || timestamp.trim().parse::<i64>().is_ok());
    }

    #[test]
    fn notices_read_back_their_user_id_record_and_kind(
        user_id in any::<i64>(),
        id in prop_oneof![
            "[0-9a-f-]{1,36}".prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
        ],
        kind in prop_oneof![
            Just(("workout", WearableKind::Workout)),
            Just(("sleep", WearableKind::Sleep)),
            Just(("recovery", WearableKind::Recovery)),
        ],
        deleted in any::<bool>(),
        trace in prop::option::of("[a-z0-9-]{0,36}"),
    ) {
        let (name, expected_kind) = kind;
        let notice = json!({
            "user_id": user_id, "id": id,
            "type": format!("{name}.{}", if deleted { "deleted" } else { "updated" }),
            "trace_id": trace
        });
        let event = parse_webhook(notice.to_string().as_bytes())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(event.user_id, user_id);
        let expected_id = match &id {
            Value::String(id) => id.clone(),
            other => other.to_string(),
        };
        prop_assert_eq!(event.id, expected_id);
        prop_assert_eq!(event.kind, expected_kind);
        prop_assert_eq!(event.deleted, deleted);
        prop_assert_eq!(event.trace_id, trace);
    }

    #[test]
    fn any_notice_body_is_refused_or_read(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            wellness_fuzz::mutated(Just(json!({
                "user_id": 10129, "id": "ecfc6a15", "type": "sleep.updated", "trace_id": "t"
            })))
            .prop_map(|v| v.to_string().into_bytes()),
        ]
    ) {
        let _ = parse_webhook(&body);
    }

    #[test]
    fn records_of_every_kind_map_or_are_refused_even_with_a_field_replaced(
        record in prop_oneof![1 => wellness_fuzz::any_json(), 4 => wellness_fuzz::mutated(any_record())]
    ) {
        map_everything(&record);
    }

    #[test]
    fn a_page_of_records_with_bytes_flipped_never_panics(
        body in wellness_fuzz::flipped_bytes(
            prop::collection::vec(any_record(), 0..3)
                .prop_map(|records| json!({"records": records, "next_token": "MTIzOjEyMzEyMw"}))
        )
    ) {
        if let Ok(page) = serde_json::from_slice::<Page>(&body) {
            for record in &page.records {
                map_everything(record);
            }
        }
    }

    #[test]
    fn workouts_read_back_their_times_and_score(record in workout()) {
        let workout = Workout::map(record.clone(), user()).map_err(TestCaseError::fail)?;
        prop_assert_eq!(time(workout.times.start), record["start"].as_str().unwrap_or_default());
        let end = workout.times.end.map(time);
        prop_assert_eq!(end.as_deref(), record["end"].as_str());
        let offset = match record["timezone_offset"].as_str().unwrap_or_default() {
            "Z" | "-00:00" => "+00:00",
            other => other,
        };
        prop_assert_eq!(workout.times.timezone_offset.to_string(), offset);
        prop_assert_eq!(workout.score.state().code(), record["score_state"].as_str().unwrap_or_default());
        if let Some(score) = workout.score.score() {
            prop_assert_eq!(Some(score.strain), record["score"]["strain"].as_f64());
            prop_assert_eq!(Some(score.kilojoule), record["score"]["kilojoule"].as_f64());
            prop_assert_eq!(Some(i64::from(score.max_heart_rate)), record["score"]["max_heart_rate"].as_i64());
            prop_assert_eq!(score.distance_meter, record["score"]["distance_meter"].as_f64());
        }
    }

    #[test]
    fn sleeps_keep_percentages_in_range_and_drop_the_others(record in sleep()) {
        let sleep = Sleep::map(record.clone(), user()).map_err(TestCaseError::fail)?;
        if let Some(score) = sleep.score.score() {
            let wire = |key: &str| record["score"][key].as_f64();
            let kept = |value: Option<f64>| value.filter(|v| (0.0..=100.0).contains(v));
            prop_assert_eq!(score.performance.map(|p| p.get()), kept(wire("sleep_performance_percentage")));
            prop_assert_eq!(score.efficiency.map(|p| p.get()), kept(wire("sleep_efficiency_percentage")));
            prop_assert_eq!(score.consistency.map(|p| p.get()), kept(wire("sleep_consistency_percentage")));
            prop_assert_eq!(Some(score.in_bed_milli), record["score"]["stage_summary"]["total_in_bed_time_milli"].as_i64());
        }
    }

    #[test]
    fn a_recovery_score_outside_0_to_100_fails_the_record(record in recovery()) {
        let scored = record["score_state"] == "SCORED";
        let score = record["score"]["recovery_score"].as_f64().unwrap_or_default();
        let mapped = Recovery::map(record, user());
        prop_assert_eq!(mapped.is_ok(), !scored || (0.0..=100.0).contains(&score));
    }

    #[test]
    fn token_answers_become_tokens_whatever_their_lifetime(
        answer in token_answer(),
        previous in prop::option::of("[a-z]{1,10}"),
        now in instant(),
    ) {
        let parsed: BasicTokenResponse = serde_json::from_value(answer.clone())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let previous = previous.map(Secret::new);
        let wellness_domain::model::Tokens::OAuth2 { access_token, refresh_token, expires_at, .. } =
            tokens_from(&parsed, previous.as_ref(), now)
        else {
            return Err(TestCaseError::fail("not OAuth 2 tokens"));
        };
        prop_assert_eq!(access_token.expose(), answer["access_token"].as_str().unwrap_or_default());
        let expected_refresh = answer["refresh_token"].as_str().map(Secret::new).or(previous);
        prop_assert_eq!(refresh_token, expected_refresh);
        // A lifetime past the end of the calendar is not believed: an hour, as when absent.
        let expected = answer["expires_in"]
            .as_u64()
            .and_then(|secs| i64::try_from(secs).ok())
            .and_then(Duration::try_seconds)
            .and_then(|lifetime| now.checked_add_signed(lifetime))
            .unwrap_or(now + Duration::hours(1));
        prop_assert_eq!(expires_at, expected);
    }

    #[test]
    fn any_token_answer_is_refused_or_read(
        answer in prop_oneof![wellness_fuzz::any_json(), wellness_fuzz::mutated(token_answer())],
        now in instant(),
    ) {
        if let Ok(parsed) = serde_json::from_value::<BasicTokenResponse>(answer) {
            let _ = tokens_from(&parsed, None, now);
        }
    }
}
