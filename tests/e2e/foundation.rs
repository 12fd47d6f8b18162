//! `wellness migrate` and `wellness serve`: schema, health, readiness, configuration, shutdown.

use std::time::Duration;

use serde_json::Value;
use wellness_e2e::proxy::Proxy;
use wellness_e2e::{Server, command};
use wellness_postgres::test_support::TestDatabase;

fn db_env(url: &str) -> Vec<(&'static str, String)> {
    vec![("DATABASE_URL", url.to_owned())]
}

#[tokio::test]
async fn migrate_creates_the_schema_on_an_empty_database_and_is_idempotent() {
    let db = TestDatabase::empty().await.unwrap();
    let first = command(&["migrate"], &db_env(db.url())).output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let applied = format!(
        "applied {} migration(s)",
        wellness_postgres::test_support::migrations_in_repo()
    );
    assert!(
        String::from_utf8_lossy(&first.stdout).contains(&applied),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let second = command(&["migrate"], &db_env(db.url())).output().unwrap();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("up to date"));
    let pool = db.pool().unwrap();
    assert_eq!(pool.readiness().await, wellness_postgres::Readiness::Ready);
}

#[tokio::test]
async fn serve_answers_healthz_within_a_second_and_becomes_ready() {
    let db = TestDatabase::empty().await.unwrap();
    let server = Server::start(&db_env(db.url()));
    server
        .wait_for("/healthz", 200, Duration::from_secs(1))
        .await;
    let alive_after = server.started().elapsed();
    assert!(
        alive_after < Duration::from_secs(1),
        "healthz after {alive_after:?}"
    );
    let ready: Value = server
        .wait_for("/readyz", 200, Duration::from_secs(5))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    // serve migrated the empty database at start.
    assert_eq!(
        db.pool().unwrap().readiness().await,
        wellness_postgres::Readiness::Ready
    );
}

#[tokio::test]
async fn readyz_follows_the_database_down_and_back_without_a_restart() {
    let db = TestDatabase::empty().await.unwrap();
    let proxy = Proxy::to_test_server().await;
    proxy.take_down();
    let via_proxy = proxy.database_url(db.name());
    let server = Server::start(&db_env(&via_proxy));

    // Starts while PostgreSQL is unreachable: alive, not ready, and it says why.
    server
        .wait_for("/healthz", 200, Duration::from_secs(2))
        .await;
    let body: Value = server
        .wait_for("/readyz", 503, Duration::from_secs(3))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["database"], "unreachable", "{body}");
    // Why, without the error's text (hosts, ports, users): that goes to the log.
    assert_eq!(body["reason"], "the database cannot be reached", "{body}");
    assert!(
        server
            .wait_for_log(
                "not ready: the database is unreachable",
                Duration::from_secs(5)
            )
            .await,
        "the cause is logged: {:#?}",
        server.logs()
    );

    // The database comes back: migrated in the background, then ready.
    proxy.bring_back();
    server
        .wait_for("/readyz", 200, Duration::from_secs(20))
        .await;

    // It goes away again: readiness drops, and answers fast.
    proxy.take_down();
    let started = std::time::Instant::now();
    server
        .wait_for("/readyz", 503, Duration::from_secs(5))
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "readyz answered slowly: {:?}",
        started.elapsed()
    );

    // And back once more, with no restart.
    proxy.bring_back();
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
}

#[tokio::test]
async fn a_bad_setting_fails_at_start_with_one_line_naming_the_key() {
    for (key, value) in [
        ("PORT", "eighty"),
        ("DATABASE_URL", "sqlite://x"),
        ("WELLNESS_ENCRYPTION_KEY", "short"),
    ] {
        let out = command(&["serve"], &[(key, value.to_owned())])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(key), "{stderr}");
    }
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let db = TestDatabase::migrated().await.unwrap();
    let server = Server::start(&db_env(db.url()));
    server
        .wait_for("/readyz", 200, Duration::from_secs(5))
        .await;
    let status = server.terminate(Duration::from_secs(12)).expect("exited");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_hold_no_secrets() {
    let db = TestDatabase::migrated().await.unwrap();
    let mut env = db_env(db.url());
    env.push(("WELLNESS_LOG_FORMAT", "json".into()));
    env.push(("TELEGRAM_BOT_TOKEN", "123456:TOKEN-SHOULD-NOT-LEAK".into()));
    env.push((
        "TELEGRAM_WEBHOOK_SECRET",
        "WEBHOOK-SECRET-SHOULD-NOT-LEAK".into(),
    ));
    env.push(("PUBLIC_BASE_URL", "https://bot.example.org".into()));
    // Nothing listens there: the bot's calls fail and are logged, without the token in the URL.
    env.push(("TELEGRAM_API_URL", "http://127.0.0.1:9".into()));
    env.push(("OPENAI_API_KEY", "sk-SHOULD-NOT-LEAK".into()));
    env.push(("WHOOP_CLIENT_SECRET", "WHOOP-SECRET-SHOULD-NOT-LEAK".into()));
    let server = Server::start(&env);
    server
        .wait_for("/readyz", 200, Duration::from_secs(5))
        .await;
    reqwest::get(format!("{}/ip", server.url)).await.unwrap();
    assert!(
        server
            .wait_for_log("cannot set the webhook yet", Duration::from_secs(5))
            .await,
        "{:?}",
        server.logs()
    );
    let logs = server.logs();
    assert!(logs.len() >= 3, "{logs:?}");
    for line in &logs {
        let parsed: Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(parsed.get("level").is_some(), "{line}");
        assert!(!line.contains("SHOULD-NOT-LEAK"), "a secret leaked: {line}");
    }
}

