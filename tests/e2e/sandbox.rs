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

async fn post(server: &Server, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", server.url))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Waits for a bot message in the sandbox chat that satisfies `wanted`.
async fn bot_says(server: &Server, wanted: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut version = None;
    loop {
        let since = version
            .map(|v: u64| format!("since={v}&"))
            .unwrap_or_default();
        let chat: Value = reqwest::get(format!(
            "{}/sandbox/api/chat?{since}wait_ms=2000",
            server.url
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let note = wellness_sim::telegram::silent_voice_note(3);
    let sent = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/api/voice?transcript=200%20g%20buckwheat%20for%20lunch&duration=3&language=en",
            server.url
        ))
        .header("content-type", "audio/ogg")
        .body(note)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let reply = bot_says(&server, |t| t.contains("I heard")).await;
    assert!(reply.contains("200 g buckwheat for lunch"), "{reply}");
    assert!(reply.contains("buckwheat — 200 g"), "{reply}");
}

#[tokio::test]
async fn briefing_now_brings_the_morning_briefing_into_the_chat() {
    let (server, _db) = sandbox().await;
    // Nobody has written yet: there is no user to brief.
    let early = post(&server, "/sandbox/api/briefing", json!({"kind": "morning"})).await;
    assert_eq!(early.status(), 409);
    assert!(
        early
            .text()
            .await
            .unwrap()
            .contains("Send the bot a message first"),
        "it says what to do"
    );

    let hello = post(
        &server,
        "/sandbox/api/message",
        json!({"text": "/start", "language": "en"}),
    )
    .await;
    assert_eq!(hello.status(), 202);
    bot_says(&server, |_| true).await;
    let sent = post(&server, "/sandbox/api/briefing", json!({"kind": "morning"})).await;
    assert_eq!(sent.status(), 202);
    let briefing = bot_says(&server, |t| t.starts_with("Good morning")).await;
    assert!(
        briefing.contains("Sleep: no sleep data from WHOOP yet"),
        "{briefing}"
    );
    let wrong = post(&server, "/sandbox/api/briefing", json!({"kind": "noon"})).await;
    assert_eq!(wrong.status(), 400);
}

#[tokio::test]
async fn another_site_cannot_post_to_the_sandbox() {
    let (server, _db) = sandbox().await;
    // What a cross-site form can send without a CORS preflight: refused.
    let client = reqwest::Client::new();
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
    let chat: Value = reqwest::get(format!("{}/sandbox/api/chat", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
            .logs()
            .iter()
            .any(|l| l.contains("the sandbox runs only on a loopback HOST")),
        "{:#?}",
        public.logs()
    );
}

#[tokio::test]
async fn a_second_run_on_the_same_database_hears_the_person_again() {
    // `make run`, stop, `make run`: the simulator starts afresh, the database remembers.
    let db = TestDatabase::migrated().await.unwrap();
    let env = [("DATABASE_URL", db.url().to_owned())];
    for (run, total) in [
        (1, "Today: 143 of 2000 kcal"),
        (2, "Today: 286 of 2000 kcal"),
    ] {
        let server = Server::start(&env);
        server
            .wait_for("/readyz", 200, Duration::from_secs(10))
            .await;
        let sent = post(
            &server,
            "/sandbox/api/message",
            json!({"text": "2 eggs", "language": "en"}),
        )
        .await;
        assert_eq!(sent.status(), 202);
        let reply = bot_says(&server, |t| t.contains("Today:")).await;
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
    let asked = post(
        &server,
        "/sandbox/api/message",
        json!({"text": "/connect_fatsecret", "language": "en"}),
    )
    .await;
    assert_eq!(asked.status(), 202);
    let offer = bot_says(&server, |t| t.contains("/fatsecret/connect?state=")).await;
    let link = offer
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap();
    // The browser: our page -> the simulator's consent page (a form) -> Allow -> our callback.
    let consent = reqwest::get(link).await.unwrap();
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
    let back = reqwest::Client::new()
        .post(action.as_str())
        .form(&[
            ("oauth_token", token),
            ("user", "demo"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(back.url().path(), "/fatsecret/callback");
    let page = back.text().await.unwrap();
    assert!(page.contains("FatSecret is connected"), "{page}");
    assert!(
        page.contains("<a href=\"/sandbox\">Back to the sandbox chat</a>"),
        "{page}"
    );
    bot_says(&server, |t| t.starts_with("FatSecret is connected")).await;
}

/// Every metric name /metrics served before the move to the `prometheus` crate is still
/// served once its events happened, with the same types, beside the new latency histograms.
#[tokio::test]
async fn metrics_serve_every_name_they_served_before_and_the_latencies() {
    let (server, _db) = sandbox().await;
    let hello = post(
        &server,
        "/sandbox/api/message",
        json!({"text": "/start", "language": "en"}),
    )
    .await;
    assert_eq!(hello.status(), 202);
    bot_says(&server, |_| true).await;
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
