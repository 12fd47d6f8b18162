//! Drill: `wellness` is SIGKILLed while its inbox workers are logging food. After a restart
//! every acknowledged update is handled, and every food is logged exactly once.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use wellness_sim::telegram::SimUser;

use crate::store::{food_entry_keys, pool, user_id};
use wellness_e2e::text_update_body;

use crate::world::{Options, World, post_update};

const CHATS: i64 = 10;
const UPDATES: i64 = 100;
const WORKERS: usize = 4;

#[tokio::test]
async fn sigkill_while_logging_food_then_restart_logs_every_food_exactly_once() {
    let mut w = World::start(Options {
        webhook: true,
        env: vec![
            // Replies 1 s apart in a chat, as Telegram asks: the batch takes ten seconds, so
            // the kill lands in the middle of it.
            (
                "WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS",
                "1000".to_owned(),
            ),
            ("WELLNESS__TELEGRAM__WORKERS", WORKERS.to_string()),
        ],
        ..Options::default()
    })
    .await;
    let users: Vec<SimUser> = (0..CHATS)
        .map(|i| SimUser::new(9900 + i, "Kill").with_language("en"))
        .collect();
    for user in &users {
        w.say(user, "/start").await;
    }
    let client = reqwest::Client::new();
    let mut sent: HashMap<i64, i64> = HashMap::new();
    for k in 0..UPDATES {
        let user = users[(k % CHATS) as usize].id;
        let text = if k % 2 == 0 { "a banana" } else { "2 eggs" };
        let body = text_update_body(700_000_000 + k, user, text);
        assert_eq!(post_update(&client, &w.server().url, body).await, Some(200));
        *sent.entry(user).or_default() += 1;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    w.kill();
    let logged = |w: &World, user: &SimUser| {
        w.replies(user)
            .iter()
            .filter(|r| r.starts_with("Logged:"))
            .count()
    };
    let before: usize = users.iter().map(|u| logged(&w, u)).sum();
    assert!(
        before < UPDATES as usize / 2,
        "the kill came too late to prove anything: {before} answered"
    );

    w.set_env("WELLNESS__TELEGRAM__PER_CHAT_INTERVAL_MS", "5");
    w.restart().await;
    let db = pool(&w.db_url);
    let deadline = Instant::now() + Duration::from_secs(40);
    for user in &users {
        let want = sent[&user.id] as usize;
        while logged(&w, user) < want {
            assert!(
                Instant::now() < deadline,
                "chat {}: {} of {want} answered",
                user.id,
                logged(&w, user)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut doubled = 0;
    for user in &users {
        let want = sent[&user.id] as usize;
        let keys = food_entry_keys(&db, user_id(&db, user.id).await).await;
        assert_eq!(keys.len(), want, "chat {}: food entries {keys:?}", user.id);
        doubled += logged(&w, user) - want;
    }
    // An update being answered when the process died may be answered again (at least once);
    // its food is still logged once.
    assert!(doubled <= WORKERS, "{doubled} replies doubled");
    eprintln!(
        "drill inbox_sigkill: {UPDATES} updates acknowledged, {before} answered before the \
         kill, all answered after the restart, {doubled} replies doubled, no food doubled"
    );
}
