use std::time::{Duration, Instant};

use wellness_sim::fatsecret::{FatSecretSimConfig, Fault, FaultRule, Outcome};

use crate::{api, error_code, http, post_signed, signed_form, start_sim, start_with};

fn search() -> [(&'static str, &'static str); 3] {
    [
        ("format", "json"),
        ("method", "foods.search"),
        ("search_expression", "apple"),
    ]
}

#[tokio::test]
async fn scripted_error_codes_hit_the_next_calls_of_their_method_only() {
    let sim = start_sim().await;
    sim.inject_fault(
        FaultRule::next(Fault::Error {
            code: 7,
            message: None,
        })
        .for_method("foods.search")
        .times(2),
    );
    let get = [
        ("format", "json"),
        ("method", "food.get.v4"),
        ("food_id", "35718"),
    ];
    assert_eq!(error_code(&api(&sim, &get, None).await), None);
    assert_eq!(error_code(&api(&sim, &search(), None).await), Some(7));
    assert_eq!(error_code(&api(&sim, &search(), None).await), Some(7));
    assert_eq!(error_code(&api(&sim, &search(), None).await), None);
    let outcomes: Vec<_> = sim
        .api_calls("foods.search")
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(
        outcomes[..2],
        [
            Outcome::Fault {
                fault: Fault::Error {
                    code: 7,
                    message: None
                }
            },
            Outcome::Fault {
                fault: Fault::Error {
                    code: 7,
                    message: None
                }
            },
        ]
    );
    assert_eq!(outcomes[2], Outcome::Answered);
}

#[tokio::test]
async fn a_garbage_fault_answers_200_with_a_body_that_is_not_json() {
    let sim = start_sim().await;
    sim.inject_fault(FaultRule::next(Fault::Garbage).for_method("foods.search"));
    let response = post_signed(&sim, &search()).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );
    assert_eq!(
        sim.api_calls("foods.search")[0].outcome,
        Outcome::Fault {
            fault: Fault::Garbage
        }
    );
}

#[tokio::test]
async fn an_http_500_fault_answers_500() {
    let sim = start_sim().await;
    sim.inject_fault(FaultRule::next(Fault::HttpStatus { status: 500 }));
    let response = post_signed(&sim, &search()).await;
    assert_eq!(response.status(), 500);
}

