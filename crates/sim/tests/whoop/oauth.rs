use std::collections::HashMap;

use serde_json::Value;
use wellness_sim::whoop::{WhoopSim, WhoopSimConfig};

use crate::{ANN, http, location_params, start_sim, start_with};

const REDIRECT: &str = "https://wellness.example/oauth/whoop/callback";
const SCOPES: &str =
    "read:recovery read:cycles read:sleep read:workout read:profile read:body_measurement offline";

fn authorize_url(sim: &WhoopSim, state: &str, scope: &str) -> String {
    let mut url = reqwest::Url::parse(&sim.authorize_endpoint()).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", sim.client_id())
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", scope)
        .append_pair("state", state);
    url.to_string()
}

async fn token_request(sim: &WhoopSim, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http()
        .post(sim.token_endpoint())
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Runs the browser part with auto-approve on; returns the code.
async fn code_for(sim: &WhoopSim, scope: &str) -> String {
    sim.set_auto_approve(true);
    let response = http()
        .get(authorize_url(sim, "state-123456", scope))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    location_params(&response).1["code"].clone()
}

async fn exchange(sim: &WhoopSim, code: &str) -> (u16, Value) {
    token_request(
        sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
        ],
    )
    .await
}

async fn refresh(sim: &WhoopSim, refresh_token: &str) -> (u16, Value) {
    token_request(
        sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
            ("scope", "offline"),
        ],
    )
    .await
}

