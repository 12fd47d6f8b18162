//! WHOOP sync throughput: 100 connected users, 30 days each (the first sync's reach), against
//! the WHOOP simulator with its rate limit lifted and our request budget unlimited (WHOOP's
//! 100 requests a minute would otherwise be what is measured: about 7 pages a user). The sync is
//! the domain's own (`WhoopPorts::sync`, as `/sync` and the hourly job run it) over the real
//! WHOOP client and the PostgreSQL store, in this process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wellness_domain::ports::{CredentialStore, SystemClock, Users};
use wellness_domain::usecases::whoop::WhoopPorts;
use wellness_domain::{Locale, NewUser, Secret, TelegramUserId, User};
use wellness_e2e::whoop_connection;
use wellness_postgres::test_support::TestDatabase;
use wellness_postgres::{PgCredentialStore, PgUsers, PgWearableStore, TokenCipher};
use wellness_sim::telegram::TelegramSim;
use wellness_sim::whoop::{RateLimits, WhoopSim, WhoopSimConfig, WhoopUser};
use wellness_telegram::{OutboundLimiter, TelegramClient};
use wellness_whoop::{Unlimited, WhoopClient, WhoopConfig};

const USERS: i64 = 100;
/// Users synced at once in the concurrent run.
const PARALLEL: usize = 8;

/// Runs the sync twice on fresh databases: one user after another (as the hourly job does),
/// then `PARALLEL` at a time. Answers report rows.
pub async fn run(tg: &TelegramSim) -> Vec<(String, String)> {
    let sim = WhoopSim::start(WhoopSimConfig {
        rate_limits: RateLimits::disabled(),
        users: (0..USERS).map(|i| WhoopUser::new(20_000 + i)).collect(),
        ..WhoopSimConfig::default()
    })
    .await
    .unwrap();
    let mut rows = Vec::new();
    for parallel in [1, PARALLEL] {
        let (records, took) = sync_all(&sim, tg, parallel).await;
        rows.push((
            format!("WHOOP first sync, {USERS} users x 30 days, {parallel} at a time"),
            format!(
                "{records} records upserted in {:.2} s = {:.0} records/s",
                took.as_secs_f64(),
                records as f64 / took.as_secs_f64()
            ),
        ));
    }
    sim.shutdown().await;
    rows
}

async fn sync_all(sim: &WhoopSim, tg: &TelegramSim, parallel: usize) -> (u64, Duration) {
    let db = TestDatabase::migrated().await.unwrap();
    let pool = db.pool().unwrap();
    let cipher = TokenCipher::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
    let credentials = Arc::new(PgCredentialStore::new(pool.clone(), cipher));
    let users = PgUsers::new(pool.clone());
    let mut people: Vec<User> = Vec::new();
    for i in 0..USERS {
        let user = users
            .register(&NewUser {
                telegram_id: TelegramUserId::new(800_000 + i).unwrap(),
                first_name: format!("W{i}"),
                locale: Locale::En,
            })
            .await
            .unwrap()
            .user;
        let issued = sim.issue_tokens(20_000 + i).unwrap();
        credentials
            .save(&whoop_connection(user.id, 20_000 + i, issued))
            .await
            .unwrap();
        people.push(user);
    }
    let wearable = Arc::new(
        WhoopClient::new(
            WhoopConfig {
                api_root: sim.base_url(),
                client_id: sim.client_id().to_owned(),
                client_secret: Secret::new(sim.client_secret()),
                redirect_uri: "https://wellness.example/oauth/whoop/callback".to_owned(),
            },
            Arc::new(Unlimited),
        )
        .unwrap(),
    );
    let messenger = Arc::new(
        TelegramClient::new(
            &tg.base_url(),
            Secret::new(tg.token()),
            Arc::new(OutboundLimiter::default()),
        )
        .unwrap(),
    );
    let store = Arc::new(PgWearableStore::new(pool.clone()));
    let queue = Arc::new(std::sync::Mutex::new(people));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..parallel {
        let (queue, credentials, wearable, store, messenger) = (
            queue.clone(),
            credentials.clone(),
            wearable.clone(),
            store.clone(),
            messenger.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let ports = WhoopPorts {
                credentials: credentials.as_ref(),
                wearable,
                store: store.as_ref(),
                messenger: messenger.as_ref(),
                clock: &SystemClock,
                presenter: wellness_texts::Texts::embedded(),
            };
            let mut records = 0;
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(user) = next else { break };
                records += ports.sync(&user).await.unwrap().total();
            }
            records
        }));
    }
    let mut records = 0;
    for t in tasks {
        records += t.await.unwrap();
    }
    (records, started.elapsed())
}
