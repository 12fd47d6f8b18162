//! Drill: Telegram is down long enough for an update to fail every attempt and be parked as an
//! outage. Once Telegram is back, a re-drive (`wellness redrive`, what the `inbox_redrive` job
//! does every 5 minutes) sends it back to pending, and the user gets their reply, once.

use std::time::Duration;

use diesel::QueryableByName;
use diesel::sql_types::{Nullable, Text};
use diesel_async::RunQueryDsl;
use wellness_e2e::sample_sum;
use wellness_sim::telegram::{Fault, FaultRule, SimUser};

use crate::store::pool;
use crate::world::{Options, World};

#[derive(QueryableByName, Debug)]
struct Parked {
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Nullable<Text>)]
    park_cause: Option<String>,
}

#[tokio::test]
async fn a_telegram_outage_that_parks_an_update_ends_in_one_reply_after_a_redrive() {
    let w = World::start(Options {
        webhook: true,
        // Two attempts 2 s apart: parked within seconds instead of the half minute of five.
        env: vec![("WELLNESS__TELEGRAM__MAX_ATTEMPTS", "2".to_owned())],
        ..Options::default()
    })
    .await;
    let user = SimUser::new(9801, "Outage").with_language("en");
    w.say(&user, "/start").await;
    let before = w.replies(&user).len();

    // Telegram's outage: every reply fails, the "set aside" notice too.
    w.tg.inject_fault(
        FaultRule::next(Fault::Status { status: 502 })
            .for_method("sendMessage")
            .times(10_000),
    );
    w.tg.send_text(&user, "a banana");
    let db = pool(&w.db_url);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let newest: Option<Parked> = diesel::sql_query(
            "SELECT state, park_cause FROM inbox_updates \
             WHERE chat_id = $1 ORDER BY update_id DESC LIMIT 1",
        )
        .bind::<diesel::sql_types::BigInt, _>(user.id)
        .get_result(&mut *db.conn().await.unwrap())
        .await
        .ok();
        if newest
            .as_ref()
            .is_some_and(|r| r.state == "parked" && r.park_cause.as_deref() == Some("outage"))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the banana was not parked as an outage: {newest:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The "set aside" notice goes out after the park is stored, its send retried by the
    // client: Telegram comes back only once that has given up, so the notice is not delivered
    // late in front of the reply.
    assert!(
        w.server()
            .wait_for_log(
                "could not tell the sender their message was set aside",
                Duration::from_secs(30)
            )
            .await,
        "the notice was not given up on"
    );
    assert_eq!(w.replies(&user).len(), before, "nothing got through");

    // Telegram is back; the re-drive sends the update round again.
    w.tg.clear_faults();
    let out = wellness_e2e::command(&["redrive"], &[("DATABASE_URL", w.db_url.clone())])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 parked update(s) sent back to pending"),
        "{stdout}"
    );
    let reply = w.reply(&user, before, Duration::from_secs(20)).await;
    assert!(reply.starts_with("Logged:"), "{reply}");

    // Settled: one reply, one entry; a second re-drive finds nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let logged: Vec<String> = w
        .replies(&user)
        .into_iter()
        .filter(|r| r.starts_with("Logged:"))
        .collect();
    assert_eq!(logged.len(), 1, "{:?}", w.replies(&user));
    assert!(w.say(&user, "/today").await.contains("(1 entry)"));
    let again = wellness_e2e::command(&["redrive"], &[("DATABASE_URL", w.db_url.clone())])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 parked update(s)"));
    let m = w.metrics().await;
    assert_eq!(
        sample_sum(
            &m,
            "wellness_updates_processed_total",
            &[("outcome", "parked")]
        ),
        1.0,
        "{m}"
    );
}
