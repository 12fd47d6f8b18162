use serde_json::{Value, json};

use crate::{ANN, get, http, start_sim};

async fn control(
    sim: &wellness_sim::whoop::WhoopSim,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = http().request(method, format!("{}/__sim/whoop{path}", sim.base_url()));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_control_surface_drives_members_tokens_records_and_faults() {
    let sim = start_sim().await;
    let post = reqwest::Method::POST;

    let (status, _) = control(
        &sim,
        post.clone(),
        "/users",
        Some(json!({
            "user_id": 777, "email": "bo@example.com", "first_name": "Bo", "last_name": "K"
        })),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = control(
        &sim,
        post.clone(),
        "/users",
        Some(json!({
            "user_id": 777, "email": "x", "first_name": "x", "last_name": "x"
        })),
    )
    .await;
    assert_eq!(status, 409);

    let (_, tokens) = control(&sim, post.clone(), "/users/777/tokens", None).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let (_, profile) = {
        let (s, _, b) = get(&sim, &access, "/v2/user/profile/basic").await;
        (s, b)
    };
    assert_eq!(profile["first_name"], "Bo");

    let (_, records) = control(&sim, reqwest::Method::GET, "/users/777/records", None).await;
    let sleep_id = records["sleeps"][0]["id"].as_str().unwrap().to_owned();
    let (status, record) = control(
        &sim,
        post.clone(),
        "/records/score-state",
        Some(json!({"record": {"type": "sleep", "id": sleep_id}, "score_state": "PENDING_SCORE"})),
    )
    .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["score_state"], "PENDING_SCORE");
    let (_, record) = control(
        &sim,
        post.clone(),
        "/records/rescore",
        Some(json!({"type": "sleep", "id": sleep_id})),
    )
    .await;
    assert_eq!(record["score_state"], "SCORED");
    let (status, _) = control(
        &sim,
        post.clone(),
        "/records/delete",
        Some(json!({"type": "sleep", "id": sleep_id})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = control(
        &sim,
        post.clone(),
        "/records/delete",
        Some(json!({"type": "sleep", "id": sleep_id})),
    )
    .await;
    assert_eq!(status, 404);

    let (_, workout) = control(
        &sim,
        post.clone(),
        "/users/777/workouts",
        Some(json!({"start": "2026-01-05T07:00:00Z", "end": "2026-01-05T07:45:00.5Z", "sport_name": "yoga"})),
    )
    .await;
    assert_eq!(workout["end"], "2026-01-05T07:45:00.500Z");
    assert_eq!(workout["sport_name"], "yoga");

    let (_, expired) = control(&sim, post.clone(), "/users/777/expire-access-tokens", None).await;
    assert_eq!(expired["expired"], 1);
    assert_eq!(get(&sim, &access, "/v2/cycle").await.0, 401);

    control(
        &sim,
        post.clone(),
        "/server-errors",
        Some(json!({"count": 1})),
    )
    .await;
    let fresh = sim.issue_tokens(ANN).unwrap().access_token;
    assert_eq!(get(&sim, &fresh, "/v2/cycle").await.0, 500);
    control(
        &sim,
        post.clone(),
        "/too-many-requests",
        Some(json!({"count": 1, "reset": 2})),
    )
    .await;
    assert_eq!(get(&sim, &fresh, "/v2/cycle").await.0, 429);

    let (_, state) = control(&sim, reqwest::Method::GET, "/state", None).await;
    assert_eq!(state["stats"]["too_many_requests"], 1);
    assert_eq!(state["stats"]["server_errors"], 1);
    assert_eq!(state["users"], json!([777, ANN]));
    let (_, log) = control(&sim, reqwest::Method::GET, "/requests", None).await;
    assert_eq!(log.as_array().unwrap().len(), 4);
    assert_eq!(log[0]["path"], "/developer/v2/user/profile/basic");

    control(
        &sim,
        post.clone(),
        "/auto-approve",
        Some(json!({"enabled": true})),
    )
    .await;
    control(
        &sim,
        post.clone(),
        "/sign-in",
        Some(json!({"user_id": 777})),
    )
    .await;
    let (_, state) = control(&sim, reqwest::Method::GET, "/state", None).await;
    assert_eq!(
        (state["auto_approve"].clone(), state["signed_in"].clone()),
        (json!(true), json!(777))
    );
}
