use chrono::{Duration, Utc};
use wellness_domain::model::{Secret, Tokens};
use wellness_domain::ports::{Wearable, WearableError};
use wellness_whoop::{SCOPES, STATE_LEN, new_state};

use crate::{ANN, client, start_sim};

fn oauth2(tokens: Tokens) -> (Secret, Option<Secret>, chrono::DateTime<Utc>, String) {
    match tokens {
        Tokens::OAuth2 {
            access_token,
            refresh_token,
            expires_at,
            scope,
        } => (access_token, refresh_token, expires_at, scope),
        Tokens::OAuth1 { .. } => panic!("WHOOP gives OAuth 2 tokens"),
    }
}

#[tokio::test]
async fn connects_through_authorize_url_consent_and_code_exchange() {
    let sim = start_sim().await;
    sim.set_auto_approve(true);
    let whoop = client(&sim);
    let state = new_state();
    assert_eq!(state.len(), STATE_LEN);

    let url = whoop.authorize_url(&state);
    let parsed = reqwest::Url::parse(&url).unwrap();
    assert!(url.starts_with(&sim.authorize_endpoint()), "{url}");
    let params: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(params["scope"], SCOPES.join(" "));
    assert_eq!(params["state"], state);
    assert_eq!(params["response_type"], "code");

    // The browser: WHOOP (auto-approving) sends it back to our redirect URI.
    let browser = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let location = reqwest::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let back: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(back["state"], state);

    let before = Utc::now();
    let (access, refresh, expires_at, scope) =
        oauth2(whoop.exchange_code(&back["code"]).await.unwrap());
    assert!(refresh.is_some());
    assert!(
        expires_at >= before + Duration::seconds(3590)
            && expires_at <= Utc::now() + Duration::seconds(3600)
    );
    for wanted in SCOPES {
        assert!(scope.split(' ').any(|s| s == wanted), "{scope}");
    }
    assert_eq!(whoop.profile(&access).await, Ok(ANN));
    assert!(sim.is_connected(ANN));

    // The code was single use.
    assert_eq!(
        whoop.exchange_code(&back["code"]).await,
        Err(WearableError::InvalidGrant)
    );
}

#[tokio::test]
async fn refresh_rotates_and_the_old_refresh_token_is_refused_afterwards() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let first = sim.issue_tokens(ANN).unwrap();
    let old = Secret::new(first.refresh_token.unwrap());

    let grant = whoop.refresh(&old).await.unwrap();
    let (access, refresh, expires_at, scope) = oauth2(grant.tokens);
    let new_refresh = refresh.unwrap();
    assert_ne!(new_refresh, old);
    assert_ne!(access.expose(), first.access_token);
    assert!(expires_at > Utc::now() + Duration::seconds(3500));
    assert!(scope.contains("offline"));
    assert_eq!(whoop.profile(&access).await, Ok(ANN));

    assert_eq!(whoop.refresh(&old).await, Err(WearableError::InvalidGrant));
    assert!(whoop.refresh(&new_refresh).await.is_ok());
}

#[tokio::test]
async fn of_two_concurrent_refreshes_with_one_token_one_wins_and_the_other_gets_invalid_grant() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let token = Secret::new(sim.issue_tokens(ANN).unwrap().refresh_token.unwrap());
    let (a, b) = tokio::join!(whoop.refresh(&token), whoop.refresh(&token));
    let outcomes = [a, b];
    assert_eq!(
        outcomes.iter().filter(|o| o.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    assert!(outcomes.contains(&Err(WearableError::InvalidGrant)));
}

#[tokio::test]
async fn wrong_client_credentials_are_not_mistaken_for_a_broken_connection() {
    let sim = start_sim().await;
    let mut config = wellness_whoop::WhoopConfig {
        api_root: sim.base_url(),
        client_id: sim.client_id().to_owned(),
        client_secret: Secret::new("not-the-secret"),
        redirect_uri: sim.config().redirect_uris[0].clone(),
    };
    let whoop = wellness_whoop::WhoopClient::new(
        config.clone(),
        std::sync::Arc::new(wellness_whoop::Unlimited),
    )
    .unwrap();
    let token = Secret::new(sim.issue_tokens(ANN).unwrap().refresh_token.unwrap());
    let refused = whoop.refresh(&token).await;
    assert!(
        matches!(&refused, Err(WearableError::Unavailable(m)) if m.contains("invalid_client")),
        "{refused:?}"
    );
    // The token was not spent.
    config.client_secret = Secret::new(sim.client_secret());
    let whoop =
        wellness_whoop::WhoopClient::new(config, std::sync::Arc::new(wellness_whoop::Unlimited))
            .unwrap();
    assert!(whoop.refresh(&token).await.is_ok());
}

#[tokio::test]
async fn revoke_ends_access_for_every_token() {
    let sim = start_sim().await;
    let whoop = client(&sim);
    let tokens = sim.issue_tokens(ANN).unwrap();
    let access = Secret::new(tokens.access_token);
    assert_eq!(whoop.revoke(&access).await, Ok(()));
    assert_eq!(
        whoop.profile(&access).await,
        Err(WearableError::Unauthorized)
    );
    assert_eq!(
        whoop
            .refresh(&Secret::new(tokens.refresh_token.unwrap()))
            .await,
        Err(WearableError::InvalidGrant)
    );
    assert!(!sim.is_connected(ANN));
}
