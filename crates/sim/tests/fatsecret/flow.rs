use oauth1_request as oauth;
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig, SimTokens};

use crate::{api, error_code, http, post_form, start_sim, start_with};

const CALLBACK: &str = "https://bot.example/fatsecret/callback?state=abc";

fn form_pairs(text: &str) -> Vec<(String, String)> {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(text)
        .unwrap()
        .into_inner()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Step 1, signed by oauth1-request with a callback.
async fn request_token(sim: &FatSecretSim, callback: Option<&str>) -> (u16, String) {
    let url = format!("{}/oauth/request_token", sim.base_url());
    let mut builder = oauth::Builder::<_, _>::new(
        oauth::Credentials::new(sim.consumer_key(), sim.consumer_secret()),
        oauth::HmacSha1::new(),
    );
    builder.callback(callback).version(true);
    let body = builder.to_form("POST", &url, &());
    let (status, answer) = post_form(&url, body).await;
    (status, answer.as_str().unwrap_or_default().to_owned())
}

/// Step 3, signed with the request token's secret.
async fn access_token(
    sim: &FatSecretSim,
    token: &str,
    secret: &str,
    verifier: &str,
) -> (u16, String) {
    let url = format!("{}/oauth/access_token", sim.base_url());
    let mut builder = oauth::Builder::<_, _>::new(
        oauth::Credentials::new(sim.consumer_key(), sim.consumer_secret()),
        oauth::HmacSha1::new(),
    );
    builder
        .token(oauth::Credentials::new(token, secret))
        .verifier(verifier)
        .version(true);
    let body = builder.to_form("POST", &url, &());
    let (status, answer) = post_form(&url, body).await;
    (status, answer.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_three_legged_flow_through_the_consent_page_gives_a_working_access_token() {
    let sim = start_sim().await;
    let (status, answer) = request_token(&sim, Some(CALLBACK)).await;
    assert_eq!(status, 200, "{answer}");
    let pairs = form_pairs(&answer);
    let token = value(&pairs, "oauth_token").unwrap().to_owned();
    let secret = value(&pairs, "oauth_token_secret").unwrap().to_owned();
    assert_eq!(value(&pairs, "oauth_callback_confirmed"), Some("true"));

    let page = http()
        .get(format!(
            "{}/oauth/authorize?oauth_token={token}",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<label for=\"user\">"));
    assert!(html.contains(">Allow</button>") && html.contains(">Deny</button>"));
    assert!(html.contains(&format!("value=\"{token}\"")));

    let decision = http()
        .post(format!("{}/oauth/authorize", sim.base_url()))
        .form(&[
            ("oauth_token", token.as_str()),
            ("user", "ann"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), 303);
    let location = decision.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{CALLBACK}&oauth_token={token}&oauth_verifier=")),
        "{location}"
    );
    let verifier = location.rsplit("oauth_verifier=").next().unwrap();

    let (status, answer) = access_token(&sim, &token, &secret, verifier).await;
    assert_eq!(status, 200, "{answer}");
    let pairs = form_pairs(&answer);
    let ann = SimTokens {
        oauth_token: value(&pairs, "oauth_token").unwrap().into(),
        oauth_token_secret: value(&pairs, "oauth_token_secret").unwrap().into(),
    };
    let day = api(
        &sim,
        &[("format", "json"), ("method", "food_entries.get.v2")],
        Some(&ann),
    )
    .await;
    assert_eq!(error_code(&day), None, "{day}");
    assert_eq!(sim.summary().users, ["ann"]);

    // The request token is single-use.
    let (again, text) = access_token(&sim, &token, &secret, verifier).await;
    assert_eq!(again, 401);
    assert!(text.contains("error 9"), "{text}");
}

#[tokio::test]
async fn a_callback_is_required_and_a_wrong_verifier_or_secret_is_refused() {
    let sim = start_sim().await;
    let (status, text) = request_token(&sim, None).await;
    assert_eq!(status, 401);
    assert!(text.contains("oauth_callback"), "{text}");

    let (_, answer) = request_token(&sim, Some("oob")).await;
    let pairs = form_pairs(&answer);
    let token = value(&pairs, "oauth_token").unwrap().to_owned();
    let secret = value(&pairs, "oauth_token_secret").unwrap().to_owned();
    let verifier = sim.approve(&token, "bob").unwrap();
    let (status, _) = access_token(&sim, &token, &secret, "00000000x").await;
    assert_eq!(status, 401);
    let (status, text) = access_token(&sim, &token, "wrong-secret", &verifier).await;
    assert_eq!(status, 401);
    assert!(text.contains("error 8"), "{text}");
    let (status, _) = access_token(&sim, &token, &secret, &verifier).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn denying_redirects_with_denied_and_the_token_cannot_be_exchanged() {
    let sim = start_sim().await;
    let (_, answer) = request_token(&sim, Some("https://bot.example/cb")).await;
    let pairs = form_pairs(&answer);
    let token = value(&pairs, "oauth_token").unwrap().to_owned();
    let secret = value(&pairs, "oauth_token_secret").unwrap().to_owned();
    let decision = http()
        .post(format!("{}/oauth/authorize", sim.base_url()))
        .form(&[("oauth_token", token.as_str()), ("decision", "deny")])
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), 303);
    let location = decision.headers()["location"].to_str().unwrap();
    assert_eq!(
        location,
        format!("https://bot.example/cb?oauth_token={token}&denied={token}")
    );
    let (status, _) = access_token(&sim, &token, &secret, "whatever").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn auto_approval_redirects_straight_to_the_callback() {
    let sim = start_with(FatSecretSimConfig::default().with_auto_approve("carol")).await;
    let (_, answer) = request_token(&sim, Some("https://bot.example/cb")).await;
    let pairs = form_pairs(&answer);
    let token = value(&pairs, "oauth_token").unwrap().to_owned();
    let response = http()
        .get(format!(
            "{}/oauth/authorize?oauth_token={token}",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        response.headers()["location"]
            .to_str()
            .unwrap()
            .contains("oauth_verifier=")
    );

    sim.set_auto_approve(None);
    let unknown = http()
        .get(format!(
            "{}/oauth/authorize?oauth_token=nope",
            sim.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
}
