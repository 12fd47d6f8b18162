//! The sandbox's API without a browser: voice notes with what they say, the briefing on demand,
//! what other sites cannot do, and when there is no sandbox at all. (The page itself: the
//! browser test in tests/browser.)

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wellness_e2e::Server;
use wellness_postgres::test_support::TestDatabase;

/// `wellness serve` as `make run` starts it on a fresh clone: nothing but the database.
async fn sandbox() -> (Server, TestDatabase) {
    let db = TestDatabase::migrated().await.unwrap();
    let server = Server::start(&[("DATABASE_URL", db.url().to_owned())]);
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    (server, db)
}

/// The sandbox page open in one browser: its session cookie and the page's token, which every
/// API call carries as the page's script sends them.
struct Page {
    client: reqwest::Client,
    base: String,
    /// The session cookie's value (`name=value`).
    cookie: String,
}

impl Page {
    /// Opens /sandbox in a new browser: the server hands out a session.
    async fn open(server: &Server) -> Page {
        let page = reqwest::get(format!("{}/sandbox", server.url))
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let cookie = page
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Self::with_cookie(server, page, cookie).await
    }

    /// Opens /sandbox again in a browser that has `cookie`: the same session.
    async fn reopen(server: &Server, cookie: &str) -> Page {
        let page = reqwest::Client::new()
            .get(format!("{}/sandbox", server.url))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(
            page.headers().get("set-cookie").is_none(),
            "kept its session"
        );
        Self::with_cookie(server, page, cookie.to_owned()).await
    }

    async fn with_cookie(server: &Server, page: reqwest::Response, cookie: String) -> Page {
        let html = page.text().await.unwrap();
        let token = page_token(&html);
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("cookie", cookie.parse().unwrap());
        headers.insert("x-sandbox-token", token.parse().unwrap());
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap();
        Page {
            client,
            base: server.url.clone(),
            cookie,
        }
    }