fn consent_id(html: &str) -> String {
    let marker = "name=\"consent_id\" value=\"";
    let start = html.find(marker).expect("a consent_id field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_consent_page_lists_the_scopes_and_allow_redirects_with_code_scope_and_state() {
    let sim = start_sim().await;
    let page = http()
        .get(authorize_url(&sim, "abcdefgh", SCOPES))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("read:body_measurement"));
    assert!(html.contains("<label for=\"user_id\">"));
    assert!(html.contains("value=\"allow\">Allow</button>"));

    let answer = http()
        .post(format!("{}/oauth/oauth2/auth/consent", sim.base_url()))
        .form(&[
            ("consent_id", consent_id(&html).as_str()),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let (location, params) = location_params(&answer);
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(params["state"], "abcdefgh");
    assert_eq!(params["scope"], SCOPES);
    assert!(!params["code"].is_empty());
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_the_state() {
    let sim = start_sim().await;
    let html = http()
        .get(authorize_url(&sim, "abcdefgh", SCOPES))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let answer = http()
        .post(format!("{}/oauth/oauth2/auth/consent", sim.base_url()))
        .form(&[
            ("consent_id", consent_id(&html).as_str()),
            ("decision", "deny"),
        ])
        .send()
        .await
        .unwrap();
    let (_, params) = location_params(&answer);
    assert_eq!(params["error"], "access_denied");
    assert!(!params["error_description"].is_empty());
    assert_eq!(params["state"], "abcdefgh");
    assert!(!params.contains_key("code"));
}

#[tokio::test]
async fn a_state_shorter_than_8_characters_is_refused_with_invalid_state() {
    let sim = start_sim().await;
    sim.set_auto_approve(true);
    let response = http()
        .get(authorize_url(&sim, "1234567", SCOPES))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let (_, params) = location_params(&response);
    assert_eq!(params["error"], "invalid_state");
    assert_eq!(params["state"], "1234567");
}

#[tokio::test]
async fn an_unknown_client_or_redirect_uri_gets_an_error_page_not_a_redirect() {
    let sim = start_sim().await;
    let wrong_client = authorize_url(&sim, "abcdefgh", SCOPES).replace("sim-whoop-client", "nope");
    let wrong_redirect =
        authorize_url(&sim, "abcdefgh", SCOPES).replace("wellness.example", "evil.example");
    for url in [wrong_client, wrong_redirect] {
        let response = http().get(url).send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.headers().get("location").is_none());
    }
}

#[tokio::test]
async fn unknown_scopes_and_other_response_types_are_refused() {
    let sim = start_sim().await;
    let response = http()
        .get(authorize_url(
            &sim,
            "abcdefgh",
            "read:recovery read:everything",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(location_params(&response).1["error"], "invalid_scope");
    let token_flow = authorize_url(&sim, "abcdefgh", SCOPES)
        .replace("response_type=code", "response_type=token");
    let response = http().get(token_flow).send().await.unwrap();
    assert_eq!(
        location_params(&response).1["error"],
        "unsupported_response_type"
    );
}

#[tokio::test]
async fn redirect_uris_must_be_https_or_whoop_unless_allowed() {
    let http_redirect = WhoopSimConfig::default().with_redirect_uri("http://localhost/cb");
    assert!(WhoopSim::start(http_redirect.clone()).await.is_err());
    let allowed = WhoopSimConfig {
        allow_http_redirect_uris: true,
        ..http_redirect
    };
    assert!(WhoopSim::start(allowed).await.is_ok());
    assert!(
        WhoopSim::start(WhoopSimConfig::default().with_redirect_uri("whoop://app/cb"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_code_is_single_use_and_bound_to_its_redirect_uri() {
    let sim = start_sim().await;
    let code = code_for(&sim, SCOPES).await;
    let (status, body) = token_request(
        &sim,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://wellness.example/other"),
            ("client_id", sim.client_id()),
            ("client_secret", sim.client_secret()),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let (status, tokens) = exchange(&sim, &code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], SCOPES);
    assert!(tokens["refresh_token"].is_string());
    assert!(sim.is_connected(ANN));

    let (status, body) = exchange(&sim, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn without_offline_there_is_no_refresh_token() {
    let sim = start_sim().await;
    let code = code_for(&sim, "read:recovery read:cycles").await;
    let (status, tokens) = exchange(&sim, &code).await;
    assert_eq!(status, 200);
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
}

#[tokio::test]
async fn refresh_rotates_both_tokens_and_the_old_refresh_token_is_refused() {
    let sim = start_sim().await;
    let first = sim.issue_tokens(ANN).unwrap();
    let old_refresh = first.refresh_token.unwrap();
    let (status, second) = refresh(&sim, &old_refresh).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["access_token"], first.access_token.as_str());
    assert_ne!(second["refresh_token"], old_refresh.as_str());

    let (status, body) = refresh(&sim, &old_refresh).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());

    // The new one works, and the old access token lives until it expires.
    let (status, _) = refresh(&sim, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (status, _, _) = crate::get(&sim, &first.access_token, "/v2/user/profile/basic").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn reuse_detection_revokes_the_whole_family_when_configured() {
    let sim = start_with(WhoopSimConfig {
        revoke_family_on_reuse: true,
        ..WhoopSimConfig::default()
    })
    .await;
    let first = sim.issue_tokens(ANN).unwrap();
    let old_refresh = first.refresh_token.unwrap();
    let (_, second) = refresh(&sim, &old_refresh).await;
    let (status, _) = refresh(&sim, &old_refresh).await;
    assert_eq!(status, 400);
    let (status, body) = refresh(&sim, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _, _) = crate::get(
        &sim,
        second["access_token"].as_str().unwrap(),
        "/v2/cycle?limit=1",
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn wrong_client_credentials_or_basic_auth_get_401_invalid_client() {
    let sim = start_sim().await;
    let refresh_token = sim.issue_tokens(ANN).unwrap().refresh_token.unwrap();
    let (status, body) = token_request(
        &sim,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
            ("client_id", sim.client_id()),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );

    // WHOOP wants the credentials in the body: HTTP Basic alone is refused.
    let response = http()
        .post(sim.token_endpoint())
        .basic_auth(sim.client_id(), Some(sim.client_secret()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh_token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // The refresh token was not spent by the refused calls.
    assert_eq!(refresh(&sim, &refresh_token).await.0, 200);
}

#[tokio::test]
async fn two_refreshes_racing_with_one_token_one_wins() {
    let sim = start_sim().await;
    let refresh_token = sim.issue_tokens(ANN).unwrap().refresh_token.unwrap();
    let (a, b) = tokio::join!(refresh(&sim, &refresh_token), refresh(&sim, &refresh_token));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400]);
}

#[tokio::test]
async fn the_token_endpoint_wants_a_form() {
    let sim = start_sim().await;
    let response = http()
        .post(sim.token_endpoint())
        .json(&HashMap::from([("grant_type", "refresh_token")]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}
