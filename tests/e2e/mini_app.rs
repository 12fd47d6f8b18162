//! The Mini App's data API (`/api/v1/`) end to end: init data built here as Telegram's
//! documentation says (independently of the app's code), the real binary, the real PostgreSQL,
//! food logged through the bot.

use hmac::{Hmac, KeyInit as _, Mac as _};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use wellness_sim::telegram::SimUser;

use crate::chat::say;
use crate::food::{FoodBot, food_bot, per_100g};

/// Init data for `user` signed with `token`, `age_secs` ago, with `extra` fields; the fields
/// in the order given, the hash last (as Telegram sends them: order does not matter).
fn init_data(token: &str, user: &SimUser, age_secs: i64, extra: &[(&str, &str)]) -> String {
    let user_json = json!({
        "id": user.id,
        "first_name": user.first_name,
        "language_code": user.language_code,
        "allows_write_to_pm": true,
    })
    .to_string();
    let auth_date = (chrono::Utc::now().timestamp() - age_secs).to_string();
    let mut fields = vec![
        ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
        ("user", user_json.as_str()),
        ("auth_date", auth_date.as_str()),
    ];
    fields.extend_from_slice(extra);
    sign(token, &fields)
}

/// `fields` as a query string with Telegram's `hash`.
fn sign(token: &str, fields: &[(&str, &str)]) -> String {
    let mut sorted = fields.to_vec();
    sorted.sort();
    let check = sorted
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut secret = <Hmac<Sha256>>::new_from_slice(b"WebAppData").unwrap();
    secret.update(token.as_bytes());
    let secret = secret.finalize().into_bytes();
    let mut mac = <Hmac<Sha256>>::new_from_slice(&secret).unwrap();
    mac.update(check.as_bytes());
    let hash: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        query.append_pair(k, v);
    }
    query.append_pair("hash", &hash);
    query.finish()
}

struct Api<'a> {
    bot: &'a FoodBot,
    http: reqwest::Client,
}

impl<'a> Api<'a> {
    fn new(bot: &'a FoodBot) -> Self {
        Self {
            bot,
            http: reqwest::Client::new(),
        }
    }

    /// `user`'s request, with fresh init data.
    async fn call(
        &self,
        user: &SimUser,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let auth = format!("tma {}", init_data(self.bot.tg.token(), user, 5, &[]));
        self.raw(Some(&auth), method, path, body).await
    }

    async fn raw(
        &self,
        auth: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.bot.server.url));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        if status == StatusCode::NO_CONTENT {
            return (status, Value::Null);
        }
        assert_eq!(
            resp.headers()["cache-control"],
            "no-store",
            "{method_path}",
            method_path = path
        );
        (status, resp.json().await.unwrap())
    }

    async fn get(&self, user: &SimUser, path: &str) -> Value {
        let (status, body) = self.call(user, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }
}