    async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn chat(&self, query: &str) -> Value {
        let answer = self
            .client
            .get(format!("{}/sandbox/api/chat?{query}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        answer.json().await.unwrap()
    }
}

/// The token the page carries for its script.
fn page_token(html: &str) -> String {
    html.split("<meta name=\"sandbox-token\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries its token")
        .to_owned()
}

/// Waits for a bot message in the page's chat that satisfies `wanted`.
async fn bot_says(page: &Page, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut version = None;
    loop {
        let since = version
            .map(|v: u64| format!("since={v}&"))
            .unwrap_or_default();
        let chat = page.chat(&format!("{since}wait_ms=2000")).await;
        version = chat["version"].as_u64();
        let texts: Vec<&str> = chat["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["from_bot"] == true)
            .filter_map(|m| m["text"].as_str())
            .collect();
        if let Some(found) = texts.iter().find(|t| wanted(t)) {
            return (*found).to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "the bot did not say it: {texts:#?}"
        );
    }
}

#[tokio::test]
async fn a_voice_note_is_heard_as_the_page_says_and_logged() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    let note = wellness_sim::telegram::silent_voice_note(3);
    let sent = page
        .client
        .post(format!(
            "{}/sandbox/api/voice?transcript=200%20g%20cooked%20buckwheat%20for%20lunch&duration=3&language=en",
            server.url
        ))
        .header("content-type", "audio/ogg")
        .body(note)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let reply = bot_says(&page, |t| t.contains("I heard")).await;
    assert!(
        reply.contains("200 g cooked buckwheat for lunch"),
        "{reply}"
    );
    // Named as the catalogue names it (FatSecret's simulator here: "Buckwheat").
    assert!(reply.contains("Buckwheat — 200 g"), "{reply}");
}

#[tokio::test]
async fn a_photo_of_a_barcode_sent_from_the_page_logs_the_simulated_product() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    let photo = crate::barcode::photo_of("4823063112628", rxing::BarcodeFormat::EAN_13);
    let sent = page
        .client
        .post(format!(
            "{}/sandbox/api/photo?caption=50%20g&language=en",
            server.url
        ))
        .header("content-type", "image/jpeg")
        .body(photo)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let reply = bot_says(&page, |t| t.contains("barcode 4823063112628")).await;
    assert!(reply.contains("Oat flakes — 50 g: 183 kcal"), "{reply}");
    let form = page
        .client
        .post(format!("{}/sandbox/api/photo", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415, "no form a cross-site page could post");
}

#[tokio::test]
async fn briefing_now_brings_the_morning_briefing_into_the_chat() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    // Nobody has written yet: there is no user to brief.
    let early = page
        .post("/sandbox/api/briefing", json!({"kind": "morning"}))
        .await;
    assert_eq!(early.status(), 409);
    assert!(
        early
            .text()
            .await
            .unwrap()
            .contains("Send the bot a message first"),
        "it says what to do"
    );

    let hello = page
        .post(
            "/sandbox/api/message",
            json!({"text": "/start", "language": "en"}),
        )
        .await;
    assert_eq!(hello.status(), 202);
    bot_says(&page, |_| true).await;
    let sent = page
        .post("/sandbox/api/briefing", json!({"kind": "morning"}))
        .await;
    assert_eq!(sent.status(), 202);
    let briefing = bot_says(&page, |t| t.starts_with("Good morning")).await;
    assert!(
        briefing.contains("Sleep: no sleep data from WHOOP yet"),
        "{briefing}"
    );
    let wrong = page
        .post("/sandbox/api/briefing", json!({"kind": "noon"}))
        .await;
    assert_eq!(wrong.status(), 400);
}

#[tokio::test]
async fn another_site_cannot_post_to_the_sandbox() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    // What a cross-site form can send without a CORS preflight: refused (even with the
    // browser's cookie and the page's token, which another site could not have).
    let client = &page.client;
    let form = client
        .post(format!("{}/sandbox/api/message", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("text=hello")
        .send()
        .await
        .unwrap();
    assert!(form.status().is_client_error(), "{}", form.status());
    let plain = client
        .post(format!("{}/sandbox/api/voice", server.url))
        .header("content-type", "text/plain")
        .body(wellness_sim::telegram::silent_voice_note(1))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 415);
    let chat = page.chat("").await;
    assert_eq!(chat["messages"], json!([]), "nothing reached the bot");
}

#[tokio::test]
async fn with_a_bot_token_or_on_a_public_address_there_is_no_sandbox() {
    let db = TestDatabase::migrated().await.unwrap();
    let real = Server::start(&[
        ("DATABASE_URL", db.url().to_owned()),
        ("TELEGRAM_BOT_TOKEN", "123456:REAL".to_owned()),
        ("TELEGRAM_MODE", "polling".to_owned()),
        // Nothing listens there: the poller just retries.
        ("TELEGRAM_API_URL", "http://127.0.0.1:9".to_owned()),
    ]);
    real.wait_for("/readyz", 200, Duration::from_secs(10)).await;
    let page = reqwest::get(format!("{}/sandbox", real.url)).await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(!real.logs().iter().any(|l| l.contains("SANDBOX")));

    let public = Server::start(&[
        ("DATABASE_URL", db.url().to_owned()),
        ("HOST", "0.0.0.0".to_owned()),
    ]);
    public
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let page = reqwest::get(format!("{}/sandbox/api/chat", public.url))
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        public
            .wait_for_log(
                "the sandbox runs only on a loopback HOST",
                Duration::from_secs(5)
            )
            .await,
        "{:#?}",
        public.logs()
    );

    // Loopback-bound behind a TLS proxy (PUBLIC_BASE_URL public) that lost its bot token.
    let proxied = Server::start(&[
        ("DATABASE_URL", db.url().to_owned()),
        ("PUBLIC_BASE_URL", "https://wellness.example".to_owned()),
    ]);
    proxied
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let page = reqwest::get(format!("{}/sandbox", proxied.url))
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        !proxied.logs().iter().any(|l| l.contains("SANDBOX: ")),
        "{:#?}",
        proxied.logs()
    );
}

