//! What the end-to-end conversations share: a Telegram simulator without flood limits, the bot
//! polling it on a fresh database, and talking to it as a user.

use std::time::Duration;

use base64::Engine as _;
use wellness_e2e::Server;
pub use wellness_e2e::link_in;
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::telegram::{RateLimits, SimConfig, SimUser, TelegramSim};

/// The Telegram simulator with its flood limits off (these tests are not about them).
pub async fn telegram() -> TelegramSim {
    TelegramSim::start(SimConfig {
        rate_limits: RateLimits::disabled(),
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// The settings of a bot polling `tg` and storing in `db`, replying without pauses; the caller
/// adds the integrations it tests.
pub fn polling_env(tg: &TelegramSim, db: &TestDatabase) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", db.url().to_owned()),
        ("TELEGRAM_BOT_TOKEN", tg.token().to_owned()),
        ("TELEGRAM_API_URL", tg.base_url()),
        ("TELEGRAM_MODE", "polling".to_owned()),
        ("WELLNESS__TELEGRAM__POLL_TIMEOUT_SECS", "1".to_owned()),
        ("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5".to_owned()),
    ]
}

/// A token encryption key (base64 of 32 bytes), for the tests that store tokens.
pub fn encryption_key() -> String {
    base64::engine::general_purpose::STANDARD.encode([7u8; 32])
}

/// `wellness serve` on `port` with `env`, once it is ready.
pub async fn serve(port: u16, env: &[(&str, String)]) -> Server {
    let server = Server::start_on(port, env);
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    server
}

/// The bot's reply number `nth` (from 0) to `user`, waiting up to 20 s for it.
pub async fn reply(tg: &TelegramSim, user: &SimUser, nth: usize) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let sent = tg.sent_to(user.id);
        let answer = sent
            .iter()
            .skip(nth)
            .map(|m| m.visible_text())
            .find(|text| !is_briefing(text));
        if let Some(answer) = answer {
            return answer.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no reply #{nth} to {}: {sent:?}",
            user.id
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `user` writes `text`; the bot's next reply.
pub async fn say(tg: &TelegramSim, user: &SimUser, text: &str) -> String {
    let nth = tg.sent_to(user.id).len();
    tg.send_text(user, text);
    reply(tg, user, nth).await
}

/// Whether `text` is a scheduled briefing. The briefings job runs every 5 minutes on the wall
/// clock, and a user registered minutes ago is due one in their morning or evening slot (08:00
/// and 21:00 Kyiv time, up to 3 hours late): a test spanning a 5-minute mark in those hours
/// gets one among the replies it waits for.
pub fn is_briefing(text: &str) -> bool {
    [
        "Good morning",
        "Доброго ранку",
        "Your day, ",
        "Підсумок дня, ",
    ]
    .iter()
    .any(|start| text.starts_with(start))
}
