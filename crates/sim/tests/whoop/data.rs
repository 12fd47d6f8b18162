use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use wellness_sim::whoop::{Record, RecordRef, ScoreState, WhoopUser};

use crate::{ANN, ann_token, get, http, start_sim};

fn time(value: &Value) -> DateTime<Utc> {
    let text = value.as_str().expect("a time string");
    // ISO-8601 with milliseconds and Z.
    assert_eq!(text.len(), 24, "{text}");
    assert!(text.ends_with('Z') && text.as_bytes()[19] == b'.', "{text}");
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// Every page of a collection; returns the records and the number of pages.
async fn all_pages(
    sim: &wellness_sim::whoop::WhoopSim,
    token: &str,
    path: &str,
) -> (Vec<Value>, usize) {
    let mut records = Vec::new();
    let mut pages = 0;
    let mut next: Option<String> = None;
    loop {
        let mut url = format!(
            "{path}{}limit=25",
            if path.contains('?') { '&' } else { '?' }
        );
        if let Some(next) = &next {
            url.push_str(&format!("&nextToken={next}"));
        }
        let (status, _, body) = get(sim, token, &url).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        records.extend(body["records"].as_array().unwrap().iter().cloned());
        match body.get("next_token").and_then(Value::as_str) {
            Some(token) => next = Some(token.to_owned()),
            None => return (records, pages),
        }
    }
}

fn check_score(record: &Value, required: &[&str]) {
    let state = record["score_state"].as_str().unwrap();
    match state {
        "SCORED" => {
            for field in required {
                assert!(
                    !record["score"][field].is_null(),
                    "{field} missing in {record}"
                );
            }
        }
        "PENDING_SCORE" | "UNSCORABLE" => {
            assert!(record.get("score").is_none(), "{record}")
        }
        other => panic!("unknown score_state {other}"),
    }
}

#[tokio::test]
async fn records_follow_the_v2_schemas() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let (workouts, _) = all_pages(&sim, &token, "/v2/activity/workout").await;
    for w in &workouts {
        for field in ["id", "user_id", "timezone_offset", "sport_name"] {
            assert!(!w[field].is_null(), "{field} in {w}");
        }
        for field in ["created_at", "updated_at", "start", "end"] {
            time(&w[field]);
        }
        assert!(w.get("sport_id").is_none() && w.get("v1_id").is_none());
        check_score(
            w,
            &[
                "strain",
                "average_heart_rate",
                "max_heart_rate",
                "kilojoule",
                "percent_recorded",
            ],
        );
        if w["score_state"] == "SCORED" {
            let zones = &w["score"]["zone_durations"];
            for zone in ["zero", "one", "two", "three", "four", "five"] {
                assert!(zones[format!("zone_{zone}_milli")].is_i64(), "{w}");
            }
        }
    }
    let (sleeps, _) = all_pages(&sim, &token, "/v2/activity/sleep").await;
    for s in &sleeps {
        assert!(s["cycle_id"].is_i64() && s["nap"].is_boolean(), "{s}");
        check_score(s, &["stage_summary", "sleep_needed"]);
    }
    let (recoveries, _) = all_pages(&sim, &token, "/v2/recovery").await;
    for r in &recoveries {
        assert!(r.get("id").is_none());
        assert!(r["cycle_id"].is_i64() && r["sleep_id"].is_string(), "{r}");
        check_score(
            r,
            &[
                "user_calibrating",
                "recovery_score",
                "resting_heart_rate",
                "hrv_rmssd_milli",
            ],
        );
    }
    let (cycles, _) = all_pages(&sim, &token, "/v2/cycle").await;
    for c in &cycles {
        assert!(c["timezone_offset"].is_string());
        check_score(
            c,
            &[
                "strain",
                "kilojoule",
                "average_heart_rate",
                "max_heart_rate",
            ],
        );
    }
    assert!(cycles[0].get("end").is_none(), "the newest cycle is open");
    assert!(cycles[1..].iter().all(|c| c.get("end").is_some()));
}

