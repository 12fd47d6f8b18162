//! The Mini App's Connections screen end to end: WHOOP and FatSecret connected from inside the
//! Mini App, each link made for the Telegram user of the validated init data (never sent in a
//! chat, so never forwarded), through the same confirmation page and consent as the chat's
//! links, against the providers' simulators.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wellness_sim::telegram::SimUser;
use wellness_sim::telegram::web_app::init_data;

use crate::chat::say;
use crate::security::{BOT_TOKEN, World, heard, world};

async fn call(w: &World, user: &SimUser, method: Method, path: &str) -> (StatusCode, Value) {
    let auth = format!("tma {}", init_data(user, BOT_TOKEN, chrono::Utc::now()));
    let resp = reqwest::Client::new()
        .request(method, format!("{}{path}", w.server.url))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
    (resp.status(), resp.json().await.unwrap())
}

async fn states(w: &World, user: &SimUser) -> Value {
    let (status, body) = call(w, user, Method::GET, "/api/v1/connections").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn expect(whoop: &str, fatsecret: &str) -> Value {
    json!({"connections": [
        {"provider": "whoop", "state": whoop},
        {"provider": "fatsecret", "state": fatsecret},
    ]})
}

/// The link the Mini App gets for `provider`.
async fn link(w: &World, user: &SimUser, provider: &str) -> String {
    let path = format!("/api/v1/connections/{provider}");
    let (status, body) = call(w, user, Method::POST, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["provider"], provider);
    body["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn whoop_and_fatsecret_connect_from_the_mini_app_to_the_visitors_own_account() {
    let w = world().await;
    let olena = SimUser::new(7401, "Olena").with_language("en");
    let taras = SimUser::new(7402, "Taras").with_language("en");
    say(&w.tg, &olena, "/start").await;
    assert_eq!(
        states(&w, &olena).await,
        expect("not_connected", "not_connected")
    );

    // WHOOP: the page names Olena's account, she continues and approves, her chat hears it.
    let url = link(&w, &olena, "whoop").await;
    assert!(url.contains("/whoop/connect?state="), "{url}");
    let page = wellness_e2e::connect_through(&url, "Olena").await;
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
    heard(&w.tg, &olena, "WHOOP is connected").await;
    assert_eq!(
        states(&w, &olena).await,
        expect("connected", "not_connected")
    );

    // A link is single-use: the same one again connects nothing.
    let again = reqwest::get(&url).await.unwrap();
    assert!(again.status().is_client_error(), "{}", again.status());
    let html = again.text().await.unwrap();
    assert!(!html.contains("class=\"button\""), "no Continue: {html}");

    // Someone who never wrote to the bot: the account is made for them, and FatSecret is
    // theirs alone; Olena's connections are unchanged.
    assert_eq!(
        states(&w, &taras).await,
        expect("not_connected", "not_connected")
    );
    let url = link(&w, &taras, "fatsecret").await;
    let page = wellness_e2e::connect_through(&url, "Taras").await;
    assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
    assert_eq!(
        states(&w, &taras).await,
        expect("not_connected", "connected")
    );
    assert_eq!(
        states(&w, &olena).await,
        expect("connected", "not_connected")
    );

    // Not a provider: 404; no init data: 401, and no link is made.
    let (status, body) = call(&w, &olena, Method::POST, "/api/v1/connections/strava").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/connections/whoop", w.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}