async fn create_with_timeout(
    sim: &wellness_sim::fatsecret::FatSecretSim,
    client_timeout: Duration,
) -> Result<reqwest::Response, reqwest::Error> {
    let ann = sim.issue_access_token("ann");
    let egg = sim.food("3092").unwrap();
    let params = [
        ("format", "json"),
        ("method", "food_entry.create"),
        ("food_id", "3092"),
        ("food_entry_name", "Egg"),
        ("serving_id", egg.servings[0].serving_id.as_str()),
        ("number_of_units", "1"),
        ("meal", "breakfast"),
        ("date", "20454"),
    ];
    let body = signed_form(
        "POST",
        &sim.server_api_url(),
        &params,
        (sim.consumer_key(), sim.consumer_secret()),
        Some((&ann.oauth_token, &ann.oauth_token_secret)),
    );
    http()
        .post(sim.server_api_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .timeout(client_timeout)
        .body(body)
        .send()
        .await
}

#[tokio::test]
async fn store_then_timeout_keeps_the_entry_while_the_client_times_out() {
    let sim =
        start_with(FatSecretSimConfig::default().with_fault_hold(Duration::from_secs(2))).await;
    sim.inject_fault(FaultRule::next(Fault::StoreThenTimeout).for_method("food_entry.create"));
    let started = Instant::now();
    let result = create_with_timeout(&sim, Duration::from_millis(300)).await;
    assert!(result.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(sim.diary("ann").len(), 1);
}

#[tokio::test]
async fn a_plain_timeout_holds_the_connection_and_stores_nothing() {
    let sim =
        start_with(FatSecretSimConfig::default().with_fault_hold(Duration::from_millis(600))).await;
    sim.inject_fault(FaultRule::next(Fault::Timeout).for_method("food_entry.create"));
    let result = create_with_timeout(&sim, Duration::from_millis(200)).await;
    assert!(result.unwrap_err().is_timeout());
    assert!(sim.diary("ann").is_empty());

    // After the hold the simulator gives up with 504.
    sim.inject_fault(FaultRule::next(Fault::Timeout));
    let held = create_with_timeout(&sim, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(held.status(), 504);
    assert!(sim.diary("ann").is_empty());
}

#[tokio::test]
async fn store_then_500_keeps_the_entry_and_answers_500() {
    let sim = start_sim().await;
    sim.inject_fault(
        FaultRule::next(Fault::StoreThenStatus { status: 502 }).for_method("food_entry.create"),
    );
    let response = create_with_timeout(&sim, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert_eq!(sim.diary("ann").len(), 1);
    let recorded = sim.api_calls("food_entry.create");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].user.as_deref(), Some("ann"));
}

#[tokio::test]
async fn oauth_endpoints_take_faults_by_path() {
    let sim = start_sim().await;
    sim.inject_fault(
        FaultRule::next(Fault::Error {
            code: 6,
            message: None,
        })
        .for_method("oauth/request_token"),
    );
    let url = format!("{}/oauth/request_token", sim.base_url());
    let mut builder = oauth1_request::Builder::<_, _>::new(
        oauth1_request::Credentials::new(sim.consumer_key(), sim.consumer_secret()),
        oauth1_request::HmacSha1::new(),
    );
    builder.callback("oob");
    let (status, text) = crate::post_form(&url, builder.to_form("POST", &url, &())).await;
    assert_eq!(status, 401);
    assert!(text.as_str().unwrap().contains("error 6"));
    let (status, _) = crate::post_form(&url, builder.to_form("POST", &url, &())).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn faults_apply_to_edits_and_store_then_status_carries_the_edit_out() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let egg = sim.food("3092").unwrap();
    let created = api(
        &sim,
        &[
            ("format", "json"),
            ("method", "food_entry.create"),
            ("food_id", "3092"),
            ("food_entry_name", "Egg"),
            ("serving_id", egg.servings[0].serving_id.as_str()),
            ("number_of_units", "1"),
            ("meal", "breakfast"),
            ("date", "20454"),
        ],
        Some(&ann),
    )
    .await;
    let id = created["food_entry_id"]["value"].as_str().unwrap();
    let edit = |units: &'static str| {
        [
            ("format", "json"),
            ("method", "food_entry.edit"),
            ("food_entry_id", id),
            ("number_of_units", units),
        ]
    };

    sim.inject_fault(
        FaultRule::next(Fault::Error {
            code: 9,
            message: None,
        })
        .for_method("food_entry.edit"),
    );
    assert_eq!(
        error_code(&api(&sim, &edit("2"), Some(&ann)).await),
        Some(9)
    );
    assert_eq!(sim.diary("ann")[0].number_of_units, 1.0);

    sim.inject_fault(
        FaultRule::next(Fault::StoreThenStatus { status: 502 }).for_method("food_entry.edit"),
    );
    let body = signed_form(
        "POST",
        &sim.server_api_url(),
        &edit("3"),
        (sim.consumer_key(), sim.consumer_secret()),
        Some((&ann.oauth_token, &ann.oauth_token_secret)),
    );
    let (status, _) = crate::post_form(&sim.server_api_url(), body).await;
    assert_eq!(status, 502);
    assert_eq!(sim.diary("ann")[0].number_of_units, 3.0);
    let outcomes: Vec<_> = sim
        .api_calls("food_entry.edit")
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        outcomes[1],
        Outcome::Fault {
            fault: Fault::StoreThenStatus { status: 502 }
        }
    );
}
