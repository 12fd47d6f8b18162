//! Security checks end to end (docs/security.md): with every secret configured to a
//! distinctive value, none of them, nor the OAuth tokens the server obtains, ever shows in its
//! output, even while things fail; tokens are stored only encrypted; and fuzzed OAuth
//! callbacks and webhooks are refused without ever failing the server.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use wellness_domain::ports::{CredentialStore, Users as _};
use wellness_domain::{Provider, TelegramUserId, Tokens};
use wellness_e2e::{Server, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{Database, PgCredentialStore, PgUsers, PoolSettings, TokenCipher};
use wellness_sim::fatsecret::{FatSecretSim, FatSecretSimConfig};
use wellness_sim::openai::{Endpoint, OpenAiSim, OpenAiSimConfig, Scripted};
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};
use wellness_sim::whoop::{WhoopSim, WhoopSimConfig};

use crate::chat::{link_in, say};

// Distinctive values, with characters that change under URL and form encoding.
pub(crate) const BOT_TOKEN: &str = "7000000042:AAleakBotToken_9f2c7e1d5b3a0864";
const WEBHOOK_SECRET: &str = "leakWebhookSecret_4e8a1c9f";
const OPENAI_KEY: &str = "sk-leakOpenAiKey-7c3e9a1f5b2d/x+y";
const WHOOP_CLIENT_SECRET: &str = "leakWhoopClientSecret+7a9e/2c4=";
const FATSECRET_CONSUMER_SECRET: &str = "leakFatSecretConsumer&Secret+3b8d";
const ENCRYPTION_KEY: &[u8; 32] = b"leak-encryption-key-32-bytes-9f2";
const DATABASE_PASSWORD: &str = "leakDbPassword/9f+2";
const FS_USER: &str = "ann-fs";

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The forms a secret could take in output: as is, URL- or form-encoded (either case of hex),
/// base64 in any alphabet at any of the three alignments inside a longer encoded text, and as
/// the decimal byte list a debug log of a query parameter shows (`[115, 107, 45, ..]`).
fn forms(secret: &[u8]) -> Vec<String> {
    let mut forms = vec![
        secret
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    ];
    if let Ok(text) = std::str::from_utf8(secret) {
        forms.push(text.to_owned());
        let encoded = percent_encode(text);
        forms.push(encoded.to_ascii_lowercase());
        forms.push(encoded.clone());
        forms.push(encoded.replace("%20", "+"));
    }
    for shift in 0..3 {
        let rest = &secret[shift.min(secret.len())..];
        let whole = &rest[..rest.len() / 3 * 3];
        if whole.len() >= 12 {
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                forms.push(engine.encode(whole));
            }
        }
    }
    for engine in [&STANDARD, &URL_SAFE] {
        forms.push(engine.encode(secret));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Fails naming every secret (and form) that appears in `output`.
fn assert_nothing_leaked(output: &[String], secrets: &[(String, Vec<u8>)]) {
    let mut leaks = Vec::new();
    for (name, secret) in secrets {
        for form in forms(secret) {
            for (n, line) in output.iter().enumerate() {
                if line.contains(&form) {
                    leaks.push(format!("{name} as {form:?} on line {}: {line}", n + 1));
                }
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "secrets in the output:\n{}",
        leaks.join("\n")
    );
}

/// The test database's URL with a password (trust authentication ignores it).
fn with_password(url: &str) -> String {
    let Some(rest) = url.strip_prefix("postgres://") else {
        return url.to_owned();
    };
    let (userinfo, host) = rest.split_once('@').unwrap_or(("postgres", rest));
    let user = userinfo.split(':').next().unwrap_or("postgres");
    format!(
        "postgres://{user}:{}@{host}",
        percent_encode(DATABASE_PASSWORD)
    )
}

/// The bot with every provider configured, each behind its simulator.
pub(crate) struct World {
    pub(crate) tg: TelegramSim,
    whoop: WhoopSim,
    fs: FatSecretSim,
    ai: OpenAiSim,
    pub(crate) server: Server,
    db: TestDatabase,
}

pub(crate) async fn world() -> World {
    let tg = TelegramSim::start(SimConfig {
        token: BOT_TOKEN.to_owned(),
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut whoop_config = WhoopSimConfig::default()
        .with_redirect_uri(format!("{base}/whoop/callback"))
        .with_auto_approve(true);
    whoop_config.allow_http_redirect_uris = true;
    whoop_config.client_secret = WHOOP_CLIENT_SECRET.to_owned();
    let whoop = WhoopSim::start(whoop_config).await.unwrap();
    let mut fs_config = FatSecretSimConfig::default().with_auto_approve(FS_USER);
    fs_config.consumer_secret = FATSECRET_CONSUMER_SECRET.to_owned();
    let fs = FatSecretSim::start(fs_config).await.unwrap();
    let ai = OpenAiSim::start(OpenAiSimConfig::default().with_api_key(OPENAI_KEY))
        .await
        .unwrap();
    let db = TestDatabase::migrated().await.unwrap();
    let server = Server::start_on(
        port,
        &[
            ("DATABASE_URL", with_password(db.url())),
            ("RUST_LOG", "debug".to_owned()),
            ("TELEGRAM_BOT_TOKEN", BOT_TOKEN.to_owned()),
            ("TELEGRAM_API_URL", tg.base_url()),
            ("TELEGRAM_MODE", "webhook".to_owned()),
            ("TELEGRAM_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
            ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()),
            ("WELLNESS__TELEGRAM__GLOBAL_PER_SECOND", "1000".to_owned()),
            ("PUBLIC_BASE_URL", base.clone()),
            ("WELLNESS_ENCRYPTION_KEY", STANDARD.encode(ENCRYPTION_KEY)),
            ("OPENAI_API_KEY", OPENAI_KEY.to_owned()),
            ("OPENAI_BASE_URL", ai.base_url()),
            ("WHOOP_CLIENT_ID", whoop.client_id().to_owned()),
            ("WHOOP_CLIENT_SECRET", WHOOP_CLIENT_SECRET.to_owned()),
            ("WHOOP_API_URL", whoop.base_url()),
            ("FATSECRET_CONSUMER_KEY", fs.consumer_key().to_owned()),
            (
                "FATSECRET_CONSUMER_SECRET",
                FATSECRET_CONSUMER_SECRET.to_owned(),
            ),
            ("FATSECRET_API_URL", fs.base_url()),
            ("FATSECRET_AUTH_URL", fs.base_url()),
        ],
    );
    server
        .wait_for("/readyz", 200, Duration::from_secs(15))
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while tg.webhook().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no webhook set; logs:\n{}",
            server.logs().join("\n")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    World {
        tg,
        whoop,
        fs,
        ai,
        server,
        db,
    }
}

/// Waits until some message to `user` starts with `prefix`.
pub(crate) async fn heard(tg: &TelegramSim, user: &SimUser, prefix: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !tg
        .sent_to(user.id)
        .iter()
        .any(|m| m.visible_text().starts_with(prefix))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "never heard {prefix:?}: {:?}",
            tg.sent_to(user.id)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Connects WHOOP and FatSecret for `user` through the chat and the pages; returns the two
/// links' OAuth states.
async fn connect_both(w: &World, user: &SimUser) -> Vec<String> {
    say(&w.tg, user, "/start").await;
    let mut states = Vec::new();
    for (command, connected) in [
        ("/connect_whoop", "WHOOP is connected"),
        ("/connect_fatsecret", "FatSecret is connected"),
    ] {
        let link = link_in(&say(&w.tg, user, command).await);
        states.extend(link.split_once("state=").map(|(_, s)| s.to_owned()));
        let page = wellness_e2e::connect_through(&link, &user.first_name).await;
        assert_eq!(page.status(), 200, "{}", page.text().await.unwrap());
        heard(&w.tg, user, connected).await;
    }
    states
}

/// The tokens the server stored for `user`, decrypted with the configured key.
async fn stored_tokens(db: &Database, user: &SimUser) -> Vec<(String, String)> {
    let users = PgUsers::new(db.clone());
    let found = users
        .find_by_telegram_id(TelegramUserId::new(user.id).unwrap())
        .await
        .unwrap()
        .unwrap();
    let store =
        PgCredentialStore::new(db.clone(), TokenCipher::from_bytes(ENCRYPTION_KEY).unwrap());
    let mut tokens = Vec::new();
    for provider in [Provider::Whoop, Provider::Fatsecret] {
        let credentials = store.get(found.id, provider).await.unwrap().unwrap();
        match credentials.tokens {
            Tokens::OAuth2 {
                access_token,
                refresh_token,
                ..
            } => {
                tokens.push((
                    "WHOOP access token".into(),
                    access_token.expose().to_owned(),
                ));
                if let Some(refresh) = refresh_token {
                    tokens.push(("WHOOP refresh token".into(), refresh.expose().to_owned()));
                }
            }
            Tokens::OAuth1 {
                token,
                token_secret,
            } => {
                tokens.push(("FatSecret token".into(), token.expose().to_owned()));
                tokens.push((
                    "FatSecret token secret".into(),
                    token_secret.expose().to_owned(),
                ));
            }
        }
    }
    tokens
}

fn configured_secrets() -> Vec<(String, Vec<u8>)> {
    let bot_secret_half = BOT_TOKEN.split_once(':').map_or(BOT_TOKEN, |(_, s)| s);
    [
        ("the bot token", BOT_TOKEN.as_bytes().to_vec()),
        (
            "the bot token's secret half",
            bot_secret_half.as_bytes().to_vec(),
        ),
        ("the webhook secret", WEBHOOK_SECRET.as_bytes().to_vec()),
        ("the OpenAI key", OPENAI_KEY.as_bytes().to_vec()),
        (
            "the WHOOP client secret",
            WHOOP_CLIENT_SECRET.as_bytes().to_vec(),
        ),
        (
            "the FatSecret consumer secret",
            FATSECRET_CONSUMER_SECRET.as_bytes().to_vec(),
        ),
        ("the encryption key", ENCRYPTION_KEY.to_vec()),
        (
            "the encryption key as configured",
            STANDARD.encode(ENCRYPTION_KEY).into_bytes(),
        ),
        (
            "the database password",
            DATABASE_PASSWORD.as_bytes().to_vec(),
        ),
    ]
    .into_iter()
    .map(|(name, secret)| (name.to_owned(), secret))
    .collect()
}

#[tokio::test]
async fn no_secret_or_token_ever_appears_in_the_output_even_when_things_fail() {
    let w = world().await;
    let db = Database::connect(w.db.url(), PoolSettings::default()).unwrap();
    let ann = SimUser::new(9101, "Ann").with_language("en");
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", w.server.url);

    // Food through OpenAI, then OpenAI refusing the key and quoting it back.
    say(&w.tg, &ann, "/start").await;
    assert!(
        say(&w.tg, &ann, "2 eggs for breakfast")
            .await
            .contains("Logged")
    );
    w.ai.queue(
        Endpoint::ChatCompletions,
        [Scripted::error(
            401,
            "invalid_request_error",
            Some("invalid_api_key"),
            &format!("Incorrect API key provided: {OPENAI_KEY}."),
        )],
    );
    say(&w.tg, &ann, "a banana").await;

    // Connect both services; keep the first tokens, then make WHOOP refuse them (401), so the
    // server refreshes, and rotate again with WHOOP failing.
    let states = connect_both(&w, &ann).await;
    let mut tokens = stored_tokens(&db, &ann).await;
    let whoop_user = w.whoop.users()[0].user_id;
    let refused_before = w.whoop.stats().unauthorized;
    w.whoop.expire_access_tokens(whoop_user);
    assert!(say(&w.tg, &ann, "/sync").await.contains("WHOOP"));
    assert!(
        w.whoop.stats().unauthorized > refused_before,
        "WHOOP refused the old token"
    );
    tokens.extend(stored_tokens(&db, &ann).await);
    w.whoop.force_server_errors(10, 500);
    say(&w.tg, &ann, "/sync").await;

    // FatSecret revokes the user: diary writes and reads fail with error 9.
    w.fs.revoke_user(FS_USER);
    say(&w.tg, &ann, "200 g cooked rice").await;
    say(&w.tg, &ann, "/sync").await;

    // Forged and broken requests at every door.
    let forged = client
        .post(url("/telegram/webhook"))
        .header("X-Telegram-Bot-Api-Secret-Token", &WEBHOOK_SECRET[..10])
        .body(r#"{"update_id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let garbage = client
        .post(url("/telegram/webhook"))
        .header("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET)
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let ts = chrono::Utc::now().timestamp_millis().to_string();
    let forged = client
        .post(url("/whoop/webhook"))
        .header("X-WHOOP-Signature", STANDARD.encode(WHOOP_CLIENT_SECRET))
        .header("X-WHOOP-Signature-Timestamp", &ts)
        .body(r#"{"user_id":1,"id":"x","type":"sleep.updated"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    for path in [
        "/whoop/callback?code=x&state=forged12",
        "/whoop/callback?error=access_denied&state=forged12",
        "/fatsecret/callback?oauth_token=forged&oauth_verifier=x",
    ] {
        assert_eq!(client.get(url(path)).send().await.unwrap().status(), 400);
    }
    // Let background work (first syncs, the outbox) finish.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let output = w.server.logs();

    // The run went where secrets could leak.
    let said = |what: &str| output.iter().any(|line| line.contains(what));
    for expected in [
        "WHOOP connected",
        "FatSecret connected",
        "WHOOP webhook refused",
    ] {
        assert!(
            said(expected),
            "no {expected:?} in the output:\n{}",
            output.join("\n")
        );
    }
    // Spans: each request by its route (never its query), each update by its id, each
    // outside call by service and call; a line logged inside carries them.
    let said_all = |parts: &[&str]| {
        output.iter().any(|line| {
            let line = without_colours(line);
            parts.iter().all(|part| line.contains(part))
        })
    };
    for span in [
        &[" http: ", "method=GET", "route=\"/whoop/callback\""][..],
        &[" update", "update_id="],
        &["outbound", "provider=\"telegram\"", "call=\"send\""],
    ] {
        assert!(
            said_all(span),
            "no line inside the span {span:?}:\n{}",
            output.join("\n")
        );
    }
    assert!(output.len() > 50, "only {} lines of output", output.len());

    let mut secrets = configured_secrets();
    secrets.extend(
        tokens
            .into_iter()
            .map(|(name, token)| (name, token.into_bytes())),
    );
    assert_nothing_leaked(&output, &secrets);
    // OAuth states, codes and verifiers travel in the callbacks' query strings: none is logged
    // (the states as text: the database's debug log shows them as the parameters they are).
    for line in &output {
        for query in ["/callback?", "/connect?"] {
            assert!(
                !line.contains(query),
                "a callback's query in the output: {line}"
            );
        }
        for state in &states {
            assert!(
                !line.contains(state.as_str()),
                "an OAuth state in the output: {line}"
            );
        }
    }
}

/// A log line without its terminal colours (`ESC [ … m`), which set span fields apart.
fn without_colours(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(|c| *c == 'm');
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
fn the_leak_check_finds_a_secret_in_any_of_its_forms() {
    let secret = b"s3cret+value/with=odd:chars".to_vec();
    let shown = |line: String| {
        std::panic::catch_unwind(|| {
            assert_nothing_leaked(&[line], &[("it".to_owned(), secret.clone())]);
        })
        .is_err()
    };
    assert!(shown("token=s3cret+value/with=odd:chars".into()));
    assert!(shown(format!(
        "q={}",
        percent_encode("s3cret+value/with=odd:chars")
    )));
    for prefix in ["", "x", "xy"] {
        let text = [prefix.as_bytes(), &secret, b" and more"].concat();
        assert!(
            shown(format!("Basic {}", STANDARD.encode(&text))),
            "{prefix:?}"
        );
        assert!(shown(URL_SAFE_NO_PAD.encode(&text)), "{prefix:?}");
    }
    assert!(shown(
        format!("parameters: [1, 2, {:?}]", secret).replace(['[', ']'], "")
    ));
    assert!(!shown("nothing to see: s3cret+valu".into()));
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[tokio::test]
async fn connected_tokens_are_stored_only_encrypted() {
    let w = world().await;
    let ann = SimUser::new(9201, "Ann").with_language("en");
    let _states = connect_both(&w, &ann).await;
    let db = Database::connect(w.db.url(), PoolSettings::default()).unwrap();
    let tokens = stored_tokens(&db, &ann).await;
    assert_eq!(tokens.len(), 4, "{tokens:?}");

    // Every row of every table as text; bytea columns show as hex.
    let mut conn = db.conn().await.unwrap();
    let tables: Vec<Line> = diesel::sql_query(
        "SELECT quote_ident(tablename) AS line FROM pg_tables WHERE schemaname = 'public'",
    )
    .load(&mut *conn)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t.line == "credentials"));
    let mut dump = Vec::new();
    for table in &tables {
        // quote_ident made the name safe; identifiers cannot be bound.
        let rows: Vec<Line> =
            diesel::sql_query(format!("SELECT t::text AS line FROM {} t", table.line))
                .load(&mut *conn)
                .await
                .unwrap();
        dump.extend(
            rows.into_iter()
                .map(|r| format!("{}: {}", table.line, r.line)),
        );
    }
    assert!(
        dump.iter().any(|row| row.starts_with("credentials: ")),
        "the credentials rows are in the dump"
    );
    let hex = |text: &str| -> String { text.bytes().map(|b| format!("{b:02x}")).collect() };
    for (name, token) in &tokens {
        for form in [token.clone(), hex(token)] {
            assert!(
                !dump.iter().any(|row| row.contains(&form)),
                "{name} is stored in clear"
            );
        }
    }
}

/// A query string: arbitrary text, or the callbacks' own parameters with arbitrary values,
/// percent-encoded, sometimes with a broken escape.
fn query() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        any::<String>().prop_map(|v| percent_encode(&v)),
        "[A-Za-z0-9_-]{8}",
        Just("%FF%FE".to_owned()),
        Just("%".to_owned()),
        Just("%zz".to_owned()),
    ];
    let name = prop_oneof![
        Just("state"),
        Just("code"),
        Just("error"),
        Just("oauth_token"),
        Just("oauth_verifier"),
        Just("denied"),
        Just("scope"),
    ];
    prop_oneof![
        any::<String>().prop_map(|q| percent_encode(&q)),
        prop::collection::vec((name, value), 0..5).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        }),
    ]
}

/// One fuzz case: what is sent to each door.
#[derive(Debug, Clone)]
struct Case {
    query: String,
    header: String,
    body: Vec<u8>,
    signed: bool,
}

fn case() -> impl Strategy<Value = Case> {
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        wellness_fuzz::mutated(Just(serde_json::json!({
            "update_id": 5, "message": {"message_id": 1, "date": 1,
                "chat": {"id": 9301, "type": "private"},
                "from": {"id": 9301, "first_name": "F"}, "text": "hi"}
        })))
        .prop_map(|v| v.to_string().into_bytes()),
        wellness_fuzz::mutated(Just(serde_json::json!({
            "user_id": 10129, "id": "ecfc6a15", "type": "sleep.updated", "trace_id": "t"
        })))
        .prop_map(|v| v.to_string().into_bytes()),
    ];
    (
        query(),
        "[ -~]{0,40}".prop_filter("not the secret", |h| h != WEBHOOK_SECRET),
        body,
        any::<bool>(),
    )
        .prop_map(|(query, header, body, signed)| Case {
            query,
            header,
            body,
            signed,
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzzed_callbacks_and_webhooks_are_refused_and_never_fail_the_server() {
    let w = world().await;
    let client = reqwest::Client::new();
    let base = w.server.url.clone();
    let handle = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(wellness_fuzz::fewer_cases(8));
    let result = tokio::task::block_in_place(|| {
        runner.run(&case(), |case| {
            handle.block_on(async {
                let status = |r: reqwest::Result<reqwest::Response>| {
                    r.map(|r| r.status().as_u16()).unwrap_or(0)
                };
                for path in [
                    "/whoop/callback",
                    "/whoop/connect",
                    "/fatsecret/callback",
                    "/fatsecret/connect",
                ] {
                    let got = status(
                        client
                            .get(format!("{base}{path}?{}", case.query))
                            .send()
                            .await,
                    );
                    prop_assert_eq!(got, 400, "{} with {:?}", path, case.query);
                }
                let got = status(
                    client
                        .post(format!("{base}/telegram/webhook"))
                        .header("X-Telegram-Bot-Api-Secret-Token", case.header.as_str())
                        .body(case.body.clone())
                        .send()
                        .await,
                );
                prop_assert_eq!(got, 401, "a wrong secret {:?}", case.header);
                let got = status(
                    client
                        .post(format!("{base}/telegram/webhook"))
                        .header("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET)
                        .body(case.body.clone())
                        .send()
                        .await,
                );
                prop_assert!(
                    got == 200 || got == 400,
                    "{} for {:?}",
                    got,
                    String::from_utf8_lossy(&case.body)
                );
                let ts = chrono::Utc::now().timestamp_millis().to_string();
                let signature = if case.signed {
                    wellness_sim::whoop::sign_webhook(WHOOP_CLIENT_SECRET, &ts, &case.body)
                } else {
                    case.header.clone()
                };
                let got = status(
                    client
                        .post(format!("{base}/whoop/webhook"))
                        .header("X-WHOOP-Signature", signature)
                        .header("X-WHOOP-Signature-Timestamp", &ts)
                        .body(case.body.clone())
                        .send()
                        .await,
                );
                if case.signed {
                    prop_assert!(
                        got == 204 || got == 400,
                        "{} for a signed {:?}",
                        got,
                        String::from_utf8_lossy(&case.body)
                    );
                } else {
                    prop_assert_eq!(got, 401);
                }
                Ok(())
            })
        })
    });
    if let Err(failure) = result {
        panic!("{failure}\nlogs:\n{}", w.server.logs().join("\n"));
    }
    w.server
        .wait_for("/healthz", 200, Duration::from_secs(5))
        .await;
    let logs = w.server.logs();
    assert!(
        !logs.iter().any(|l| l.contains("panicked")),
        "{}",
        logs.join("\n")
    );
}