#[tokio::test]
async fn ip_reports_the_outside_address_or_says_why_not() {
    let db = TestDatabase::migrated().await.unwrap();
    // A stand-in for the public echo service.
    let echo = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let echo_port = echo.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut socket, _)) = echo.accept().await else {
                return;
            };
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let body = r#"{"ip":"203.0.113.9"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    let mut env = db_env(db.url());
    env.push(("IP_ECHO_URL", format!("http://127.0.0.1:{echo_port}/")));
    let server = Server::start(&env);
    let known: Value = server
        .wait_for("/ip", 200, Duration::from_secs(3))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(known["ip"], "203.0.113.9", "{known}");

    let unreachable = Server::start(&db_env(db.url()));
    let unknown: Value = unreachable
        .wait_for("/ip", 200, Duration::from_secs(5))
        .await
        .json()
        .await
        .unwrap();
    assert!(unknown["ip"].is_null(), "{unknown}");
    assert!(
        unknown["reason"]
            .as_str()
            .unwrap()
            .contains("could not be learned"),
        "{unknown}"
    );
}

#[tokio::test]
async fn the_briefing_command_prints_a_users_summary_for_operators() {
    use wellness_domain::ports::Users;
    let db = TestDatabase::migrated().await.unwrap();
    wellness_postgres::PgUsers::new(db.pool().unwrap())
        .register(&wellness_domain::NewUser {
            telegram_id: wellness_domain::TelegramUserId::new(4242).unwrap(),
            first_name: "Op".into(),
            locale: wellness_domain::Locale::En,
        })
        .await
        .unwrap();
    let out = command(
        &["briefing", "--telegram-id", "4242", "--kind", "evening"],
        &db_env(db.url()),
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Your day, "), "{text}");
    assert!(
        text.contains("nothing logged today (goal 2000 kcal)"),
        "{text}"
    );
    let missing = command(
        &["briefing", "--telegram-id", "1", "--kind", "morning"],
        &db_env(db.url()),
    )
    .output()
    .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no user with Telegram id 1"));
}

#[tokio::test]
async fn rotate_key_cli_re_encrypts_and_exits_non_zero_when_a_row_does_not_decrypt() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use wellness_domain::ports::{CredentialStore, Users};
    use wellness_domain::*;
    use wellness_postgres::{PgCredentialStore, PgUsers, TokenCipher};

    let (a, b, c) = ([0xa1u8; 32], [0xb2u8; 32], [0xc3u8; 32]);
    let db = TestDatabase::migrated().await.unwrap();
    let pool = db.pool().unwrap();
    let store = |key: &[u8; 32]| {
        PgCredentialStore::new(pool.clone(), TokenCipher::from_bytes(key).unwrap())
    };
    let mut users = Vec::new();
    for id in [11, 12] {
        let user = PgUsers::new(pool.clone())
            .register(&NewUser {
                telegram_id: TelegramUserId::new(id).unwrap(),
                first_name: "Op".into(),
                locale: Locale::En,
            })
            .await
            .unwrap()
            .user
            .id;
        users.push(user);
    }
    let creds = |user| Credentials {
        user_id: user,
        provider: Provider::Fatsecret,
        tokens: Tokens::OAuth1 {
            token: Secret::new("CLI-TOKEN"),
            token_secret: Secret::new("CLI-SECRET"),
        },
        external_user_id: None,
        status: ConnectionStatus::Active,
        updated_at: chrono::Utc::now(),
    };
    store(&a).save(&creds(users[0])).await.unwrap();
    // A row under a key the command is not given.
    store(&c).save(&creds(users[1])).await.unwrap();

    let mut env = db_env(db.url());
    env.push(("WELLNESS_ENCRYPTION_KEY", STANDARD.encode(b)));
    env.push(("WELLNESS_ENCRYPTION_KEY_PREVIOUS", STANDARD.encode(a)));
    let run = || {
        command(&["rotate-key", "--batch-size", "1"], &env)
            .output()
            .unwrap()
    };
    let first = run();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&first.stdout).into_owned(),
        String::from_utf8_lossy(&first.stderr).into_owned(),
    );
    assert_eq!(first.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("credentials: 1 re-encrypted, 0 already current, 1 failed to decrypt"),
        "{stdout}"
    );
    assert!(stdout.contains(&TokenCipher::from_bytes(&b).unwrap().key_id().to_string()));
    assert!(stderr.contains("1 row(s) did not decrypt"), "{stderr}");
    for key in [a, b, c] {
        let shown = STANDARD.encode(key);
        assert!(
            !stdout.contains(&shown) && !stderr.contains(&shown),
            "a key was printed"
        );
    }
    let b_alone = store(&b);
    assert_eq!(
        b_alone
            .get(users[0], Provider::Fatsecret)
            .await
            .unwrap()
            .unwrap()
            .tokens,
        creds(users[0]).tokens
    );
    // The undecryptable row is still readable with its own key.
    assert!(
        store(&c)
            .get(users[1], Provider::Fatsecret)
            .await
            .unwrap()
            .is_some()
    );

    b_alone.delete(users[1], Provider::Fatsecret).await.unwrap();
    let second = run();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{stdout}");
    assert!(
        stdout.contains("credentials: 0 re-encrypted, 1 already current, 0 failed to decrypt"),
        "{stdout}"
    );

    let keyless = command(&["rotate-key"], &db_env(db.url()))
        .output()
        .unwrap();
    assert!(!keyless.status.success());
    assert!(
        String::from_utf8_lossy(&keyless.stderr).contains("WELLNESS_ENCRYPTION_KEY is not set")
    );
}
