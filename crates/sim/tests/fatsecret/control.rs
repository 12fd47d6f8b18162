use serde_json::{Value, json};

use crate::{api, error_code, http, start_sim};

#[tokio::test]
async fn another_process_can_drive_the_simulator_over_http() {
    let sim = start_sim().await;
    let control = format!("{}/__sim/fatsecret", sim.base_url());
    let client = http();
    let post = |path: &str, body: Value| {
        let client = client.clone();
        let url = format!("{control}{path}");
        async move {
            let response = client.post(url).json(&body).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };

    let user = post("/users", json!({"user": "dana"})).await;
    let tokens = wellness_sim::fatsecret::SimTokens {
        oauth_token: user["oauth_token"].as_str().unwrap().into(),
        oauth_token_secret: user["oauth_token_secret"].as_str().unwrap().into(),
    };
    let apple = sim.food("35718").unwrap();
    let added = post(
        "/users/dana/diary",
        json!({"food_id": "35718", "serving_id": apple.servings[0].serving_id,
               "number_of_units": 1.0, "meal": "other", "date_int": 20454}),
    )
    .await;
    assert_eq!(added["from_outside"], true);
    let diary: Value = client
        .get(format!("{control}/users/dana/diary?date_int=20454"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(diary.as_array().unwrap().len(), 1);

    post(
        "/faults",
        json!({"fault": {"kind": "error", "code": 9}, "method": "food_entries.get.v2", "times": 1}),
    )
    .await;
    let day = [
        ("format", "json"),
        ("method", "food_entries.get.v2"),
        ("date", "20454"),
    ];
    assert_eq!(error_code(&api(&sim, &day, Some(&tokens)).await), Some(9));
    let answer = api(&sim, &day, Some(&tokens)).await;
    assert_eq!(answer["food_entries"]["food_entry"][0]["food_id"], "35718");

    let requests: Value = client
        .get(format!("{control}/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(requests.as_array().unwrap().len(), 2);
    assert_eq!(requests[0]["outcome"]["kind"], "fault");

    post("/users/dana/revoke", json!({})).await;
    assert_eq!(error_code(&api(&sim, &day, Some(&tokens)).await), Some(9));

    let state: Value = client
        .get(format!("{control}/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["users"], json!(["dana"]));
    assert_eq!(state["entries"], 1);

    let foods: Value = client
        .get(format!("{control}/foods"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(foods.as_array().unwrap().len() >= 40);

    post("/reset", json!({})).await;
    assert!(sim.diary("dana").is_empty());
    assert!(sim.requests().is_empty());
}

#[tokio::test]
async fn the_consent_can_be_given_over_the_control_surface() {
    let sim = start_sim().await;
    let control = format!("{}/__sim/fatsecret", sim.base_url());
    let response = http()
        .post(format!("{control}/request-tokens/unknown/approve"))
        .json(&json!({"user": "eve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = http()
        .post(format!("{control}/auto-approve"))
        .json(&json!({"user": "eve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(sim.summary().auto_approve.as_deref(), Some("eve"));
}