#[tokio::test]
async fn the_api_answers_only_init_data_signed_for_this_bot_and_recent() {
    let bot = food_bot(false).await;
    let api = Api::new(&bot);
    let ann = SimUser::new(7301, "Ann").with_language("en");
    let token = bot.tg.token();
    let good = init_data(token, &ann, 5, &[("signature", "c2lnbmF0dXJl")]);
    let (status, body) = api
        .raw(
            Some(&format!("tma {good}")),
            Method::GET,
            "/api/v1/settings",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["language"], "en");

    let unsigned = good.split("&hash=").next().unwrap().to_owned();
    let refused = [
        ("no header", None),
        ("another scheme", Some(format!("Bearer {good}"))),
        (
            "a changed name",
            Some(format!("tma {}", good.replace("Ann", "Bob"))),
        ),
        (
            "another bot's token",
            Some(format!("tma {}", init_data("1:other", &ann, 5, &[]))),
        ),
        (
            "two days old",
            Some(format!("tma {}", init_data(token, &ann, 2 * 86_400, &[]))),
        ),
        (
            "an hour ahead",
            Some(format!("tma {}", init_data(token, &ann, -3600, &[]))),
        ),
        ("no hash", Some(format!("tma {unsigned}"))),
        (
            "a key twice",
            Some(format!("tma {good}&query_id=AAHdF6IQAAAAAN0XohDhrOrc")),
        ),
        ("empty", Some("tma ".to_owned())),
    ];
    for (what, auth) in refused {
        for path in [
            "/api/v1/settings",
            "/api/v1/summary?from=2026-05-01&to=2026-05-02",
        ] {
            let (status, body) = api.raw(auth.as_deref(), Method::GET, path, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
            assert_eq!(body["error"], "unauthorized", "{what}");
            let text = body.to_string();
            assert!(
                !text.contains("hash") && !text.contains("old") && !text.contains("future"),
                "{what}: the answer says why: {text}"
            );
        }
    }
}

#[tokio::test]
async fn food_logged_in_chat_is_seen_changed_and_deleted_in_the_api_and_by_no_one_else() {
    let bot = food_bot(false).await;
    let api = Api::new(&bot);
    let ann = SimUser::new(7311, "Ann").with_language("en");
    let bob = SimUser::new(7312, "Bob").with_language("en");
    say(&bot.tg, &bob, "/start").await;
    let r = say(&bot.tg, &ann, "200 g cooked buckwheat").await;
    assert!(r.starts_with("Logged"), "{r}");
    let per_100g = per_100g("buckwheat", "buckwheat");

    let today = api.get(&ann, "/api/v1/settings").await["today"]
        .as_str()
        .unwrap()
        .to_owned();
    let day = api.get(&ann, "/api/v1/entries").await;
    assert_eq!(day["date"], today.as_str());
    assert_eq!(day["goal_kcal"], 2000);
    let entries = day["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{day}");
    let entry = &entries[0];
    assert_eq!(entry["grams"], 200.0);
    let kcal = (per_100g.kcal.get() * 2.0).round() as i64;
    assert_eq!(entry["kcal"], kcal);
    assert_eq!(day["totals"]["kcal"], kcal);
    assert_eq!(day["totals"]["entries"], 1);
    let id = entry["id"].as_i64().unwrap();
    assert_eq!(
        api.get(&ann, &format!("/api/v1/entries?date={today}"))
            .await,
        day
    );

    // The week up to today: six empty days, then today's food.
    let from = (chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").unwrap()
        - chrono::Duration::days(6))
    .to_string();
    let summary = api
        .get(&ann, &format!("/api/v1/summary?from={from}&to={today}"))
        .await;
    let days = summary["days"].as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[0]["date"], from.as_str());
    assert_eq!(days[0]["kcal"], Value::Null);
    assert_eq!(days[0]["goal_kcal"], 2000);
    assert_eq!(days[6]["kcal"], kcal);
    assert_eq!(days[6]["sleep_performance"], Value::Null);

    // Bob sees nothing of Ann's and can change nothing of hers.
    assert_eq!(api.get(&bob, "/api/v1/entries").await["entries"], json!([]));
    let path = format!("/api/v1/entries/{id}");
    let (status, body) = api
        .call(&bob, Method::PATCH, &path, Some(json!({"grams": 1})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = api.call(&bob, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Ann halves it; the chat agrees.
    let (status, changed) = api
        .call(&ann, Method::PATCH, &path, Some(json!({"grams": 100})))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["grams"], 100.0);
    let half = (per_100g.kcal.get()).round() as i64;
    assert_eq!(changed["kcal"], half);
    let r = say(&bot.tg, &ann, "/today").await;
    assert!(r.contains(&format!("{half} of 2000 kcal")), "{r}");
    for bad in [
        json!({"grams": 0}),
        json!({"grams": "a lot"}),
        json!({"kcal": 5}),
    ] {
        let (status, body) = api.call(&ann, Method::PATCH, &path, Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "bad_request");
    }

    let (status, _) = api.call(&ann, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&ann, "/api/v1/entries").await["entries"], json!([]));
    let (status, _) = api.call(&ann, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .call(&ann, Method::DELETE, "/api/v1/entries/nonsense", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_newcomer_sees_an_empty_dashboard_and_their_settings_reach_the_chat() {
    let bot = food_bot(false).await;
    let api = Api::new(&bot);
    let olena = SimUser::new(7321, "Олена").with_language("uk");

    let profile = api.get(&olena, "/api/v1/settings").await;
    assert_eq!(profile["registered"], false);
    assert_eq!(profile["language"], "uk");
    assert_eq!(profile["goal_kcal"], 2000);
    let summary = api
        .get(&olena, "/api/v1/summary?from=2026-01-01&to=2026-12-31")
        .await;
    let days = summary["days"].as_array().unwrap();
    assert_eq!(days.len(), 365);
    assert!(
        days.iter()
            .all(|d| d["kcal"].is_null() && d["goal_kcal"].is_null())
    );
    let day = api.get(&olena, "/api/v1/entries").await;
    assert_eq!(day["entries"], json!([]));
    // This bot has no WHOOP or FatSecret credentials: nothing to connect, and asking makes no
    // account.
    let connections = api.get(&olena, "/api/v1/connections").await;
    assert_eq!(
        connections,
        json!({"connections": [
            {"provider": "whoop", "state": "not_configured"},
            {"provider": "fatsecret", "state": "not_configured"},
        ]})
    );
    let (status, body) = api
        .call(&olena, Method::POST, "/api/v1/connections/whoop", None)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"], "not_configured");
    let profile = api.get(&olena, "/api/v1/settings").await;
    assert_eq!(profile["registered"], false, "looking made no account");

    let (status, profile) = api
        .call(
            &olena,
            Method::PUT,
            "/api/v1/settings",
            Some(json!({
                "goal_kcal": 2200, "time_zone": "America/New_York", "language": "en",
                "morning": "07:15", "evening": "22:00", "briefings_enabled": false
            })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(
        profile,
        json!({
            "registered": true, "goal_kcal": 2200, "time_zone": "America/New_York",
            "language": "en", "briefings_enabled": false, "morning": "07:15",
            "evening": "22:00", "today": profile["today"].clone()
        })
    );
    assert_eq!(api.get(&olena, "/api/v1/settings").await, profile);
    let r = say(&bot.tg, &olena, "/today").await;
    assert!(r.contains("of 2200 kcal"), "{r}");

    let refused = [
        json!({"goal_kcal": 100}),
        json!({"time_zone": "Mars/Olympus"}),
        json!({"language": "fr"}),
        json!({"morning": "07:00"}),
        json!({"morning": "25:00", "evening": "21:00"}),
        json!({"colour": "red"}),
    ];
    for bad in refused {
        let (status, body) = api
            .call(&olena, Method::PUT, "/api/v1/settings", Some(bad.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    for query in [
        "from=2026-05-02&to=2026-05-01",
        "from=2025-01-01&to=2026-12-31",
        "from=yesterday&to=2026-05-01",
        "from=2026-05-01",
    ] {
        let (status, body) = api
            .call(
                &olena,
                Method::GET,
                &format!("/api/v1/summary?{query}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
    }
    // Nothing half-applied by the refused changes.
    assert_eq!(api.get(&olena, "/api/v1/settings").await, profile);
}

/// The `web_app` buttons under `user`'s latest message.
fn app_buttons(tg: &wellness_sim::telegram::TelegramSim, user: &SimUser) -> Vec<String> {
    let sent = tg.sent_to(user.id);
    let last = sent.last().unwrap();
    last.reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["web_app"]["url"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn over_https_the_menu_and_today_open_the_mini_app_and_over_http_nothing_does() {
    use wellness_postgres::test_support::TestDatabase;

    let tg = crate::chat::telegram().await;
    let db = TestDatabase::migrated().await.unwrap();
    let mut env = crate::chat::polling_env(&tg, &db);
    env.push(("PUBLIC_BASE_URL", "https://wellness.example".to_owned()));
    let server = crate::chat::serve(wellness_e2e::free_port(), &env).await;
    let ann = SimUser::new(7331, "Ann").with_language("en");
    let r = say(&tg, &ann, "/today").await;
    assert!(r.contains("of 2000 kcal"), "{r}");
    assert_eq!(app_buttons(&tg, &ann), vec!["https://wellness.example/app"]);
    let menu = tg
        .menu_button(None)
        .expect("the default menu button is set");
    assert_eq!(menu["type"], "web_app");
    assert_eq!(menu["web_app"]["url"], "https://wellness.example/app");
    // A food reply has no dashboard button.
    say(&tg, &ann, "a banana").await;
    assert!(app_buttons(&tg, &ann).is_empty());
    // The chat's own menu button speaks its user's language: set by /start, changed with it.
    // (Set right after the reply is out: waited for.)
    say(&tg, &ann, "/start").await;
    let label = |tg: &wellness_sim::telegram::TelegramSim| {
        tg.menu_button(Some(ann.id))
            .and_then(|b| b["text"].as_str().map(str::to_owned))
    };
    wellness_e2e::eventually(
        "the chat's own button",
        std::time::Duration::from_secs(5),
        || label(&tg).is_some(),
    )
    .await;
    let own = tg.menu_button(Some(ann.id)).unwrap();
    assert_eq!(
        (own["type"].as_str(), own["text"].as_str()),
        (Some("web_app"), Some("Dashboard"))
    );
    assert_eq!(own["web_app"]["url"], "https://wellness.example/app");
    say(&tg, &ann, "/language uk").await;
    wellness_e2e::eventually(
        "the button in Ukrainian",
        std::time::Duration::from_secs(5),
        || label(&tg).as_deref() == Some("Панель"),
    )
    .await;
    assert_eq!(
        tg.menu_button(None).unwrap()["text"],
        "Dashboard",
        "the default stays"
    );
    // Changed in the Mini App's settings: the button follows too.
    let changed = reqwest::Client::new()
        .put(format!("{}/api/v1/settings", server.url))
        .header(
            "authorization",
            format!("tma {}", init_data(tg.token(), &ann, 5, &[])),
        )
        .json(&json!({"language": "en"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    wellness_e2e::eventually(
        "the button in English again",
        std::time::Duration::from_secs(5),
        || label(&tg).as_deref() == Some("Dashboard"),
    )
    .await;

    // Plain http (the tests' default): Telegram would refuse the button, so there is none.
    let bot = food_bot(false).await;
    let r = say(&bot.tg, &ann, "/today").await;
    assert!(r.contains("of 2000 kcal"), "{r}");
    assert!(app_buttons(&bot.tg, &ann).is_empty());
    assert_eq!(bot.tg.menu_button(None), None);
    say(&bot.tg, &ann, "/start").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(bot.tg.menu_button(Some(ann.id)), None);
}
