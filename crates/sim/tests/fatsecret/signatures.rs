use wellness_sim::fatsecret::{FatSecretSimConfig, Outcome};

use crate::{
    api, api_get, encode, error_code, hand_signature, http, now, oauth_params, post_form,
    post_signed, signed_form, start_sim, start_with,
};

#[tokio::test]
async fn accepts_a_signature_computed_independently_by_hand() {
    let sim = start_sim().await;
    let mut params = oauth_params(sim.consumer_key(), "hand-made-nonce-1", now());
    params.push(("method".into(), "foods.search".into()));
    params.push(("format".into(), "json".into()));
    params.push(("search_expression".into(), "chicken breast".into()));
    let signature = hand_signature(
        "POST",
        &format!("{}/rest/server.api", sim.base_url()),
        &params,
        sim.consumer_secret(),
        "",
    );
    params.push(("oauth_signature".into(), signature));
    let (status, answer) = post_form(&sim.server_api_url(), encode(&params)).await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&answer), None, "{answer}");
    assert_eq!(answer["foods"]["food"]["food_name"], "Chicken Breast");
}

#[tokio::test]
async fn a_parameter_changed_after_signing_is_an_invalid_signature() {
    let sim = start_sim().await;
    let mut params = oauth_params(sim.consumer_key(), "nonce-tamper", now());
    params.push(("method".into(), "foods.search".into()));
    params.push(("format".into(), "json".into()));
    params.push(("search_expression".into(), "egg".into()));
    let signature = hand_signature(
        "POST",
        &sim.server_api_url(),
        &params,
        sim.consumer_secret(),
        "",
    );
    params.push(("oauth_signature".into(), signature));
    params[7].1 = "banana".into();
    let (_, answer) = post_form(&sim.server_api_url(), encode(&params)).await;
    assert_eq!(error_code(&answer), Some(8), "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid signature")
    );
}

#[tokio::test]
async fn signatures_from_oauth1_request_pass_in_a_query_a_form_and_a_header() {
    let sim = start_sim().await;
    let params = [
        ("format", "json"),
        ("method", "foods.search"),
        ("search_expression", "banana"),
    ];
    let by_form = api(&sim, &params, None).await;
    assert_eq!(by_form["foods"]["food"]["food_name"], "Banana");
    let by_query = api_get(&sim, &params, None).await;
    assert_eq!(by_query, by_form);

    // The oauth_* parameters in an Authorization header, the rest in the query.
    let list: oauth1_request::ParameterList<&str, &str> = params.iter().copied().collect();
    let header = oauth1_request::Builder::<_, _>::new(
        oauth1_request::Credentials::new(sim.consumer_key(), sim.consumer_secret()),
        oauth1_request::HmacSha1::new(),
    )
    .get(sim.server_api_url(), &list);
    let url = oauth1_request::to_query(sim.server_api_url(), &list);
    let by_header: serde_json::Value = http()
        .get(url)
        .header("authorization", header)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_header, by_form);
}

#[tokio::test]
async fn a_wrong_consumer_secret_or_unknown_key_is_refused() {
    let sim = start_sim().await;
    let params = [
        ("format", "json"),
        ("method", "foods.search"),
        ("search_expression", "egg"),
    ];
    let url = sim.server_api_url();
    let wrong_secret = signed_form(
        "POST",
        &url,
        &params,
        (sim.consumer_key(), "not-the-secret"),
        None,
    );
    assert_eq!(error_code(&post_form(&url, wrong_secret).await.1), Some(8));
    let wrong_key = signed_form(
        "POST",
        &url,
        &params,
        ("someone-else", sim.consumer_secret()),
        None,
    );
    assert_eq!(error_code(&post_form(&url, wrong_key).await.1), Some(5));
}

#[tokio::test]
async fn the_signature_must_cover_the_configured_signing_url() {
    let sim = start_with(
        FatSecretSimConfig::default().with_signing_api_root("https://platform.fatsecret.com"),
    )
    .await;
    let params = [
        ("format", "json"),
        ("method", "foods.search"),
        ("search_expression", "egg"),
    ];
    let keys = (sim.consumer_key(), sim.consumer_secret());
    // Signed over the URL it was sent to, but the server expected the public one.
    let local = signed_form("POST", &sim.server_api_url(), &params, keys, None);
    assert_eq!(
        error_code(&post_form(&sim.server_api_url(), local).await.1),
        Some(8)
    );
    let public = signed_form(
        "POST",
        "https://platform.fatsecret.com/rest/server.api",
        &params,
        keys,
        None,
    );
    let (_, answer) = post_form(&sim.server_api_url(), public).await;
    assert_eq!(error_code(&answer), None, "{answer}");
    assert_eq!(
        sim.signing_url("/rest/server.api"),
        "https://platform.fatsecret.com/rest/server.api"
    );
}

#[tokio::test]
async fn stale_timestamps_reused_nonces_and_missing_parameters_are_refused() {
    let sim = start_sim().await;
    let url = sim.server_api_url();
    let send = |nonce: &str, timestamp: u64| {
        let mut params = oauth_params(sim.consumer_key(), nonce, timestamp);
        params.push(("method".into(), "food.get.v4".into()));
        params.push(("format".into(), "json".into()));
        params.push(("food_id".into(), "33691".into()));
        let signature = hand_signature("POST", &url, &params, sim.consumer_secret(), "");
        params.push(("oauth_signature".into(), signature));
        encode(&params)
    };
    let (_, stale) = post_form(&url, send("n-1", now() - 3600)).await;
    assert_eq!(error_code(&stale), Some(6));
    let (_, first) = post_form(&url, send("n-2", now())).await;
    assert_eq!(error_code(&first), None, "{first}");
    let (_, again) = post_form(&url, send("n-2", now())).await;
    assert_eq!(error_code(&again), Some(7));
    let (_, bare) = post_form(&url, "method=foods.search&format=json".into()).await;
    assert_eq!(error_code(&bare), Some(2));
    assert!(
        bare["error"]["message"]
            .as_str()
            .unwrap()
            .contains("oauth_")
    );

    let outcomes: Vec<_> = sim.requests().into_iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Error { code: 6 },
            Outcome::Answered,
            Outcome::Error { code: 7 },
            Outcome::Error { code: 2 }
        ]
    );
}

#[tokio::test]
async fn access_tokens_are_checked_and_revocation_answers_error_9() {
    let sim = start_sim().await;
    let ann = sim.issue_access_token("ann");
    let params = [
        ("format", "json"),
        ("method", "food_entries.get.v2"),
        ("date", "20454"),
    ];
    let day = api(&sim, &params, Some(&ann)).await;
    assert_eq!(day, serde_json::json!({"food_entries": null}));
    // Diary methods need a user.
    assert_eq!(error_code(&api(&sim, &params, None).await), Some(2));
    let mut forged = ann.clone();
    forged.oauth_token = "not-a-token".into();
    assert_eq!(
        error_code(&api(&sim, &params, Some(&forged)).await),
        Some(9)
    );
    let mut wrong_secret = ann.clone();
    wrong_secret.oauth_token_secret = "guess".into();
    assert_eq!(
        error_code(&api(&sim, &params, Some(&wrong_secret)).await),
        Some(8)
    );

    assert_eq!(sim.revoke_user("ann"), 1);
    assert_eq!(error_code(&api(&sim, &params, Some(&ann)).await), Some(9));
}

#[tokio::test]
async fn without_format_json_the_answer_is_xml() {
    let sim = start_sim().await;
    let response = post_signed(
        &sim,
        &[("method", "foods.search"), ("search_expression", "egg")],
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<code>1</code>"), "{text}");
}