#[tokio::test]
async fn a_second_run_on_the_same_database_hears_the_person_again() {
    // `make run`, stop, `make run`: the simulator starts afresh, the database remembers.
    let db = TestDatabase::migrated().await.unwrap();
    let env = [("DATABASE_URL", db.url().to_owned())];
    let mut cookie: Option<String> = None;
    for (run, total) in [
        (1, "Today: 143 of 2000 kcal"),
        (2, "Today: 286 of 2000 kcal"),
    ] {
        let server = Server::start(&env);
        server
            .wait_for("/readyz", 200, Duration::from_secs(10))
            .await;
        // The same browser both times: it keeps its session cookie, so it is the same person.
        let page = match &cookie {
            None => Page::open(&server).await,
            Some(cookie) => Page::reopen(&server, cookie).await,
        };
        cookie = Some(page.cookie.clone());
        let sent = page
            .post(
                "/sandbox/api/message",
                json!({"text": "2 eggs", "language": "en"}),
            )
            .await;
        assert_eq!(sent.status(), 202);
        let reply = bot_says(&page, |t| t.contains("Today:")).await;
        assert!(reply.contains(total), "run {run}: {reply}");
        let status = server.terminate(Duration::from_secs(15)).expect("stopped");
        assert!(status.success(), "run {run}: {status:?}");
    }
}

