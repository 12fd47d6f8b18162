//! FatSecret end to end: the three-legged connect through our pages and the simulator, and
//! the food catalogue with FatSecret first.

use std::time::Duration;

use wellness_e2e::{Server, free_port};
use wellness_postgres::test_support::TestDatabase;
use wellness_sim::fatsecret::{
    FatSecretSim, FatSecretSimConfig, Fault, FaultRule, NewSimEntry, SimMeal,
};
use wellness_sim::telegram::{SimUser, TelegramSim};

use crate::chat::{self, link_in, reply, say};

struct World {
    tg: TelegramSim,
    fs: FatSecretSim,
    server: Server,
    _db: TestDatabase,
}

/// The simulated FatSecret user every connection in these tests approves as.
const FS_USER: &str = "ann-fs";

async fn world() -> World {
    let tg = chat::telegram().await;
    let fs = FatSecretSim::start(
        FatSecretSimConfig::default()
            .with_auto_approve(FS_USER)
            .with_fault_hold(Duration::from_millis(300)),
    )
    .await
    .unwrap();
    let port = free_port();
    let db = TestDatabase::migrated().await.unwrap();
    let mut env = chat::polling_env(&tg, &db);
    env.extend([
        ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
        ("WELLNESS_ENCRYPTION_KEY", chat::encryption_key()),
        ("FATSECRET_CONSUMER_KEY", fs.consumer_key().to_owned()),
        ("FATSECRET_CONSUMER_SECRET", fs.consumer_secret().to_owned()),
        ("FATSECRET_API_URL", fs.base_url()),
        ("FATSECRET_AUTH_URL", fs.base_url()),
    ]);
    let server = chat::serve(port, &env).await;
    World {
        tg,
        fs,
        server,
        _db: db,
    }
}

/// Connects `user` through the pages; returns the chat's "connected" message.
async fn connect(w: &World, user: &SimUser) -> String {
    let offer = say(&w.tg, user, "/connect_fatsecret").await;
    let link = link_in(&offer);
    assert!(
        link.starts_with(&format!("{}/fatsecret/connect?state=", w.server.url)),
        "{offer}"
    );
    let page = wellness_e2e::connect_through(&link, &user.first_name).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("FatSecret is connected"), "{html}");
    // The same link again: single use.
    let again = reqwest::get(&link).await.unwrap();
    assert_eq!(again.status(), 400);
    let nth = w.tg.sent_to(user.id).len();
    reply(&w.tg, user, nth.saturating_sub(1)).await
}

