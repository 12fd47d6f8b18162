//! The Telegram adapter against the Telegram simulator over real HTTP, and against tiny local
//! servers for the failures the simulator does not play (5xx, garbage, silence).

// Test helpers outside #[test] functions: a panic is a test failure, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod limits;
mod polling;
mod sending;
mod setup;
mod updates;

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use wellness_domain::model::{ChatId, Secret};
use wellness_domain::ports::MessengerError;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};
use wellness_telegram::{ClientOptions, OutboundLimiter, RetryPolicy, TelegramClient};

/// The simulator's token, also used with the local fake servers.
pub const TOKEN: &str = "7000000001:AAsim-test-token_0123456789abcdefghij";

/// A simulator without flood limits, for tests that are not about them.
pub async fn start_sim() -> TelegramSim {
    start_with(SimConfig::default().with_rate_limits(RateLimits::disabled())).await
}

pub async fn start_with(config: SimConfig) -> TelegramSim {
    TelegramSim::start(config.with_token(TOKEN))
        .await
        .expect("simulator starts")
}

/// A limiter that never makes a test wait.
pub fn no_limits() -> Arc<OutboundLimiter> {
    Arc::new(OutboundLimiter::new(100_000, Duration::ZERO))
}

/// Short timeouts; 429s retried 3 times, waiting up to 5 s.
pub fn test_options() -> ClientOptions {
    ClientOptions {
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: 3,
            max_wait: Duration::from_secs(5),
        },
        mini_app_url: None,
    }
}

pub fn client_at(
    root: &str,
    limiter: Arc<OutboundLimiter>,
    options: ClientOptions,
) -> TelegramClient {
    TelegramClient::with_options(root, Secret::new(TOKEN), limiter, options).expect("client")
}

/// A client of `sim` that is not rate limited on our side.
pub fn client(sim: &TelegramSim) -> TelegramClient {
    client_at(&sim.base_url(), no_limits(), test_options())
}

pub fn ann() -> SimUser {
    SimUser::new(1001, "Ann").with_language("uk")
}

pub fn bob() -> SimUser {
    SimUser::new(1002, "Bob").with_language("en")
}

pub fn chat_of(user: &SimUser) -> ChatId {
    ChatId(user.chat_id())
}

/// A user who has written to the bot, so the bot may write to them.
pub fn greeted(sim: &TelegramSim, user: SimUser) -> SimUser {
    sim.send_text(&user, "hi");
    user
}

/// Fails unless `error` is `Unavailable` and does not show the token.
pub fn assert_unavailable(error: &MessengerError) {
    assert!(
        matches!(error, MessengerError::Unavailable(_)),
        "expected Unavailable, got {error:?}"
    );
    assert_no_token(error);
}

pub fn assert_no_token(error: &MessengerError) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("AAsim-test-token"), "{shown}");
}

/// Reads one HTTP request (head and a content-length body); returns its first line.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    head.lines().next().map(str::to_owned)
}

/// A local HTTP server that answers each request with `respond(request line)` (raw bytes, one
/// request per connection). Returns its base URL.
pub async fn fake_server(respond: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let respond = Arc::new(respond);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let respond = Arc::clone(&respond);
            tokio::spawn(async move {
                if let Some(request_line) = read_request(&mut stream).await {
                    let _ = stream.write_all(&respond(&request_line)).await;
                    let _ = stream.shutdown().await;
                }
            });
        }
    });
    url
}

/// An HTTP response with a body and a content length.
pub fn http_response(status: &str, content_type: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A server that accepts connections and never answers.
pub async fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

/// A URL nobody listens on.
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}