#[tokio::test]
async fn settings_come_from_a_dot_env_file_and_the_environment_wins_over_it() {
    // Empty: only a server that took DATABASE_URL from the file migrates it.
    let db = TestDatabase::empty().await.unwrap();
    let dir = std::env::temp_dir().join(format!("wellness-dotenv-{}", db.name()));
    std::fs::create_dir_all(&dir).unwrap();
    let (from_env, from_file) = (wellness_e2e::free_port(), wellness_e2e::free_port());
    std::fs::write(
        dir.join(".env"),
        format!(
            "# as docker/example.env\nDATABASE_URL=\"{}\"\nPORT={from_file}\nWELLNESS_SANDBOX=off\n",
            db.url()
        ),
    )
    .unwrap();
    let mut child = wellness_e2e::command(&["serve"], &[("PORT", from_env.to_string())])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The port is the environment's, not the file's.
    let deadline = Instant::now() + Duration::from_secs(10);
    let ready = loop {
        let answer = reqwest::get(format!("http://127.0.0.1:{from_env}/readyz")).await;
        if let Ok(r) = answer
            && r.status() == 200
        {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let sandbox = reqwest::get(format!("http://127.0.0.1:{from_env}/sandbox")).await;
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(ready, "not ready on the environment's port {from_env}");
    assert_eq!(
        db.pool().unwrap().readiness().await,
        wellness_postgres::Readiness::Ready,
        "the server migrated the database the file names"
    );
    assert_eq!(
        sandbox.unwrap().status(),
        404,
        "WELLNESS_SANDBOX=off from the file"
    );
}

#[tokio::test]
async fn fatsecret_connects_through_the_simulated_consent_page_and_back_to_the_chat() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    let asked = page
        .post(
            "/sandbox/api/message",
            json!({"text": "/connect_fatsecret", "language": "en"}),
        )
        .await;
    assert_eq!(asked.status(), 202);
    let offer = bot_says(&page, |t| t.contains("/fatsecret/connect?state=")).await;
    let link = offer
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap();
    // The browser: our page naming the account -> Continue (a cookie binds this browser) ->
    // the simulator's consent page (a form) -> Allow -> our callback, with the cookie.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let opened = no_redirects.get(link).send().await.unwrap();
    let confirm_cookie = opened.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let first = opened.text().await.unwrap();
    assert!(first.contains("Telegram account of Sandbox"), "{first}");
    let href = first
        .split("class=\"button\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let continued = no_redirects
        .get(format!("{}{href}", server.url))
        .header("cookie", &confirm_cookie)
        .send()
        .await
        .unwrap();
    assert!(
        continued.status().is_redirection(),
        "{}",
        continued.status()
    );
    let cookie = continued.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let consent = reqwest::get(continued.headers()["location"].to_str().unwrap())
        .await
        .unwrap();
    assert_ne!(
        consent.url().port(),
        reqwest::Url::parse(&server.url).unwrap().port(),
        "on the simulator's own page"
    );
    let action = consent.url().clone();
    let html = consent.text().await.unwrap();
    assert!(html.contains("Allow"), "{html}");
    let token = html
        .split("name=\"oauth_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    let allowed = no_redirects
        .post(action.as_str())
        .form(&[
            ("oauth_token", token),
            ("user", "demo"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let callback = allowed.headers()["location"].to_str().unwrap().to_owned();
    let back = no_redirects
        .get(&callback)
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(back.url().path(), "/fatsecret/callback");
    let html = back.text().await.unwrap();
    assert!(html.contains("FatSecret is connected"), "{html}");
    assert!(
        html.contains("<a href=\"/sandbox\">Back to the sandbox chat</a>"),
        "{html}"
    );
    bot_says(&page, |t| t.starts_with("FatSecret is connected")).await;
}

/// Every metric name /metrics served before the move to the `prometheus` crate is still
/// served once its events happened, with the same types, beside the new latency histograms.
#[tokio::test]
async fn metrics_serve_every_name_they_served_before_and_the_latencies() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    let hello = page
        .post(
            "/sandbox/api/message",
            json!({"text": "/start", "language": "en"}),
        )
        .await;
    assert_eq!(hello.status(), 202);
    bot_says(&page, |_| true).await;
    let text = wellness_e2e::scrape(&server.url).await;
    for (name, kind) in [
        // Served since the first release (counters once their event happened).
        ("wellness_updates_processed_total", "counter"),
        ("wellness_inbox_claims_total", "counter"),
        ("wellness_outbound_calls_total", "counter"),
        ("wellness_update_processing_seconds", "histogram"),
        ("wellness_db_pool_connections", "gauge"),
        ("wellness_inbox_depth", "gauge"),
        ("wellness_database_up", "gauge"),
        // New: latencies per route and per outside service.
        ("wellness_http_request_duration_seconds", "histogram"),
        ("wellness_outbound_call_duration_seconds", "histogram"),
    ] {
        assert!(
            text.contains(&format!("# TYPE {name} {kind}\n")),
            "no {kind} {name} in:\n{text}"
        );
    }
    assert!(
        text.contains("wellness_updates_processed_total{outcome=\"ok\"}"),
        "{text}"
    );
    assert!(
        text.contains(
            "wellness_http_request_duration_seconds_count{method=\"POST\",route=\"/sandbox/api/message\",status=\"202\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "wellness_outbound_call_duration_seconds_count{call=\"send\",provider=\"telegram\"}"
        ),
        "{text}"
    );
    // The other counters have their names registered (a unit test checks each name the code
    // adds to); they show once their event happens, as before.
}

#[tokio::test]
async fn only_this_machine_reaches_the_sandbox_by_its_own_name() {
    let (server, _db) = sandbox().await;
    let client = reqwest::Client::new();
    let get = |host: Option<&'static str>, header: Option<(&'static str, &'static str)>| {
        let mut request = client.get(format!("{}/sandbox", server.url));
        if let Some(host) = host {
            request = request.header("host", host);
        }
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.send()
    };
    assert_eq!(get(None, None).await.unwrap().status(), 200);
    assert_eq!(get(Some("localhost"), None).await.unwrap().status(), 200);
    // A page of another site whose name now resolves to 127.0.0.1 (DNS rebinding).
    let rebound = get(Some("rebind.example:8080"), None).await.unwrap();
    assert_eq!(rebound.status(), 404);
    assert!(rebound.headers().get("set-cookie").is_none());
    // A proxy on this machine passing on a request from elsewhere, with the Host rewritten.
    for header in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let proxied = get(Some("127.0.0.1"), Some(header)).await.unwrap();
        assert_eq!(proxied.status(), 404, "{header:?}");
    }
    // The API and the assets likewise.
    let page = Page::open(&server).await;
    let api = page
        .client
        .get(format!("{}/sandbox/api/chat", server.url))
        .header("host", "rebind.example")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404);
}

#[tokio::test]
async fn the_api_needs_the_page_token_and_a_session_and_the_simulators_need_the_token() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    let html = reqwest::get(format!("{}/sandbox", server.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page_token(&html);
    assert_eq!(token.len(), 22, "128 random bits");
    let chat = format!("{}/sandbox/api/chat", server.url);
    let client = reqwest::Client::new();
    let no_token = client
        .get(&chat)
        .header("cookie", &page.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 403);
    let wrong_token = client
        .get(&chat)
        .header("cookie", &page.cookie)
        .header("x-sandbox-token", "A".repeat(22))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_token.status(), 403);
    let no_session = client
        .get(&chat)
        .header("x-sandbox-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(no_session.status(), 401);
    assert_eq!(page.chat("").await["messages"], json!([]));

    // The simulators listen on loopback; their control endpoints want the same token.
    let logs = server.logs();
    let telegram = logs
        .iter()
        .find_map(|l| l.split("telegram=").nth(1))
        .and_then(|rest| rest.split([' ', '"']).next())
        .unwrap_or_else(|| panic!("the log names the simulators: {logs:#?}"))
        .to_owned();
    let control = format!("{telegram}/__sim/telegram/state");
    assert_eq!(reqwest::get(&control).await.unwrap().status(), 401);
    // Spelled with escapes, the same route: the same answer.
    let escaped = format!("{telegram}/%5F%5Fsim/telegram/state");
    assert_eq!(reqwest::get(&escaped).await.unwrap().status(), 401);
    let wrong = client
        .get(&control)
        .header(wellness_sim::CONTROL_TOKEN_HEADER, "A".repeat(22))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = client
        .get(&control)
        .header(wellness_sim::CONTROL_TOKEN_HEADER, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn each_browser_is_its_own_telegram_user() {
    let (server, _db) = sandbox().await;
    let (ann, bob) = (Page::open(&server).await, Page::open(&server).await);
    assert_ne!(ann.cookie, bob.cookie);
    let sent = ann
        .post(
            "/sandbox/api/message",
            json!({"text": "2 eggs", "language": "en"}),
        )
        .await;
    assert_eq!(sent.status(), 202);
    let reply = bot_says(&ann, |t| t.contains("Today:")).await;
    assert!(reply.contains("Today: 143 of 2000 kcal"), "{reply}");
    let sent = bob
        .post(
            "/sandbox/api/message",
            json!({"text": "1 banana", "language": "en"}),
        )
        .await;
    assert_eq!(sent.status(), 202);
    // Bob's day starts from nothing: Ann's eggs are hers.
    let reply = bot_says(&bob, |t| t.contains("Today:")).await;
    assert!(!reply.contains("143"), "{reply}");
    let texts = |chat: &Value| {
        chat["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let (ann_chat, bob_chat) = (texts(&ann.chat("").await), texts(&bob.chat("").await));
    assert!(
        !ann_chat.iter().any(|t| t.contains("banana")),
        "{ann_chat:#?}"
    );
    assert!(
        !bob_chat.iter().any(|t| t.contains("eggs")),
        "{bob_chat:#?}"
    );
}

#[tokio::test]
async fn the_mini_app_opens_for_the_sessions_user_with_init_data_the_api_takes() {
    let (server, _db) = sandbox().await;
    let page = Page::open(&server).await;
    let opened = page
        .post("/sandbox/api/mini-app", json!({"language": "uk"}))
        .await;
    assert_eq!(opened.status(), 200);
    let url = opened.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let fragment = url
        .strip_prefix("/app#")
        .expect("the Mini App, with launch data");
    let init_data = form_urlencoded::parse(fragment.as_bytes())
        .find(|(key, _)| key == "tgWebAppData")
        .map(|(_, data)| data.into_owned())
        .expect("tgWebAppData");
    // A newcomer: an empty dashboard in their app's language.
    let settings: Value = reqwest::Client::new()
        .get(format!("{}/api/v1/settings", server.url))
        .header("authorization", format!("tma {init_data}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(settings["registered"], false, "{settings}");
    assert_eq!(settings["language"], "uk");
    // The page's token is needed, as for every sandbox call.
    let without = reqwest::Client::new()
        .post(format!("{}/sandbox/api/mini-app", server.url))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 403);
}