#[tokio::test]
async fn connect_through_the_pages_stores_the_tokens_and_the_chat_hears_of_it() {
    let w = world().await;
    let ann = SimUser::new(8201, "Ann").with_language("en");
    let said = connect(&w, &ann).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let sent = w.tg.sent_to(ann.id);
        if sent
            .iter()
            .any(|m| m.visible_text().starts_with("FatSecret is connected ✓"))
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{said} / {sent:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = say(&w.tg, &ann, "/sync").await;
    assert!(status.contains("FatSecret: connected"), "{status}");
}

#[tokio::test]
async fn a_forged_state_or_request_token_gets_a_400_page_and_nothing_is_stored() {
    let w = world().await;
    let page = reqwest::get(format!(
        "{}/fatsecret/connect?state=forged123",
        w.server.url
    ))
    .await
    .unwrap();
    assert_eq!(page.status(), 400);
    let callback = reqwest::get(format!(
        "{}/fatsecret/callback?oauth_token=forged&oauth_verifier=x",
        w.server.url
    ))
    .await
    .unwrap();
    assert_eq!(callback.status(), 400);
    assert!(callback.text().await.unwrap().contains("not valid"));
    assert!(w.fs.api_calls("food_entry.create").is_empty());
}

#[tokio::test]
async fn two_eggs_take_their_numbers_from_fatsecret_and_the_reply_says_so() {
    let w = world().await;
    let ann = SimUser::new(8202, "Ann").with_language("en");
    let logged = say(&w.tg, &ann, "2 eggs").await;
    assert!(logged.contains("FatSecret"), "{logged}");
    let searches = w.fs.api_calls("foods.search").len();
    assert!(searches > 0);
    // The same food again comes from the 24-hour cache in PostgreSQL.
    let again = say(&w.tg, &ann, "2 eggs").await;
    assert!(again.contains("FatSecret"), "{again}");
    assert_eq!(w.fs.api_calls("foods.search").len(), searches);
}

#[tokio::test]
async fn when_fatsecret_fails_the_embedded_catalogue_gives_the_numbers() {
    let w = world().await;
    w.fs.inject_fault(FaultRule {
        fault: Fault::HttpStatus { status: 500 },
        method: None,
        times: 100,
    });
    let ann = SimUser::new(8203, "Ann").with_language("en");
    let logged = say(&w.tg, &ann, "2 eggs").await;
    assert!(logged.contains("built-in catalogue"), "{logged}");
}

/// Waits until `check` holds, polling.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn two_eggs_after_connecting_make_exactly_one_entry_in_the_fatsecret_diary() {
    let w = world().await;
    let ann = SimUser::new(8204, "Ann").with_language("en");
    connect(&w, &ann).await;
    let logged = say(&w.tg, &ann, "2 eggs").await;
    assert!(logged.contains("FatSecret"), "{logged}");
    eventually("the diary has the entry", || w.fs.diary(FS_USER).len() == 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(w.fs.diary(FS_USER).len(), 1);
    assert_eq!(w.fs.api_calls("food_entry.create").len(), 1);
    // The calls' latencies are FatSecret's, named as their counts are (WHOOP is not even
    // configured here).
    let metrics = wellness_e2e::scrape(&w.server.url).await;
    let timed = |provider: &str, call: &str| {
        wellness_e2e::sample_sum(
            &metrics,
            "wellness_outbound_call_duration_seconds_count",
            &[("provider", provider), ("call", call)],
        )
    };
    assert_eq!(timed("fatsecret", "diary_create"), 1.0, "{metrics}");
    assert!(timed("fatsecret", "find") >= 1.0, "{metrics}");
    assert!(
        !metrics
            .lines()
            .any(|l| l.starts_with("wellness_outbound_call_duration_seconds")
                && l.contains("provider=\"whoop\"")),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_write_stored_then_timed_out_is_reconciled_by_reading_the_day_not_sent_twice() {
    let w = world().await;
    let ann = SimUser::new(8205, "Ann").with_language("en");
    connect(&w, &ann).await;
    w.fs.inject_fault(FaultRule::next(Fault::StoreThenTimeout).for_method("food_entry.create"));
    say(&w.tg, &ann, "2 eggs").await;
    eventually("the day was read back", || {
        !w.fs.api_calls("food_entries.get.v2").is_empty()
            || !w.fs.api_calls("food_entries.get").is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(w.fs.diary(FS_USER).len(), 1);
    assert_eq!(w.fs.api_calls("food_entry.create").len(), 1);
}

#[tokio::test]
async fn a_revoked_connection_is_told_once_and_food_is_still_logged_here() {
    let w = world().await;
    let ann = SimUser::new(8206, "Ann").with_language("en");
    connect(&w, &ann).await;
    w.fs.revoke_user(FS_USER);
    say(&w.tg, &ann, "2 eggs").await;
    let told = |tg: &TelegramSim| {
        tg.sent_to(ann.id)
            .iter()
            .filter(|m| m.visible_text().starts_with("FatSecret access was revoked"))
            .count()
    };
    eventually("the user is told", || told(&w.tg) == 1).await;
    let second = say(&w.tg, &ann, "a banana").await;
    assert!(second.contains("anana"), "{second}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(told(&w.tg), 1);
    let today = say(&w.tg, &ann, "/today").await;
    assert!(today.contains("(2 entries)"), "{today}");
    let status = say(&w.tg, &ann, "/sync").await;
    assert!(status.contains("FatSecret: access was revoked"), "{status}");
}

#[tokio::test]
async fn an_entry_made_in_fatsecret_itself_counts_in_today_after_sync_and_ours_are_not_doubled() {
    let w = world().await;
    let ann = SimUser::new(8207, "Ann").with_language("en");
    connect(&w, &ann).await;
    say(&w.tg, &ann, "2 eggs").await;
    eventually("our entry reached the diary", || {
        w.fs.diary(FS_USER).len() == 1
    })
    .await;
    // Let the worker link it before the import reads the day.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let food =
        w.fs.foods()
            .into_iter()
            .find(|f| f.servings.iter().any(|s| s.serving_description == "100 g"))
            .unwrap();
    let serving = food
        .servings
        .iter()
        .find(|s| s.serving_description == "100 g")
        .unwrap();
    // The user's day in Kyiv, not UTC's (they differ for two or three hours every night).
    let today =
        wellness_domain::LocalDate::of(chrono::Utc::now(), wellness_domain::UserTimeZone::DEFAULT)
            .days_since_epoch();
    w.fs.add_entry_from_outside(
        FS_USER,
        &NewSimEntry {
            food_id: food.food_id.clone(),
            serving_id: serving.serving_id.clone(),
            number_of_units: 150.0,
            meal: SimMeal::Lunch,
            date_int: today,
            food_entry_name: None,
        },
    )
    .unwrap();
    let synced = say(&w.tg, &ann, "/sync").await;
    assert!(
        synced.contains("FatSecret diary synced: 1 new entry."),
        "{synced}"
    );
    let day = say(&w.tg, &ann, "/today").await;
    assert!(day.contains("(2 entries)"), "{day}");
    // Again: nothing new.
    let again = say(&w.tg, &ann, "/sync").await;
    assert!(
        again.contains("FatSecret diary synced: 0 new entries"),
        "{again}"
    );
}

/// Change grams after the entry reached the diary: the same FatSecret entry gets the new
/// portion (`food_entry.edit`), not a delete and a second create.
#[tokio::test]
async fn changing_the_grams_of_an_entry_in_the_diary_edits_that_diary_entry() {
    let w = world().await;
    let ann = SimUser::new(8208, "Ann").with_language("en");
    connect(&w, &ann).await;
    let logged = say(&w.tg, &ann, "2 eggs").await;
    assert!(logged.contains("FatSecret"), "{logged}");
    eventually("the diary has the entry", || w.fs.diary(FS_USER).len() == 1).await;
    let written = w.fs.diary(FS_USER).remove(0);

    let sent = w.tg.sent_to(ann.id);
    let (message_id, change) = sent
        .iter()
        .rev()
        .find_map(|m| {
            let data = m
                .callback_data()
                .into_iter()
                .find(|d| d.starts_with("grams:"))?;
            Some((m.message_id, data))
        })
        .expect("a Change grams button");
    let nth = sent.len();
    w.tg.press_button(&ann, message_id, &change).unwrap();
    let asked = reply(&w.tg, &ann, nth).await;
    assert!(asked.starts_with("How many grams of"), "{asked}");
    // "(now 100 g)": the grams logged, from the question itself.
    let now: f64 = asked
        .split("(now ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|grams| grams.parse().ok())
        .expect("the grams now");
    let wanted = (now * 1.5).round();
    let changed = say(&w.tg, &ann, &wanted.to_string()).await;
    assert!(changed.starts_with("Changed:"), "{changed}");

    let expected = written.number_of_units * wanted / now;
    eventually("the diary entry has the new portion", || {
        w.fs.diary(FS_USER)
            .first()
            .is_some_and(|e| (e.number_of_units - expected).abs() < 0.01)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let diary = w.fs.diary(FS_USER);
    assert_eq!(diary.len(), 1, "{diary:?}");
    assert_eq!(diary[0].food_entry_id, written.food_entry_id);
    assert_eq!(w.fs.api_calls("food_entry.create").len(), 1);
    assert_eq!(w.fs.api_calls("food_entry.edit").len(), 1);
    assert!(w.fs.api_calls("food_entry.delete").is_empty());
}