#[tokio::test]
async fn the_generated_history_has_what_a_sync_must_handle() {
    let sim = start_sim().await;
    let records = sim.records(ANN).unwrap();
    assert!(records.cycles.len() >= 45, "{}", records.cycles.len());
    assert!(records.cycles[0].end.is_none());
    let nights = records.sleeps.iter().filter(|s| !s.nap).count();
    assert!(nights + 1 >= records.cycles.len(), "a sleep per night");
    assert!(records.sleeps.iter().any(|s| s.nap), "some naps");
    assert!(records.workouts.len() >= 15, "{}", records.workouts.len());
    assert!(records.recoveries.len() >= 44);
    let month_ago = Utc::now() - Duration::days(30);
    let recent = |state: ScoreState| {
        records
            .cycles
            .iter()
            .any(|r| r.start > month_ago && r.score.state() == state)
            && records
                .sleeps
                .iter()
                .any(|r| r.start > month_ago && r.score.state() == state)
            && records
                .workouts
                .iter()
                .any(|r| r.start > month_ago && r.score.state() == state)
    };
    assert!(recent(ScoreState::PendingScore));
    assert!(recent(ScoreState::Unscorable));
    // Every recovery points at its cycle and its night's sleep.
    for recovery in &records.recoveries {
        let sleep = records
            .sleeps
            .iter()
            .find(|s| s.id == recovery.sleep_id)
            .unwrap();
        assert_eq!(sleep.cycle_id, recovery.cycle_id);
        assert!(records.cycles.iter().any(|c| c.id == recovery.cycle_id));
    }
    // Deterministic per member.
    sim.add_user(WhoopUser::new(55)).unwrap();
    assert_ne!(sim.records(55).unwrap().sleeps[0].id, records.sleeps[0].id);
}

#[tokio::test]
async fn collections_page_newest_first_with_next_token_until_it_is_absent() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let (sleeps, pages) = all_pages(&sim, &token, "/v2/activity/sleep").await;
    let expected = sim.records(ANN).unwrap().sleeps;
    assert_eq!(sleeps.len(), expected.len());
    assert_eq!(pages, expected.len().div_ceil(25));
    let starts: Vec<_> = sleeps.iter().map(|s| time(&s["start"])).collect();
    assert!(
        starts.windows(2).all(|w| w[0] >= w[1]),
        "sorted by start descending"
    );
    let ids: Vec<_> = sleeps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    let expected_ids: Vec<_> = expected.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, expected_ids);

    // Recoveries come in the order of their sleeps.
    let (recoveries, _) = all_pages(&sim, &token, "/v2/recovery").await;
    assert_eq!(recoveries.len(), sim.records(ANN).unwrap().recoveries.len());
}

#[tokio::test]
async fn limit_defaults_to_10_and_over_25_is_a_400() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let (_, _, body) = get(&sim, &token, "/v2/cycle").await;
    assert_eq!(body["records"].as_array().unwrap().len(), 10);
    assert!(body["next_token"].is_string());
    let (status, _, _) = get(&sim, &token, "/v2/cycle?limit=26").await;
    assert_eq!(status, 400);
    let (status, _, _) = get(&sim, &token, "/v2/cycle?limit=ten").await;
    assert_eq!(status, 400);
    let (status, _, _) = get(&sim, &token, "/v2/cycle?nextToken=@@@").await;
    assert_eq!(status, 400);
    let (status, _, _) = get(&sim, &token, "/v2/cycle?start=yesterday").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn start_is_inclusive_end_exclusive_and_records_spanning_start_are_included() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let sleeps = sim.records(ANN).unwrap().sleeps;
    let night = sleeps.iter().find(|s| !s.nap).unwrap();
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let query = |start: DateTime<Utc>, end: DateTime<Utc>| {
        format!(
            "/v2/activity/sleep?limit=25&start={}&end={}",
            fmt(start),
            fmt(end)
        )
    };
    let ids = |body: &Value| -> Vec<String> {
        body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Exactly its start: included.
    let (_, _, body) = get(
        &sim,
        &token,
        &query(night.start, night.start + Duration::milliseconds(1)),
    )
    .await;
    assert!(ids(&body).contains(&night.id));
    // end equal to its start: excluded.
    let (_, _, body) = get(
        &sim,
        &token,
        &query(night.start - Duration::hours(1), night.start),
    )
    .await;
    assert!(!ids(&body).contains(&night.id));
    // A window inside the sleep: included (it was going on then).
    let middle = night.start + Duration::hours(2);
    let (_, _, body) = get(&sim, &token, &query(middle, middle + Duration::minutes(1))).await;
    assert_eq!(ids(&body), vec![night.id.clone()]);
}

#[tokio::test]
async fn records_by_id_and_by_cycle() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let records = sim.records(ANN).unwrap();
    let recovery = &records.recoveries[0];
    let workout = &records.workouts[0];

    let (status, _, body) = get(
        &sim,
        &token,
        &format!("/v2/activity/workout/{}", workout.id),
    )
    .await;
    assert_eq!(
        (status, body["id"].as_str()),
        (200, Some(workout.id.as_str()))
    );
    let (status, _, body) = get(
        &sim,
        &token,
        &format!("/v2/activity/sleep/{}", recovery.sleep_id),
    )
    .await;
    assert_eq!(
        (status, body["cycle_id"].as_i64()),
        (200, Some(recovery.cycle_id))
    );
    let (status, _, body) = get(&sim, &token, &format!("/v2/cycle/{}", recovery.cycle_id)).await;
    assert_eq!(
        (status, body["id"].as_i64()),
        (200, Some(recovery.cycle_id))
    );
    let (status, _, body) = get(
        &sim,
        &token,
        &format!("/v2/cycle/{}/recovery", recovery.cycle_id),
    )
    .await;
    assert_eq!(
        (status, body["sleep_id"].as_str()),
        (200, Some(recovery.sleep_id.as_str()))
    );
    let (status, _, body) = get(
        &sim,
        &token,
        &format!("/v2/cycle/{}/sleep", recovery.cycle_id),
    )
    .await;
    assert_eq!(
        (status, body["id"].as_str()),
        (200, Some(recovery.sleep_id.as_str()))
    );

    let (status, _, _) = get(
        &sim,
        &token,
        "/v2/activity/workout/00000000-0000-4000-8000-000000000000",
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = get(&sim, &token, "/v2/activity/workout/not-a-uuid").await;
    assert_eq!(status, 400);
    let (status, _, _) = get(&sim, &token, "/v2/cycle/abc").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn profile_and_body_measurements() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let (status, _, profile) = get(&sim, &token, "/v2/user/profile/basic").await;
    assert_eq!(status, 200);
    assert_eq!(profile["user_id"], ANN);
    assert_eq!(profile["first_name"], "Ann");
    assert!(profile["email"].is_string() && profile["last_name"].is_string());
    let (_, _, body) = get(&sim, &token, "/v2/user/measurement/body").await;
    assert!(body["height_meter"].is_f64() && body["weight_kilogram"].is_f64());
    assert!(body["max_heart_rate"].is_i64());
}

#[tokio::test]
async fn missing_wrong_and_expired_tokens_get_401() {
    let sim = start_sim().await;
    let response = http()
        .get(format!("{}/v2/cycle", sim.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (status, _, _) = get(&sim, "nope", "/v2/cycle").await;
    assert_eq!(status, 401);
    let token = ann_token(&sim);
    assert_eq!(sim.expire_access_tokens(ANN), 1);
    let (status, _, _) = get(&sim, &token, "/v2/cycle").await;
    assert_eq!(status, 401);
    assert_eq!(sim.stats().unauthorized, 3);
}

#[tokio::test]
async fn a_short_access_token_lifetime_expires_by_itself() {
    let sim = crate::start_with(
        wellness_sim::whoop::WhoopSimConfig::default()
            .with_access_token_ttl(std::time::Duration::from_millis(200)),
    )
    .await;
    let tokens = sim.issue_tokens(ANN).unwrap();
    assert_eq!(get(&sim, &tokens.access_token, "/v2/cycle").await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(get(&sim, &tokens.access_token, "/v2/cycle").await.0, 401);
}

#[tokio::test]
async fn deleting_user_access_answers_204_and_revokes_every_token() {
    let sim = start_sim().await;
    let tokens = sim.issue_tokens(ANN).unwrap();
    let response = http()
        .delete(format!("{}/v2/user/access", sim.api_url()))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(get(&sim, &tokens.access_token, "/v2/cycle").await.0, 401);
    assert!(!sim.is_connected(ANN));
    let refreshed = http()
        .post(sim.token_endpoint())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens.refresh_token.as_deref().unwrap()),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), 400);
}

#[tokio::test]
async fn rescoring_adds_a_score_and_moves_updated_at_and_deleting_gives_404() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let pending = sim
        .records(ANN)
        .unwrap()
        .sleeps
        .into_iter()
        .find(|s| s.score.state() == ScoreState::PendingScore)
        .unwrap();
    let reference = RecordRef::Sleep(pending.id.clone());
    let Record::Sleep(rescored) = sim.rescore(&reference).unwrap() else {
        panic!("a sleep")
    };
    assert!(rescored.updated_at > pending.updated_at);
    let (_, _, body) = get(&sim, &token, &format!("/v2/activity/sleep/{}", pending.id)).await;
    assert_eq!(body["score_state"], "SCORED");
    assert!(body["score"]["stage_summary"].is_object());
    assert_eq!(time(&body["updated_at"]), rescored.updated_at);

    sim.delete(&reference).unwrap();
    let (status, _, _) = get(&sim, &token, &format!("/v2/activity/sleep/{}", pending.id)).await;
    assert_eq!(status, 404);
    assert!(sim.delete(&reference).is_err());
}

#[tokio::test]
async fn added_workouts_are_served_in_order() {
    let sim = start_sim().await;
    let token = ann_token(&sim);
    let end = Utc::now() - Duration::minutes(10);
    let workout = sim
        .add_workout(ANN, end - Duration::minutes(45), end, "rowing")
        .unwrap();
    let (_, _, body) = get(&sim, &token, "/v2/activity/workout?limit=1").await;
    assert_eq!(body["records"][0]["id"], workout.id.as_str());
    assert_eq!(body["records"][0]["sport_name"], "rowing");
    assert_eq!(body["records"][0]["score_state"], "SCORED");
}
